"""Companies, web-service passwords, lock-out and sessions.

Passwords are kept as scrypt hashes with a salt per company; session tokens
as SHA-256 hashes. Neither a password nor a token is ever logged, stored in
clear or put into an exception.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from reference_portal import store as db_rows
from reference_portal.model import PortalStatus
from reference_portal.store import CompanyRow, Store
from signer_app.envelope.services import ALIAS_MAX_LENGTH, ALIAS_PATTERN, SERVICES

__all__ = [
    "LOCK_DURATION",
    "MAX_FAILED_ATTEMPTS",
    "SESSION_LIFETIME",
    "AccountLockedError",
    "InvalidCredentialsError",
    "Session",
    "authenticate",
    "create_company",
    "log_in",
    "log_out",
    "token_hash",
]

#: Wrong passwords in a row that lock the account.
MAX_FAILED_ATTEMPTS: Final = 5
#: How long a locked account stays locked.
LOCK_DURATION: Final = timedelta(minutes=15)
#: How long a session lasts from its login.
SESSION_LIFETIME: Final = timedelta(minutes=30)

_SCRYPT_N: Final = 2**14
_SCRYPT_R: Final = 8
_SCRYPT_P: Final = 1
_HASH_BYTES: Final = 32
_TAX_ID: Final = re.compile(r"[0-9]{10}|[0-9]{11}")
_MAX_TITLE: Final = 256
_SERVICE_IDS: Final = frozenset(service.id for service in SERVICES)
# Compared against when the user is unknown, so that the answer takes as long.
_DUMMY_SALT: Final = secrets.token_bytes(16)


class InvalidCredentialsError(Exception):
    """The VKN/TCKN or the password is wrong."""


class AccountLockedError(Exception):
    """Too many wrong passwords: the account is locked until :attr:`until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__("the account is locked")
        self.until = until


@dataclass(frozen=True)
class Session:
    """A new session; :attr:`token` is secret and stays out of reprs."""

    token: str
    expires_at: datetime
    company: CompanyRow

    def __repr__(self) -> str:
        return f"Session(company={self.company.id!r}, expires_at={self.expires_at!r})"


def _hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=_SCRYPT_N,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        dklen=_HASH_BYTES,
    )


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_alias(alias: str | None, what: str) -> None:
    if alias is not None and (len(alias) > ALIAS_MAX_LENGTH or not ALIAS_PATTERN.match(alias)):
        raise ValueError(f"{what} is not an alias GİB accepts (urn:…)")


def create_company(
    store: Store,
    company_id: str,
    title: str,
    password: str,
    *,
    now: datetime,
    gib_application_filed: bool = True,
    alias_gb: str | None = None,
    alias_pk: str | None = None,
    services: Iterable[str] = (),
    active_services: Iterable[str] = (),
    given_name: str | None = None,
    family_name: str | None = None,
    email: str | None = None,
) -> CompanyRow:
    """Add a customer of the integrator.

    :param company_id: the 10-digit VKN or 11-digit TCKN (the login name).
    :param title: the company title (for a person, the full name).
    :param password: the web-service password.
    :param now: when the company is added.
    :param gib_application_filed: the company has filed GİB's e-Fatura
        application (without it GİB refuses to open e-Fatura: 1182).
    :param alias_gb: the sender alias (gönderici birim etiketi) for e-Fatura/e-İrsaliye.
    :param alias_pk: the mailbox alias (posta kutusu etiketi).
    :param services: services bought and waiting for activation (Aktivasyon Bekliyor).
    :param active_services: services already active (also in GİB's user list).
    :param given_name: a TCKN holder's first name (required for a TCKN).
    :param family_name: a TCKN holder's surname (required for a TCKN).
    :param email: where the portal would send its e-mails.
    :raises ValueError: an argument the portal cannot use.
    """
    if not _TAX_ID.fullmatch(company_id):
        raise ValueError("company_id must be a 10-digit VKN or an 11-digit TCKN")
    if not title.strip() or len(title) > _MAX_TITLE:
        raise ValueError(f"title must be 1 to {_MAX_TITLE} characters")
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in title):
        # The contract file carries the title; clients refuse control and bidi characters.
        raise ValueError("title must not contain control or formatting characters")
    if not password:
        raise ValueError("password must not be empty")
    if len(company_id) == 11 and not (given_name and family_name):
        raise ValueError("a TCKN holder needs given_name and family_name")
    _check_alias(alias_gb, "alias_gb")
    _check_alias(alias_pk, "alias_pk")
    waiting, active = list(services), list(active_services)
    unknown = set(waiting + active) - _SERVICE_IDS
    if unknown:
        raise ValueError(f"unknown services: {sorted(unknown)}")
    if len(set(waiting + active)) != len(waiting) + len(active):
        raise ValueError("a service is listed twice")
    row = CompanyRow(
        id=company_id,
        title=title,
        given_name=given_name,
        family_name=family_name,
        email=email,
        failed_attempts=0,
        locked_until=None,
        gib_application_filed=gib_application_filed,
        alias_gb=alias_gb,
        alias_pk=alias_pk,
    )
    salt = secrets.token_bytes(16)
    password_hash = _hash_password(password, salt)
    with store.transaction() as db:
        db_rows.insert_company(db, row, password_salt=salt, password_hash=password_hash)
        for service_id in waiting:
            db_rows.insert_service(
                db, company_id, service_id, PortalStatus.AWAITING_ACTIVATION, now
            )
        for service_id in active:
            db_rows.insert_service(db, company_id, service_id, PortalStatus.ACTIVE, now)
            db_rows.update(
                db, "services", (company_id, service_id), activation_date=now, updated_at=now
            )
            db_rows.set_gib_account(db, company_id, service_id, active=True, at=now)
    return row


def log_in(store: Store, user: str, password: str, *, now: datetime) -> Session:
    """Check the web-service password and open a session.

    The fifth wrong password in a row locks the account for
    :data:`LOCK_DURATION`; while locked, no password is checked.

    :raises InvalidCredentialsError: unknown user or wrong password.
    :raises AccountLockedError: the account is locked (also on the wrong
        password that locks it).
    """
    with store.transaction() as db:
        found = db_rows.company(db, user)
        stored = db_rows.password_of(db, user)
    if found is None or stored is None:
        _hash_password(password, _DUMMY_SALT)
        raise InvalidCredentialsError
    if found.locked_until is not None and found.locked_until > now:
        raise AccountLockedError(found.locked_until)
    salt, expected = stored
    if not hmac.compare_digest(_hash_password(password, salt), expected):
        with store.transaction() as db:
            current = db_rows.company(db, user)
            assert current is not None
            # A lock that has run out starts a new count.
            expired = current.locked_until is not None and current.locked_until <= now
            attempts = (0 if expired else current.failed_attempts) + 1
            locked_until = now + LOCK_DURATION if attempts >= MAX_FAILED_ATTEMPTS else None
            db_rows.update(
                db,
                "companies",
                (user,),
                failed_attempts=0 if locked_until else attempts,
                locked_until=locked_until,
            )
        if locked_until is not None:
            raise AccountLockedError(locked_until)
        raise InvalidCredentialsError
    token = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    with store.transaction() as db:
        db_rows.update(db, "companies", (user,), failed_attempts=0, locked_until=None)
        db_rows.delete_expired_sessions(db, now)
        db_rows.insert_session(db, token_hash(token), user, now, expires_at)
        current = db_rows.company(db, user)
    assert current is not None
    return Session(token=token, expires_at=expires_at, company=current)


def authenticate(store: Store, token: str, *, now: datetime) -> CompanyRow | None:
    """The company of a live session token, or ``None``."""
    with store.transaction() as db:
        company_id = db_rows.session_company(db, token_hash(token), now)
        return None if company_id is None else db_rows.company(db, company_id)


def log_out(store: Store, token: str) -> None:
    """End the session of ``token``."""
    with store.transaction() as db:
        db_rows.delete_session(db, token_hash(token))
