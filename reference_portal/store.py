"""The portal's SQLite database: one file, WAL, one connection guarded by one lock.

The server's threads (request handlers, the scheduler) share a
:class:`Store`. Every read-modify-write happens inside
:meth:`Store.transaction`, which holds the lock and an ``IMMEDIATE``
transaction, so no two threads interleave their changes. The functions below
take the connection a transaction yields; rows come back as frozen
dataclasses.

Moments are stored as text by :func:`reference_portal.clock.to_db` (UTC,
fixed width), so that comparing the text compares the times.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from reference_portal.clock import from_db, to_db
from reference_portal.model import Opening, OpeningMode, Operation, PortalStatus

__all__ = [
    "ActivationRow",
    "CompanyRow",
    "ContractRow",
    "IdempotencyRecord",
    "NotificationRow",
    "ServiceRow",
    "Store",
    "SubmissionRow",
    "activation",
    "activations",
    "add_notification",
    "company",
    "contract",
    "delete_expired_sessions",
    "delete_session",
    "due_submissions",
    "first_acceptance",
    "gib_account_active",
    "idempotency_record",
    "insert_activation",
    "insert_company",
    "insert_contract",
    "insert_idempotency_record",
    "insert_service",
    "insert_session",
    "insert_submission",
    "notifications",
    "password_of",
    "service",
    "services",
    "session_company",
    "set_gib_account",
    "submission_for",
    "update",
]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS companies (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    given_name TEXT,
    family_name TEXT,
    email TEXT,
    password_salt BLOB NOT NULL,
    password_hash BLOB NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    gib_application_filed INTEGER NOT NULL,
    alias_gb TEXT,
    alias_pk TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS services (
    company_id TEXT NOT NULL REFERENCES companies(id),
    service_id TEXT NOT NULL,
    status TEXT NOT NULL,
    opening_mode TEXT,
    opening_at TEXT,
    activation_date TEXT,
    activation_id TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, service_id)
);
CREATE TABLE IF NOT EXISTS contracts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS activations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies(id),
    service_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    opening_mode TEXT NOT NULL,
    opening_at TEXT,
    status TEXT NOT NULL,
    gib_code INTEGER,
    gib_text TEXT,
    document BLOB NOT NULL,
    document_sha256 TEXT NOT NULL,
    signed_document BLOB,
    signed_sha256 TEXT,
    upload_reference TEXT,
    received_at TEXT,
    contract_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activations_by_company ON activations (company_id, seq);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    company_id TEXT NOT NULL,
    key TEXT NOT NULL,
    activation_id TEXT NOT NULL REFERENCES activations(id),
    body_sha256 TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (company_id, key)
);
CREATE TABLE IF NOT EXISTS gib_submissions (
    id TEXT PRIMARY KEY,
    activation_id TEXT NOT NULL REFERENCES activations(id),
    envelope BLOB NOT NULL,
    submitted_at TEXT NOT NULL,
    code INTEGER NOT NULL,
    text TEXT NOT NULL,
    detail TEXT,
    next_step_at TEXT,
    final INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS gib_accounts (
    company_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (company_id, service_id)
);
CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
);
"""

# Columns ``update`` may set, per table: names never come from requests, but
# the list keeps a typo from turning into SQL.
_UPDATABLE: Final[dict[str, frozenset[str]]] = {
    "companies": frozenset({"failed_attempts", "locked_until", "gib_application_filed"}),
    "services": frozenset(
        {"status", "opening_mode", "opening_at", "activation_date", "activation_id", "updated_at"}
    ),
    "activations": frozenset(
        {
            "status",
            "gib_code",
            "gib_text",
            "signed_document",
            "signed_sha256",
            "upload_reference",
            "received_at",
            "updated_at",
        }
    ),
    "gib_submissions": frozenset({"code", "text", "detail", "next_step_at", "final"}),
}
_KEYS: Final = {
    "companies": ("id",),
    "services": ("company_id", "service_id"),
    "activations": ("id",),
    "gib_submissions": ("id",),
}


class Store:
    """The portal's database.

    :param path: the SQLite file; created with its tables when missing.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._connection = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=10.0
        )
        self._connection.row_factory = sqlite3.Row
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._connection.execute("PRAGMA busy_timeout=10000")
            self._connection.executescript(_SCHEMA)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (after this the store cannot be used)."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and one ``IMMEDIATE`` transaction; commit on success.

        Nested uses join the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._connection
                finally:
                    self._depth -= 1
                return
            self._connection.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            else:
                self._connection.execute("COMMIT")
            finally:
                self._depth = 0

    def get_setting(self, name: str) -> str | None:
        """A setting written by :meth:`set_setting` (e.g. ``portal_url``), or ``None``."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row["value"])

    def set_setting(self, name: str, value: str) -> None:
        """Remember a setting (the portal URL, the integrator seal's files …)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )


def _time(value: object) -> datetime | None:
    return None if value is None else from_db(str(value))


def _required_time(value: object) -> datetime:
    return from_db(str(value))


def update(db: sqlite3.Connection, table: str, key: tuple[str, ...], **fields: object) -> None:
    """Set ``fields`` of the row of ``table`` whose key columns equal ``key``.

    Datetimes are written with :func:`~reference_portal.clock.to_db`, enums by value.
    """
    allowed = _UPDATABLE[table]
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)} of {table}")
    values = [_column_value(value) for value in fields.values()]
    assignments = ", ".join(f"{name} = ?" for name in fields)
    condition = " AND ".join(f"{name} = ?" for name in _KEYS[table])
    db.execute(f"UPDATE {table} SET {assignments} WHERE {condition}", [*values, *key])  # noqa: S608


def _column_value(value: object) -> object:
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, PortalStatus):
        return value.value
    if isinstance(value, bool):
        return int(value)
    return value


# --- companies ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyRow:
    """A customer company (or a person holding a TCKN) of the integrator."""

    id: str
    title: str
    given_name: str | None
    family_name: str | None
    email: str | None
    failed_attempts: int
    locked_until: datetime | None
    gib_application_filed: bool
    alias_gb: str | None
    alias_pk: str | None


def company(db: sqlite3.Connection, company_id: str) -> CompanyRow | None:
    """The company with this VKN/TCKN, or ``None``."""
    row = db.execute("SELECT * FROM companies WHERE id = ?", (company_id,)).fetchone()
    if row is None:
        return None
    return CompanyRow(
        id=row["id"],
        title=row["title"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        email=row["email"],
        failed_attempts=int(row["failed_attempts"]),
        locked_until=_time(row["locked_until"]),
        gib_application_filed=bool(row["gib_application_filed"]),
        alias_gb=row["alias_gb"],
        alias_pk=row["alias_pk"],
    )


def insert_company(
    db: sqlite3.Connection,
    row: CompanyRow,
    *,
    password_salt: bytes,
    password_hash: bytes,
) -> None:
    """Add a company with its password's salt and scrypt hash."""
    db.execute(
        "INSERT INTO companies (id, title, given_name, family_name, email, password_salt, "
        "password_hash, failed_attempts, locked_until, gib_application_filed, alias_gb, alias_pk) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.id,
            row.title,
            row.given_name,
            row.family_name,
            row.email,
            password_salt,
            password_hash,
            row.failed_attempts,
            None if row.locked_until is None else to_db(row.locked_until),
            int(row.gib_application_filed),
            row.alias_gb,
            row.alias_pk,
        ),
    )


def password_of(db: sqlite3.Connection, company_id: str) -> tuple[bytes, bytes] | None:
    """The company's password salt and hash, or ``None`` for an unknown company."""
    row = db.execute(
        "SELECT password_salt, password_hash FROM companies WHERE id = ?", (company_id,)
    ).fetchone()
    return None if row is None else (bytes(row["password_salt"]), bytes(row["password_hash"]))


# --- sessions -----------------------------------------------------------------------------


def insert_session(
    db: sqlite3.Connection,
    token_sha256: str,
    company_id: str,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    """Remember a session by its token's hash (the token itself is never stored)."""
    db.execute(
        "INSERT INTO sessions (token_sha256, company_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?)",
        (token_sha256, company_id, to_db(created_at), to_db(expires_at)),
    )


def session_company(db: sqlite3.Connection, token_sha256: str, now: datetime) -> str | None:
    """The company of a session that has not expired at ``now``, or ``None``."""
    row = db.execute(
        "SELECT company_id FROM sessions WHERE token_sha256 = ? AND expires_at > ?",
        (token_sha256, to_db(now)),
    ).fetchone()
    return None if row is None else str(row["company_id"])


def delete_session(db: sqlite3.Connection, token_sha256: str) -> None:
    """End a session."""
    db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (token_sha256,))


def delete_expired_sessions(db: sqlite3.Connection, now: datetime) -> None:
    """Forget sessions that have expired at ``now``."""
    db.execute("DELETE FROM sessions WHERE expires_at <= ?", (to_db(now),))


# --- services ("Hizmetlerim") ---------------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    """One service a company bought, as the "Hizmetlerim" page lists it."""

    company_id: str
    service_id: str
    status: PortalStatus
    opening: Opening | None
    activation_date: datetime | None
    activation_id: str | None
    updated_at: datetime


def _service(row: sqlite3.Row) -> ServiceRow:
    mode: OpeningMode | None = row["opening_mode"]
    return ServiceRow(
        company_id=row["company_id"],
        service_id=row["service_id"],
        status=PortalStatus(row["status"]),
        opening=None if mode is None else Opening(mode, _time(row["opening_at"])),
        activation_date=_time(row["activation_date"]),
        activation_id=row["activation_id"],
        updated_at=_required_time(row["updated_at"]),
    )


def service(db: sqlite3.Connection, company_id: str, service_id: str) -> ServiceRow | None:
    """The company's entry for one service, or ``None`` if it never bought it."""
    row = db.execute(
        "SELECT * FROM services WHERE company_id = ? AND service_id = ?", (company_id, service_id)
    ).fetchone()
    return None if row is None else _service(row)


def insert_service(
    db: sqlite3.Connection,
    company_id: str,
    service_id: str,
    status: PortalStatus,
    updated_at: datetime,
) -> None:
    """Add a service the company bought, in ``status``."""
    db.execute(
        "INSERT INTO services (company_id, service_id, status, updated_at) VALUES (?, ?, ?, ?)",
        (company_id, service_id, status.value, to_db(updated_at)),
    )


def services(db: sqlite3.Connection, company_id: str) -> list[ServiceRow]:
    """Every service of the company, in the order they were added."""
    rows = db.execute(
        "SELECT * FROM services WHERE company_id = ? ORDER BY rowid", (company_id,)
    ).fetchall()
    return [_service(row) for row in rows]


# --- activations ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActivationRow:
    """One service to open or close, with its documents and status."""

    seq: int
    id: str
    company_id: str
    service_id: str
    operation: Operation
    opening: Opening
    status: PortalStatus
    gib_code: int | None
    gib_text: str | None
    document: bytes
    document_sha256: str
    signed_document: bytes | None
    signed_sha256: str | None
    upload_reference: str | None
    received_at: datetime | None
    contract_id: str | None
    created_at: datetime
    updated_at: datetime


def _activation(row: sqlite3.Row) -> ActivationRow:
    return ActivationRow(
        seq=int(row["seq"]),
        id=row["id"],
        company_id=row["company_id"],
        service_id=row["service_id"],
        operation=row["operation"],
        opening=Opening(row["opening_mode"], _time(row["opening_at"])),
        status=PortalStatus(row["status"]),
        gib_code=row["gib_code"],
        gib_text=row["gib_text"],
        document=bytes(row["document"]),
        document_sha256=row["document_sha256"],
        signed_document=None if row["signed_document"] is None else bytes(row["signed_document"]),
        signed_sha256=row["signed_sha256"],
        upload_reference=row["upload_reference"],
        received_at=_time(row["received_at"]),
        contract_id=row["contract_id"],
        created_at=_required_time(row["created_at"]),
        updated_at=_required_time(row["updated_at"]),
    )


def activation(db: sqlite3.Connection, activation_id: str) -> ActivationRow | None:
    """The activation with this id, or ``None``."""
    row = db.execute("SELECT * FROM activations WHERE id = ?", (activation_id,)).fetchone()
    return None if row is None else _activation(row)


def insert_activation(db: sqlite3.Connection, row: ActivationRow) -> None:
    """Add a new activation (``row.seq`` is ignored: the database numbers it)."""
    db.execute(
        "INSERT INTO activations (id, company_id, service_id, operation, opening_mode, "
        "opening_at, status, gib_code, gib_text, document, document_sha256, contract_id, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.id,
            row.company_id,
            row.service_id,
            row.operation,
            row.opening.mode,
            None if row.opening.at is None else to_db(row.opening.at),
            row.status.value,
            row.gib_code,
            row.gib_text,
            row.document,
            row.document_sha256,
            row.contract_id,
            to_db(row.created_at),
            to_db(row.updated_at),
        ),
    )


def activations(
    db: sqlite3.Connection,
    *,
    company_id: str | None = None,
    statuses: tuple[PortalStatus, ...] | None = None,
) -> list[ActivationRow]:
    """Activations, oldest first, of one company and/or in some statuses."""
    conditions: list[str] = []
    arguments: list[object] = []
    if company_id is not None:
        conditions.append("company_id = ?")
        arguments.append(company_id)
    if statuses is not None:
        if not statuses:
            return []
        conditions.append(f"status IN ({', '.join('?' for _ in statuses)})")
        arguments.extend(status.value for status in statuses)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = db.execute(f"SELECT * FROM activations {where} ORDER BY seq", arguments).fetchall()  # noqa: S608
    return [_activation(row) for row in rows]


# --- idempotency keys --------------------------------------------------------------------


@dataclass(frozen=True)
class IdempotencyRecord:
    """The first result of an upload, kept under the client's Idempotency-Key."""

    company_id: str
    key: str
    activation_id: str
    body_sha256: str
    response_status: int
    response_body: str


def idempotency_record(
    db: sqlite3.Connection, company_id: str, key: str
) -> IdempotencyRecord | None:
    """The result stored under the company's key, or ``None``."""
    row = db.execute(
        "SELECT * FROM idempotency_keys WHERE company_id = ? AND key = ?", (company_id, key)
    ).fetchone()
    if row is None:
        return None
    return IdempotencyRecord(
        company_id=row["company_id"],
        key=row["key"],
        activation_id=row["activation_id"],
        body_sha256=row["body_sha256"],
        response_status=int(row["response_status"]),
        response_body=row["response_body"],
    )


def first_acceptance(db: sqlite3.Connection, activation_id: str) -> IdempotencyRecord | None:
    """The stored result of the upload that was accepted first for an activation."""
    row = db.execute(
        "SELECT key, company_id FROM idempotency_keys WHERE activation_id = ? "
        "ORDER BY created_at, rowid LIMIT 1",
        (activation_id,),
    ).fetchone()
    return None if row is None else idempotency_record(db, row["company_id"], row["key"])


def insert_idempotency_record(
    db: sqlite3.Connection, record: IdempotencyRecord, created_at: datetime
) -> None:
    """Keep an upload's result under its key."""
    db.execute(
        "INSERT INTO idempotency_keys (company_id, key, activation_id, body_sha256, "
        "response_status, response_body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            record.company_id,
            record.key,
            record.activation_id,
            record.body_sha256,
            record.response_status,
            record.response_body,
            to_db(created_at),
        ),
    )


# --- GİB submissions --------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    """One ``USERENVELOPE`` sent to the simulated GİB and where GİB is with it."""

    id: str
    activation_id: str
    envelope: bytes
    submitted_at: datetime
    code: int
    text: str
    detail: str | None
    next_step_at: datetime | None
    final: bool


def _submission(row: sqlite3.Row) -> SubmissionRow:
    return SubmissionRow(
        id=row["id"],
        activation_id=row["activation_id"],
        envelope=bytes(row["envelope"]),
        submitted_at=_required_time(row["submitted_at"]),
        code=int(row["code"]),
        text=row["text"],
        detail=row["detail"],
        next_step_at=_time(row["next_step_at"]),
        final=bool(row["final"]),
    )


def submission_for(db: sqlite3.Connection, activation_id: str) -> SubmissionRow | None:
    """The latest envelope sent to GİB for an activation, or ``None``."""
    row = db.execute(
        "SELECT * FROM gib_submissions WHERE activation_id = ? ORDER BY rowid DESC LIMIT 1",
        (activation_id,),
    ).fetchone()
    return None if row is None else _submission(row)


def insert_submission(db: sqlite3.Connection, row: SubmissionRow) -> None:
    """Record an envelope handed to the simulated GİB."""
    db.execute(
        "INSERT INTO gib_submissions (id, activation_id, envelope, submitted_at, code, text, "
        "detail, next_step_at, final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.id,
            row.activation_id,
            row.envelope,
            to_db(row.submitted_at),
            row.code,
            row.text,
            row.detail,
            None if row.next_step_at is None else to_db(row.next_step_at),
            int(row.final),
        ),
    )


def gib_account_active(db: sqlite3.Connection, company_id: str, service_id: str) -> bool:
    """Whether GİB's user list has the company's account for the service."""
    row = db.execute(
        "SELECT active FROM gib_accounts WHERE company_id = ? AND service_id = ?",
        (company_id, service_id),
    ).fetchone()
    return row is not None and bool(row["active"])


def set_gib_account(
    db: sqlite3.Connection, company_id: str, service_id: str, *, active: bool, at: datetime
) -> None:
    """Open or close the company's account for the service in GİB's user list."""
    db.execute(
        "INSERT INTO gib_accounts (company_id, service_id, active, changed_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (company_id, service_id) DO UPDATE SET active = excluded.active, "
        "changed_at = excluded.changed_at",
        (company_id, service_id, int(active), to_db(at)),
    )


def due_submissions(db: sqlite3.Connection, now: datetime) -> list[SubmissionRow]:
    """Envelopes GİB has not finished whose next step is due at ``now``."""
    rows = db.execute(
        "SELECT * FROM gib_submissions WHERE final = 0 AND next_step_at <= ? ORDER BY rowid",
        (to_db(now),),
    ).fetchall()
    return [_submission(row) for row in rows]


# --- contracts and notifications --------------------------------------------------------


@dataclass(frozen=True)
class ContractRow:
    """A contract file (``*.aktivasyon``) the portal issued."""

    id: str
    company_id: str
    issued_at: datetime
    expires_at: datetime
    body: bytes


def insert_contract(db: sqlite3.Connection, row: ContractRow) -> None:
    """Keep a contract file so that it can be downloaded again."""
    db.execute(
        "INSERT INTO contracts (id, company_id, issued_at, expires_at, body) "
        "VALUES (?, ?, ?, ?, ?)",
        (row.id, row.company_id, to_db(row.issued_at), to_db(row.expires_at), row.body),
    )


def contract(db: sqlite3.Connection, contract_id: str) -> ContractRow | None:
    """The contract with this id, or ``None``."""
    row = db.execute("SELECT * FROM contracts WHERE id = ?", (contract_id,)).fetchone()
    if row is None:
        return None
    return ContractRow(
        id=row["id"],
        company_id=row["company_id"],
        issued_at=_required_time(row["issued_at"]),
        expires_at=_required_time(row["expires_at"]),
        body=bytes(row["body"]),
    )


@dataclass(frozen=True)
class NotificationRow:
    """An e-mail the portal would have sent to the company."""

    seq: int
    company_id: str
    sent_at: datetime
    subject: str
    body: str


def add_notification(
    db: sqlite3.Connection, company_id: str, sent_at: datetime, subject: str, body: str
) -> None:
    """Record an e-mail that would be sent to the company."""
    db.execute(
        "INSERT INTO notifications (company_id, sent_at, subject, body) VALUES (?, ?, ?, ?)",
        (company_id, to_db(sent_at), subject, body),
    )


def notifications(db: sqlite3.Connection, company_id: str) -> list[NotificationRow]:
    """The company's notifications, oldest first."""
    rows = db.execute(
        "SELECT * FROM notifications WHERE company_id = ? ORDER BY seq", (company_id,)
    ).fetchall()
    return [
        NotificationRow(
            seq=int(row["seq"]),
            company_id=row["company_id"],
            sent_at=_required_time(row["sent_at"]),
            subject=row["subject"],
            body=row["body"],
        )
        for row in rows
    ]
