"""The integrator's side of a document: build it per GİB's service table and seal it.

For every activation the portal writes one ``ProcessUserAccount`` (open) or
``CancelUserAccount`` (close) for the company, shaped by
:data:`signer_app.envelope.services.SERVICES`: e-Fatura and e-İrsaliye carry
two ``UserAccount`` entries (role GB with the sender alias, role PK with the
mailbox alias); every other service one entry without role or alias. The
``UserOptionCode`` is the service's code for a private (ÖZEL) customer not
under VUK 507, e.g. 2 for e-Fatura and 22 for e-Arşiv, so the customer's
counter-signature is required. The integrator's test seal, a software key,
makes the main signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from reference_portal.model import Operation
from reference_portal.store import CompanyRow
from signer_app.certificates import parse_certificate
from signer_app.envelope.builder import AccountSpec, build_user_document
from signer_app.envelope.services import SERVICES, CustomerType, Sector, Service
from signer_app.envelope.signing import add_main_signature_bytes

__all__ = ["IntegratorSeal", "accounts_for", "issue_document", "option_code_for", "service_by_id"]

_PRIVATE = CustomerType(Sector.PRIVATE)
_BY_ID = {service.id: service for service in SERVICES}


@dataclass(frozen=True)
class IntegratorSeal:
    """The integrator's mali mühür: a software key and its certificate.

    :ivar vkn: the integrator's VKN, from the certificate (``oa:LogicalID``).
    :ivar title: the integrator's title, from the certificate's CN.
    """

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    vkn: str
    title: str

    def __repr__(self) -> str:
        return f"IntegratorSeal(vkn={self.vkn!r}, title={self.title!r})"

    @classmethod
    def from_key(cls, key: object, certificate: x509.Certificate) -> IntegratorSeal:
        """Make a seal from a key and its mali mühür certificate.

        :raises ValueError: the key is neither RSA nor EC, is not the
            certificate's, or the certificate carries no VKN/TCKN.
        """
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("the integrator's key must be RSA or EC")
        public = serialization.PublicFormat.SubjectPublicKeyInfo
        der = serialization.Encoding.DER
        if key.public_key().public_bytes(der, public) != certificate.public_key().public_bytes(
            der, public
        ):
            raise ValueError("the integrator's key does not belong to its certificate")
        info = parse_certificate(certificate.public_bytes(der))
        if info.tax_id is None:
            raise ValueError("the integrator's certificate carries no VKN/TCKN")
        return cls(key, certificate, info.tax_id, info.subject_cn or info.display_name)

    @classmethod
    def from_pem_files(cls, key_path: Path, cert_path: Path) -> IntegratorSeal:
        """Load the seal from an unencrypted PKCS#8 key and a certificate, both PEM.

        :raises OSError: a file cannot be read.
        :raises ValueError: the files are not such a key and certificate.
        """
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
        certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
        return cls.from_key(key, certificate)


def service_by_id(service_id: str) -> Service:
    """The service with this id (``efatura``, ``earsiv`` …).

    :raises KeyError: no such service.
    """
    return _BY_ID[service_id]


def option_code_for(service: Service) -> int:
    """The service's ``UserOptionCode`` for a private customer not under VUK 507."""
    return min(code for code, kind in service.option_codes.items() if kind == _PRIVATE)


def accounts_for(service: Service, company: CompanyRow) -> list[AccountSpec]:
    """The ``UserAccount`` entries GİB's rules ask for, for this service and company.

    :raises ValueError: the service needs aliases the company does not have.
    """
    if option_code_for(service) in service.role_required_codes:
        if company.alias_gb is None or company.alias_pk is None:
            raise ValueError(f"{service.name_tr} needs the company's GB and PK aliases")
        return [
            AccountSpec("GB", alias=company.alias_gb),
            AccountSpec("PK", alias=company.alias_pk),
        ]
    return [AccountSpec()]


def issue_document(
    seal: IntegratorSeal,
    company: CompanyRow,
    service_id: str,
    operation: Operation,
    *,
    now: datetime,
) -> bytes:
    """Write and seal the user-account document of one activation.

    :param seal: the integrator's seal (main signature, ``oa:LogicalID``).
    :param company: the customer (``UserID`` and names).
    :param service_id: the service to open or close.
    :param operation: ``open`` or ``close``.
    :param now: creation and signing time.
    :returns: the integrator-signed document, ready for the customer's counter-signature.
    :raises KeyError: unknown service.
    :raises ValueError: the company lacks what the document needs (aliases, names).
    """
    service = service_by_id(service_id)
    person = len(company.id) == 11
    unsigned = build_user_document(
        operation=operation,
        integrator_id=seal.vkn,
        customer_id=company.id,
        customer_name=None if person else company.title,
        given_name=company.given_name if person else None,
        family_name=company.family_name if person else None,
        option_code=option_code_for(service),
        accounts=accounts_for(service, company),
        created=now,
    )
    return add_main_signature_bytes(unsigned, seal.key, seal.certificate, signing_time=now)
