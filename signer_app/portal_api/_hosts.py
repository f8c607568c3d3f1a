"""Host names: loopback detection and matching against the trusted-host list."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Final

__all__ = ["DEFAULT_PORTS", "host_label", "is_loopback_host", "is_trusted_host"]

#: The port a URL without one uses.
DEFAULT_PORTS: Final = {"https": 443, "http": 80}


def is_loopback_host(host: str) -> bool:
    """Tell whether ``host`` is this computer: ``localhost``, 127.0.0.0/8 or ``::1``.

    Names other than ``localhost`` are not resolved: a name that merely
    resolves to a loopback address today is not treated as one.

    :param host: a host name or IP literal, IPv6 with or without brackets.
    :returns: ``True`` for a loopback host.
    """
    name = host.strip().lower().rstrip(".")
    if name == "localhost":
        return True
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_label(host: str, port: int | None, scheme: str) -> str:
    """Return ``host`` or ``host:port`` (the port only when not the default).

    :param host: the host as :func:`urllib.parse.urlsplit` gives it (no brackets).
    :param port: the explicit port, if any.
    :param scheme: ``https`` or ``http``.
    :returns: e.g. ``portal.example``, ``portal.example:8443``, ``[::1]:8443``.
    """
    shown = f"[{host}]" if ":" in host else host
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return shown
    return f"{shown}:{port}"


def _split_entry(entry: str) -> tuple[str, int | None]:
    """Split a trusted-host entry into host and optional port."""
    text = entry.strip().lower()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    port = int(port_text) if port_text.isdigit() else None
    return host.rstrip("."), port


def is_trusted_host(host: str, port: int | None, scheme: str, trusted: Sequence[str]) -> bool:
    """Tell whether a URL's host is on the trusted list.

    An entry is ``host``, ``host:port``, ``*.domain`` or ``*.domain:port``
    (IPv6 as ``[addr]`` or ``[addr]:port``), as ``portal.trusted_hosts``
    allows. ``host`` matches that host on any port; with a port it matches
    only that port (the scheme's default when the URL names none).
    ``*.domain`` matches every name below ``domain`` at any depth, never
    ``domain`` itself. Comparison ignores case and a trailing dot.

    :param host: the URL's host (no brackets).
    :param port: the URL's explicit port, if any.
    :param scheme: the URL's scheme, for its default port.
    :param trusted: the trusted-host entries.
    :returns: ``True`` when an entry matches.
    """
    name = host.strip().lower().rstrip(".")
    effective = port if port is not None else DEFAULT_PORTS.get(scheme)
    for entry in trusted:
        pattern, entry_port = _split_entry(entry)
        if not pattern or (entry_port is not None and entry_port != effective):
            continue
        if pattern.startswith("*."):
            suffix = pattern[1:]
            if name.endswith(suffix) and len(name) > len(suffix):
                return True
        elif name == pattern:
            return True
    return False
