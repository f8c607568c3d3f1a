"""Proxies and the portal check: DNS, TCP, TLS against two trust stores, HTTP, clock skew."""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import logging
import os
import socket
import ssl
import sys
import time
import urllib.request
from base64 import b64encode
from collections.abc import Mapping, Sequence
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import SplitResult, unquote, urlsplit

import signer_app
from signer_app.config import LoadedSettings
from signer_app.diagnose._common import CLOCK_SKEW_LIMIT, HEALTH_PATH, error_text, ms
from signer_app.logs import MASK, redact

if TYPE_CHECKING:
    pass

__all__ = ["clock_skew", "mask_proxy_url", "portal_section", "proxies_section"]

_log = logging.getLogger(__name__)


_PROXY_VARIABLES: Final = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)
# Words in a TLS issuer that name an inspecting product; matched case-insensitively.
_INTERCEPTORS: Final = (
    "zscaler",
    "fortinet",
    "fortigate",
    "palo alto",
    "blue coat",
    "bluecoat",
    "symantec web",
    "netskope",
    "forcepoint",
    "websense",
    "sophos",
    "cisco umbrella",
    "checkpoint",
    "check point",
    "mcafee web",
    "kaspersky",
    "eset",
    "avast",
    "avg ",
    "bitdefender",
    "trend micro",
    "watchguard",
    "sonicwall",
    "barracuda",
    "mitmproxy",
    "fiddler",
    "charles proxy",
)
_MAX_HTTP_BODY: Final = 64 * 1024
# _ssl.ENCODING_DER, the argument of the private _ssl.Certificate.public_bytes().
_ENCODING_DER: Final = 2


def clock_skew(date_header: str, sent: float, received: float) -> float | None:
    """How far the server's clock is ahead of ours, from an HTTP ``Date`` header.

    The server stamped its answer between *sent* and *received*; the middle
    is taken as the moment it did. ``Date`` has a resolution of one second
    and servers truncate, so half a second is added to the stamp: the
    estimate is then off by at most half a second plus half the round trip.

    :param date_header: the ``Date`` value (IMF-fixdate).
    :param sent: our clock (``time.time()``) when the request was sent.
    :param received: our clock when the answer's headers arrived.
    :returns: seconds, positive when the server is ahead (our clock is slow);
        ``None`` when the header cannot be read.
    """
    try:
        moment = email.utils.parsedate_to_datetime(date_header.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() + 0.5 - (sent + received) / 2


def mask_proxy_url(value: str) -> str:
    """Return a proxy setting with any user name and password replaced by ``***``.

    :param value: a proxy URL (``http://user:pass@proxy:3128``), a bare
        ``host:port`` or a ``NO_PROXY`` list.
    :returns: the value with its credentials masked.
    """
    text = value.strip()
    if "@" not in text:
        return text
    parts = urlsplit(text if "://" in text else f"//{text}")
    if parts.username is None and parts.password is None:
        return redact(text)
    host = parts.netloc.rpartition("@")[2]
    masked = parts._replace(netloc=f"{MASK}@{host}").geturl()
    return masked if "://" in text else masked.removeprefix("//")


def _proxy_for(url: str | None) -> str | None:
    """The proxy ``requests`` would use for *url* (environment and system settings)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    from signer_app.portal_api._hosts import is_loopback_host  # noqa: PLC0415

    if not host or is_loopback_host(host):
        # The portal client always goes direct to this computer.
        return None
    proxies = urllib.request.getproxies()
    if urllib.request.proxy_bypass(host) or _no_proxy_matches(host, proxies.get("no", "")):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


def _no_proxy_matches(host: str, no_proxy: str) -> bool:
    name = host.lower().rstrip(".")
    for entry in (e.strip().lower().lstrip(".") for e in no_proxy.split(",")):
        if entry == "*" or (entry and (name == entry or name.endswith("." + entry))):
            return True
    return False


def proxies_section(url: str | None) -> dict[str, Any]:
    """The proxies from the environment and the system, and the one used for *url*."""
    environment = {
        name: mask_proxy_url(os.environ[name])
        for name in _PROXY_VARIABLES
        if os.environ.get(name) is not None
    }
    system = {
        scheme: mask_proxy_url(value) for scheme, value in urllib.request.getproxies().items()
    }
    section: dict[str, Any] = {
        "environment": environment,
        "system": system,
        "portal_proxy": None,
        "notes": [
            "PAC/WPAD scripts and NTLM/Kerberos proxy authentication are not used by the client"
        ],
    }
    if sys.platform == "win32":
        section["windows_internet_settings"] = _windows_internet_settings()
    proxy = _proxy_for(url)
    section["portal_proxy"] = mask_proxy_url(proxy) if proxy else None
    return section


if sys.platform == "win32":

    def _windows_internet_settings() -> dict[str, Any]:
        import winreg  # noqa: PLC0415

        found: dict[str, Any] = {}
        key = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
                for name in ("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"):
                    with contextlib.suppress(OSError):
                        value, _ = winreg.QueryValueEx(handle, name)
                        found[name] = mask_proxy_url(str(value))
        except OSError as exc:
            found["error"] = error_text(exc)
        return found


class _ProxyRefusedError(OSError):
    """The proxy did not open a tunnel (its status line is the message)."""


def _connect(
    host: str, port: int, proxy: SplitResult | None, timeout: float
) -> tuple[socket.socket, str]:
    """A TCP connection to host:port, through an HTTP proxy's CONNECT tunnel if given."""
    if proxy is None:
        sock = socket.create_connection((host, port), timeout=timeout)
        peer = sock.getpeername()
        return sock, f"{peer[0]}:{peer[1]}"
    proxy_port = proxy.port or (443 if proxy.scheme == "https" else 8080)
    sock = socket.create_connection((proxy.hostname or "", proxy_port), timeout=timeout)
    try:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
        if proxy.username is not None:
            # Basic only, as the portal client; the credentials never reach the report.
            pair = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
            lines.append(f"Proxy-Authorization: Basic {b64encode(pair.encode()).decode()}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        answer = b""
        while b"\r\n\r\n" not in answer and len(answer) < 16384:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        status = answer.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        if len(status.split()) < 2 or status.split()[1] != "200":
            raise _ProxyRefusedError(f"the proxy refused the tunnel: {status or 'no answer'}")
    except BaseException:
        sock.close()
        raise
    return sock, f"via proxy {proxy.hostname}:{proxy_port}"


def _certificate_summary(der: bytes) -> dict[str, Any]:
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415

    cert = x509.load_der_x509_certificate(der)
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial_hex": f"{cert.serial_number:X}",
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "self_signed": cert.subject == cert.issuer,
    }


def _presented_chain(tls: ssl.SSLSocket) -> list[bytes]:
    """The certificates the server sent, leaf first, unverified."""
    # SSLSocket.get_unverified_chain() is public from Python 3.13; 3.11 and
    # 3.12 have it on the private _sslobj.
    sslobj = getattr(tls, "_sslobj", None)
    getter = getattr(sslobj, "get_unverified_chain", None) or getattr(
        tls, "get_unverified_chain", None
    )
    if getter is not None:
        chain = getter() or []
        return [c if isinstance(c, bytes) else c.public_bytes(_ENCODING_DER) for c in chain]
    leaf = tls.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def _verify_error(exc: BaseException) -> dict[str, Any]:
    found: dict[str, Any] = {"ok": False, "error": error_text(exc)}
    if isinstance(exc, ssl.SSLCertVerificationError):
        found["verify_code"] = exc.verify_code
        found["verify_message"] = exc.verify_message
    return found


def _mozilla_context() -> ssl.SSLContext | None:
    try:
        import certifi  # noqa: PLC0415 - comes with requests
    except ImportError:
        return None
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _handshake(
    context: ssl.SSLContext,
    host: str,
    port: int,
    proxy: SplitResult | None,
    timeout: float,
) -> ssl.SSLSocket:
    sock, _ = _connect(host, port, proxy, timeout)
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def _interceptor_in(chain: Sequence[Mapping[str, Any]]) -> str | None:
    for cert in chain:
        issuer = f"{cert.get('issuer', '')} {cert.get('subject', '')}".lower()
        for word in _INTERCEPTORS:
            if word in issuer:
                return word.strip()
    return None


def _tls_checks(
    host: str,
    port: int,
    proxy: SplitResult | None,
    timeout: float,
    extra_ca_file: Path | None,
) -> tuple[dict[str, Any], ssl.SSLSocket | None]:
    """TLS: the chain as presented, then the OS store's and Mozilla's verdicts.

    Returns the section and, when the OS store verified it, an open connection.
    """
    from signer_app.portal_api.client import tls_context  # noqa: PLC0415

    tls: dict[str, Any] = {}
    capture = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    capture.check_hostname = False
    # Only to see what the server presents; nothing is sent on this connection.
    capture.verify_mode = ssl.CERT_NONE
    started = time.monotonic()
    try:
        with _handshake(capture, host, port, proxy, timeout) as raw:
            tls["handshake"] = {
                "ok": True,
                "ms": ms(started),
                "version": raw.version(),
                "cipher": (raw.cipher() or ("",))[0],
            }
            tls["chain"] = [_certificate_summary(der) for der in _presented_chain(raw)]
    except (OSError, ValueError) as exc:
        tls["handshake"] = {"ok": False, "ms": ms(started), "error": error_text(exc)}
        tls["verdict"] = "tls_handshake_failed"
        return tls, None

    verified: ssl.SSLSocket | None = None
    try:
        verified = _handshake(tls_context(extra_ca_file), host, port, proxy, timeout)
        tls["os_store"] = {"ok": True}
    except (OSError, ValueError) as exc:
        tls["os_store"] = _verify_error(exc)
    except Exception as exc:  # noqa: BLE001 - e.g. TlsError for a bad extra CA file
        tls["os_store"] = _verify_error(exc)

    mozilla = _mozilla_context()
    if mozilla is None:
        tls["mozilla"] = {"ok": None, "error": "certifi is not available"}
    else:
        try:
            _handshake(mozilla, host, port, proxy, timeout).close()
            tls["mozilla"] = {"ok": True}
        except (OSError, ValueError) as exc:
            tls["mozilla"] = _verify_error(exc)

    os_ok, mozilla_ok = tls["os_store"]["ok"], tls["mozilla"]["ok"]
    if os_ok and mozilla_ok is False:
        tls["verdict"] = "tls_interception_likely"
        product = _interceptor_in(tls.get("chain", []))
        if product:
            tls["interceptor"] = product
    elif os_ok:
        tls["verdict"] = "ok"
    elif mozilla_ok:
        tls["verdict"] = "os_store_missing_root"
    else:
        tls["verdict"] = "tls_untrusted"
        product = _interceptor_in(tls.get("chain", []))
        if product:
            tls["interceptor"] = product
    return tls, verified


def _http_get(
    sock: socket.socket, host_header: str, path: str, timeout: float
) -> tuple[dict[str, Any], float | None]:
    """GET *path* on an open connection; the answer's status and headers, and the clock skew."""
    connection = http.client.HTTPConnection(host_header, timeout=timeout)
    connection.sock = sock
    started = time.monotonic()
    try:
        sent = time.time()
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": f"signer-app/{signer_app.__version__} diagnostics",
                "Accept": "*/*",
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        received = time.time()
        response.read(_MAX_HTTP_BODY)
        date = response.getheader("Date")
        skew = clock_skew(date, sent, received) if date else None
        return {
            "ok": response.status == 200,
            "status": response.status,
            "reason": response.reason,
            "ms": ms(started),
            "content_type": response.getheader("Content-Type"),
            "server": response.getheader("Server"),
            "date": date,
        }, skew
    finally:
        connection.close()


def portal_section(
    url: str | None,
    loaded: LoadedSettings | None,
    extra_ca_file: Path | None,
    timeout: float,
) -> dict[str, Any]:
    """The portal check: DNS, TCP, TLS against both trust stores, HTTP and clock skew."""
    if not url:
        return {"configured": False, "verdict": "not_configured"}
    from signer_app.portal_api._hosts import (  # noqa: PLC0415
        DEFAULT_PORTS,
        host_label,
        is_loopback_host,
        is_trusted_host,
    )

    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme, 443)
    except ValueError:
        return {"configured": True, "url": url, "verdict": "bad_url"}
    if scheme not in ("http", "https") or not host:
        return {"configured": True, "url": url, "verdict": "bad_url"}
    base = parts.path if parts.path.endswith("/") else parts.path + "/"
    hosts: tuple[str, ...] = ()
    if loaded is not None:
        from signer_app.launch import trusted_hosts  # noqa: PLC0415 - composition root

        hosts = trusted_hosts(loaded)
    section: dict[str, Any] = {
        "configured": True,
        "url": parts._replace(path=base, query="", fragment="").geturl(),
        "host": host,
        "port": port,
        "scheme": scheme,
        "loopback": is_loopback_host(host),
        "trusted_host": is_trusted_host(host, parts.port, scheme, hosts),
    }
    if scheme == "http" and not section["loopback"]:
        section["note"] = "plain HTTP is refused by the client except on this computer (demo)"
    proxy_url = _proxy_for(url) if scheme == "https" else None
    proxy = (
        urlsplit(proxy_url if "://" in proxy_url else f"http://{proxy_url}") if proxy_url else None
    )
    section["proxy"] = mask_proxy_url(proxy_url) if proxy_url else None

    # DNS: through a proxy the proxy resolves, so a local failure is only noted.
    started = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        section["dns"] = {
            "ok": True,
            "ms": ms(started),
            "addresses": sorted({str(info[4][0]) for info in infos}),
        }
    except OSError as exc:
        section["dns"] = {"ok": False, "ms": ms(started), "error": error_text(exc)}
        if proxy is None:
            section["verdict"] = "dns_failed"
            return section

    started = time.monotonic()
    try:
        sock, peer = _connect(host, port, proxy, timeout)
        section["tcp"] = {"ok": True, "ms": ms(started), "peer": peer}
    except OSError as exc:
        section["tcp"] = {"ok": False, "ms": ms(started), "error": error_text(exc)}
        refused = isinstance(exc, _ProxyRefusedError)
        section["verdict"] = "proxy_refused" if refused else "connect_failed"
        return section

    label = host_label(host, parts.port, scheme)
    path = base + HEALTH_PATH
    skew: float | None = None
    if scheme == "http":
        section["tls"] = {"verdict": "not_applicable"}
        try:
            section["http"], skew = _http_get(sock, label, path, timeout)
        except (OSError, http.client.HTTPException) as exc:
            section["http"] = {"ok": False, "error": error_text(exc)}
    else:
        sock.close()
        section["tls"], verified = _tls_checks(host, port, proxy, timeout, extra_ca_file)
        connection: socket.socket | None = verified
        if connection is None and section["tls"]["handshake"]["ok"]:
            # The clock is a common cause of a failed verification: read the
            # Date of an unverified answer. Nothing secret is ever sent here.
            with contextlib.suppress(OSError, ValueError):
                capture = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                capture.check_hostname = False
                capture.verify_mode = ssl.CERT_NONE
                connection = _handshake(capture, host, port, proxy, timeout)
                section["http_unverified"] = True
        if connection is not None:
            try:
                section["http"], skew = _http_get(connection, label, path, timeout)
            except (OSError, http.client.HTTPException) as exc:
                section["http"] = {"ok": False, "error": error_text(exc)}
    if skew is not None:
        section["clock"] = {
            "skew_seconds": round(skew, 1),
            "server_ahead": skew > 0,
            "limit_seconds": CLOCK_SKEW_LIMIT,
            "ok": abs(skew) <= CLOCK_SKEW_LIMIT,
        }
    section["verdict"] = _portal_verdict(section)
    return section


def _portal_verdict(section: Mapping[str, Any]) -> str:
    tls = section.get("tls", {})
    if tls.get("verdict") not in (None, "ok", "not_applicable"):
        return str(tls["verdict"])
    http_result = section.get("http", {})
    if not http_result:
        return "http_failed"
    if "status" not in http_result:
        return "http_failed"
    if http_result["status"] != 200:
        return "http_status"
    return "ok"
