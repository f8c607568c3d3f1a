"""The PKCS#11 token layer (Qt-free).

Public API: :class:`~signer_app.token.service.TokenService` and the value
types it returns. Vendor modules run in a separate token host process by
default (:mod:`signer_app.token.host`); python-pkcs11 and PyKCS11 are the two
bindings behind one backend protocol (:mod:`signer_app.token.api`).
"""

from signer_app.token.api import BackendName, CertificateObject, SlotInfo, TokenInfo
from signer_app.token.pin import PinStatus

__all__ = ["BackendName", "CertificateObject", "PinStatus", "SlotInfo", "TokenInfo"]
