"""Diagnostics: the redacted support bundle ("Destek paketi oluştur", ``signer-app diagnose``).

:func:`write_support_bundle` collects what a help desk needs to tell a
missing driver from a blocked network from a wrong clock, and writes it as
one ZIP file (mode 0600):

``report.txt``
    the human report, with Turkish/English headings;
``report.json``
    the same facts for tools (format :data:`REPORT_FORMAT`);
``logs/signer-app.log``
    the last lines of the rotating log files, oldest first.

Sections: the system (OS, Python, program and library versions,
architecture, bitness, frozen or not); the settings in effect with the layer
each value came from and the policy locks; the proxies (environment and the
system's, credentials masked); the PKCS#11 modules (probe outcome per
candidate, readers, token flags with the PIN counters, certificate summaries
— public data only, read without a PIN); the portal (DNS, TCP, TLS against
the operating system's store and against Mozilla's bundle, the presented
chain, an HTTP GET of ``openapi.yaml`` and the clock skew from the answer's
``Date``); the recent log lines.

Each section runs on its own: a crashing module, a missing network or a
broken settings file is recorded in its section and the bundle is still
written. Every text in the bundle passes :func:`signer_app.logs.redact`
(registered secrets and secret-looking patterns) on the way out, the log
lines included, although the log handlers masked them when they were
written: a line written by an older version, or a secret registered only
now, is masked too. Nothing here asks for, reads or registers a secret: no
PIN, no web-service password, no keyring, no private key object.

TLS interception is told from the two verifications: a chain the operating
system trusts but Mozilla's bundle (certifi) does not is what a corporate
TLS-inspecting proxy or an antivirus "HTTPS scanning" produces (its root is
installed in the system store only). A portal with a company-private CA
looks the same, so the verdict says "likely", and names the product when the
issuer gives it away.

Modules: :mod:`.bundle` (collecting and writing), :mod:`.system`,
:mod:`.network`, :mod:`.tokens`, :mod:`.logfiles` (the sections),
:mod:`.render` (``report.txt``) and :mod:`._common`.
"""

from __future__ import annotations

from signer_app.diagnose._common import (
    CLOCK_SKEW_LIMIT,
    DEFAULT_LOG_LINES,
    DEFAULT_NETWORK_TIMEOUT,
    HEALTH_PATH,
)
from signer_app.diagnose.bundle import (
    REPORT_FORMAT,
    SupportBundle,
    collect_report,
    write_support_bundle,
)
from signer_app.diagnose.network import clock_skew, mask_proxy_url
from signer_app.diagnose.render import render_report

__all__ = [
    "CLOCK_SKEW_LIMIT",
    "DEFAULT_LOG_LINES",
    "DEFAULT_NETWORK_TIMEOUT",
    "HEALTH_PATH",
    "REPORT_FORMAT",
    "SupportBundle",
    "clock_skew",
    "collect_report",
    "mask_proxy_url",
    "render_report",
    "write_support_bundle",
]
