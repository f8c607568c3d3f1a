"""``report.txt``: the human report with Turkish/English headings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from signer_app.diagnose._common import HEALTH_PATH
from signer_app.logs import LOG_FILE_NAME

if TYPE_CHECKING:
    pass

__all__ = ["render_report"]

_log = logging.getLogger(__name__)


#: Problem code -> (Turkish, English) explanation, for report.txt.
_PROBLEM_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "tls_interception_likely": (
        "TLS araya girme olası (kurumsal vekil sunucu/antivirüs): zincir işletim sisteminin "
        "deposuyla doğrulanıyor ama Mozilla'nın listesiyle doğrulanmıyor",
        "TLS interception (corporate proxy/antivirus) likely: the chain verifies against the "
        "OS store but not against Mozilla's bundle",
    ),
    "tls_untrusted": (
        "Portalın TLS sertifikası güvenilir değil (işletim sistemi deposu ve Mozilla listesi)",
        "The portal's TLS certificate is not trusted (OS store and Mozilla bundle)",
    ),
    "os_store_missing_root": (
        "İşletim sisteminin sertifika deposunda kök sertifika eksik (Mozilla listesi doğruluyor)",
        "The OS certificate store lacks the root (Mozilla's bundle verifies the chain)",
    ),
    "tls_handshake_failed": ("TLS el sıkışması başarısız", "The TLS handshake failed"),
    "dns_failed": ("Portal adı çözümlenemedi (DNS)", "The portal's name does not resolve (DNS)"),
    "connect_failed": ("Portala bağlanılamadı (TCP)", "Cannot connect to the portal (TCP)"),
    "proxy_refused": ("Vekil sunucu bağlantıyı reddetti", "The proxy refused the connection"),
    "http_failed": ("Portal HTTP isteğine yanıt vermedi", "The portal did not answer over HTTP"),
    "http_status": (
        "Portal beklenmeyen bir HTTP durumu döndürdü",
        "The portal answered an unexpected HTTP status",
    ),
    "bad_url": ("Portal adresi geçersiz", "The portal URL is invalid"),
    "clock_skew": (
        "Bilgisayarın saati portalınkinden farklı",
        "This computer's clock differs from the portal's",
    ),
    "portal_not_trusted_host": (
        "Portal adresi güvenilen sunucular listesinde değil",
        "The portal's host is not on the trusted list",
    ),
    "no_card": ("Kullanılabilir kart bulunamadı", "No usable card was found"),
    "pin_locked": ("Bir kartın PIN'i bloke", "A card's PIN is locked"),
    "pin_final_try": ("Bir kartta son PIN deneme hakkı kaldı", "A card has one PIN try left"),
    "settings_unreadable": (
        "Ayarlar okunamadı; yerleşik değerler kullanılıyor",
        "The settings could not be read; built-in values are used",
    ),
}


def _line(key: str, value: object) -> str:
    if isinstance(value, bool):
        shown = "evet/yes" if value else "hayır/no"
    elif value is None or value in ("", []):
        shown = "-"
    elif isinstance(value, list):
        shown = ", ".join(str(v) for v in value)
    else:
        shown = str(value)
    return f"  {key}: {shown}"


def _heading(number: int, turkish: str, english: str) -> list[str]:
    title = f"{number}. {turkish} / {english}"
    return ["", title, "=" * len(title)]


def _error_lines(section: Mapping[str, Any]) -> list[str]:
    if "error" not in section:
        return []
    return [f"  HATA / ERROR: {section['error']}"]


def render_report(report: Mapping[str, Any]) -> str:
    """The human form of the report (``report.txt``): Turkish/English headings.

    :param report: a report as produced for ``report.json``.
    :returns: the text, one line per fact, ending with a newline.
    """
    meta = report.get("meta", {})
    lines = [
        "signer-app tanılama raporu / diagnostics report",
        _line("Oluşturma / Created", meta.get("created_at")),
        _line("Sürüm / Version", meta.get("program_version")),
        _line("Süre / Duration (s)", meta.get("duration_seconds")),
    ]
    lines += _heading(0, "Özet", "Summary")
    problems = report.get("problems", [])
    if not problems:
        lines.append("  Sorun bulunmadı / No problems found")
    for code in problems:
        turkish, english = _PROBLEM_TEXTS.get(code, (code, code))
        lines.append(f"  ! {turkish}")
        lines.append(f"    {english}")
    lines += _render_system(report.get("system", {}))
    lines += _render_settings(report.get("settings", {}))
    lines += _render_proxies(report.get("proxies", {}))
    lines += _render_tokens(report.get("tokens", {}))
    lines += _render_portal(report.get("portal", {}))
    lines += _render_logs(report.get("logs", {}))
    return "\n".join(lines) + "\n"


def _render_system(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(1, "Sistem", "System") + _error_lines(section)
    for key in (
        "os",
        "machine",
        "bits",
        "python",
        "python_executable",
        "frozen",
        "program_version",
        "openssl",
        "local_time",
        "timezone",
        "preferred_encoding",
    ):
        if key in section:
            lines.append(_line(key, section[key]))
    if section.get("libraries"):
        lines.append("  Kütüphaneler / Libraries:")
        lines += [f"    {name} {version}" for name, version in section["libraries"].items()]
    if section.get("environment"):
        lines.append("  Ortam / Environment:")
        lines += [f"    {name}={value}" for name, value in section["environment"].items()]
    return lines


def _render_settings(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(2, "Ayarlar ve makine ilkesi", "Settings and machine policy")
    lines += _error_lines(section)
    lines.append("  anahtar = değer  (kaynak) / key = value  (source)")
    for item in section.get("values", []):
        lock = ", kilitli / locked" if item.get("locked") else ""
        value = item.get("value")
        shown = "; ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(
            f"  {item['key']} = {'-' if shown in (None, '') else shown}  "
            f"({item.get('source')}{lock})"
        )
    for layer, origin in section.get("origins", {}).items():
        lines.append(f"  {layer}: {origin}")
    for item in section.get("ignored_overrides", []):
        lines.append(
            f"  yok sayıldı (kilitli) / ignored (locked): {item['key']} from {item['source']}"
        )
    for item in section.get("rejected", []):
        lines.append(
            f"  reddedildi / rejected: {item['key']} from {item['source']}: {item['reason']}"
        )
    return lines


def _render_proxies(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(3, "Vekil sunucu", "Proxy") + _error_lines(section)
    environment = section.get("environment", {})
    lines.append("  Ortam değişkenleri / Environment: " + ("" if environment else "-"))
    lines += [f"    {name}={value}" for name, value in environment.items()]
    system = section.get("system", {})
    lines.append("  Sistem / System: " + ("" if system else "-"))
    lines += [f"    {scheme}: {value}" for scheme, value in system.items()]
    for name, value in section.get("windows_internet_settings", {}).items():
        lines.append(f"    {name}: {value}")
    lines.append(_line("Portal için / For the portal", section.get("portal_proxy") or "direct"))
    lines += [f"  not / note: {note}" for note in section.get("notes", [])]
    return lines


def _render_tokens(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(4, "Kart kütüphaneleri ve kartlar", "PKCS#11 modules and cards")
    lines += _error_lines(section)
    if "program_architecture" in section:
        lines.append(
            _line("Program mimarisi / Program architecture", section["program_architecture"])
        )
        lines.append(_line("Yalıtım / Isolation", section.get("isolation")))
        lines.append(_line("Bağlayıcı / Binding", section.get("binding")))
        pcsc = section.get("pcsc", {})
        lines.append(_line(f"PC/SC ({pcsc.get('service')})", pcsc.get("present")))
    for module in section.get("modules", []):
        lines.append(f"  - {module['path']}  [{module.get('name')}, {module.get('source')}]")
        outcome = module.get("outcome")
        detail = module.get("detail") or ""
        lines.append(f"      sonuç / outcome: {outcome}{f' ({detail})' if detail else ''}")
        if module.get("missing_dependency"):
            lines.append(f"      eksik / missing: {module['missing_dependency']}")
        binary = module.get("binary")
        if binary and outcome != "file_missing":
            arch = "/".join(binary.get("architectures", [])) or "?"
            lines.append(
                f"      ikili / binary: {binary.get('format')} {arch} {binary.get('bits')}-bit"
            )
        info = module.get("module_info") or {}
        if info:
            lines.append(
                "      "
                + ", ".join(f"{k}={v}" for k, v in sorted(info.items()) if v not in (None, ""))
            )
        for slot in module.get("slots", []):
            lines += _render_slot(slot)
    return lines


def _render_slot(slot: Mapping[str, Any]) -> list[str]:
    flags = ", ".join(slot.get("flags", []))
    lines = [f"      Okuyucu / Slot {slot['slot_id']}: {slot.get('description')} [{flags}]"]
    token = slot.get("token")
    if token is None:
        return [*lines, "        kart yok / no card"]
    if not token.get("initialized"):
        return [*lines, "        kart başlatılmamış (boş) / token not initialised (empty)"]
    lines.append(
        f"        Kart / Token: {token['label']} (seri/serial {token['serial']}, "
        f"{token['manufacturer']}, {token['model']})"
    )
    lines.append(f"        bayraklar / flags: {', '.join(token.get('flags', []))}")
    lines.append(
        f"        PIN: {token['pin_status']} (count_low={token['pin_count_low']}, "
        f"final_try={token['pin_final_try']}, locked={token['pin_locked']}); "
        f"PIN-pad: {token['protected_authentication_path']}"
    )
    if slot.get("certificate_error"):
        lines.append(f"        HATA / ERROR: {slot['certificate_error']}")
    for cert in slot.get("certificates", []):
        lines.append(f"        Sertifika / Certificate [{cert['id'][:16]}] {cert['label']}")
        if "error" in cert:
            lines.append(f"          okunamadı / unreadable: {cert['error']}")
            continue
        lines.append(f"          subject: {cert['subject']}")
        lines.append(f"          issuer:  {cert['issuer']}")
        lines.append(f"          serial:  {cert['serial_hex']}")
        lines.append(f"          valid:   {cert['not_before']} .. {cert['not_after']}")
        lines.append(f"          key:     {cert['key_algorithm']}; kind: {cert['kind']}")
        verdict = "usable" if cert["usable"] else "NOT usable: " + ", ".join(cert["reasons"])
        lines.append(f"          kullanılabilir / {verdict}")
    return lines


def _render_portal(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(5, "Portal erişimi ve TLS", "Portal reachability and TLS")
    lines += _error_lines(section)
    if not section.get("configured", True):
        return [*lines, "  portal adresi ayarlanmamış / no portal URL configured"]
    for key in ("url", "verdict", "trusted_host", "proxy", "note"):
        if key in section:
            lines.append(_line(key, section[key]))
    for step in ("dns", "tcp"):
        if step in section:
            result = section[step]
            shown = result.get("addresses") or result.get("peer") or result.get("error")
            lines.append(
                f"  {step.upper()}: {'OK' if result['ok'] else 'FAIL'} {shown} ({result['ms']} ms)"
            )
    tls = section.get("tls", {})
    if tls:
        lines.append(f"  TLS: {tls.get('verdict')}")
        handshake = tls.get("handshake", {})
        if handshake:
            extra = handshake.get("version") if handshake.get("ok") else handshake.get("error")
            lines.append(
                f"    el sıkışma / handshake: {extra} {handshake.get('cipher', '')}".rstrip()
            )
        for name, label in (("os_store", "OS deposu / OS store"), ("mozilla", "Mozilla (certifi)")):
            if name in tls:
                result = tls[name]
                lines.append(
                    f"    {label}: {'OK' if result['ok'] else 'FAIL'}"
                    + (f" ({result['error']})" if result.get("error") else "")
                )
        if tls.get("interceptor"):
            lines.append(f"    ürün / product: {tls['interceptor']}")
        for index, cert in enumerate(tls.get("chain", [])):
            lines.append(f"    zincir / chain[{index}] subject: {cert['subject']}")
            lines.append(f"        issuer: {cert['issuer']}")
            lines.append(f"        sha256: {cert['sha256']}")
            lines.append(f"        valid: {cert['not_before']} .. {cert['not_after']}")
    result = section.get("http")
    if result:
        if "status" in result:
            lines.append(
                f"  HTTP GET {HEALTH_PATH}: {result['status']} {result.get('reason', '')} "
                f"({result.get('ms')} ms)"
            )
        else:
            lines.append(f"  HTTP GET {HEALTH_PATH}: FAIL ({result.get('error')})")
        if section.get("http_unverified"):
            lines.append("    (doğrulanmamış bağlantı, yalnız saat için / unverified, clock only)")
    clock = section.get("clock")
    if clock:
        lines.append(
            f"  Saat farkı / Clock skew: {clock['skew_seconds']:+} s "
            f"({'OK' if clock['ok'] else 'FAIL'}, limit ±{clock['limit_seconds']:g} s; "
            "+ = portal ileride / portal ahead)"
        )
    return lines


def _render_logs(section: Mapping[str, Any]) -> list[str]:
    lines = _heading(6, "Günlük", "Logs") + _error_lines(section)
    lines.append(_line("Klasör / Folder", section.get("folder")))
    for item in section.get("files", []):
        lines.append(f"    {item['name']}: {item['size']} bytes, {item['modified']}")
    lines.append(
        f"  Son {section.get('included', 0)} satır logs/{LOG_FILE_NAME} içinde / "
        f"last {section.get('included', 0)} lines in logs/{LOG_FILE_NAME}"
    )
    return lines
