"""The local journal: every counter-signed document is written here before upload.

A document is recorded (state ``signed``) and committed to disk before the
upload starts; the upload is marked afterwards. After a crash, a pulled
cable or a server error, :meth:`Journal.pending` gives back exactly the
documents still to upload, each with the idempotency key it was first sent
with, so a repeated upload can never count twice at the portal.

SQLite in WAL mode with full synchronisation: a committed row survives a
power cut.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Final

from signer_app.paths import user_data_dir

__all__ = ["Journal", "JournalEntry", "JournalState", "default_journal_path"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS documents (
    portal_url TEXT NOT NULL,
    activation_id TEXT NOT NULL,
    company_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    service_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    issued_sha256 TEXT NOT NULL,
    signed_xml BLOB NOT NULL,
    idempotency_key TEXT NOT NULL,
    certificate TEXT NOT NULL,
    certificate_serial TEXT NOT NULL,
    state TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    uploaded_at TEXT,
    portal_reference TEXT,
    last_error TEXT,
    final_status TEXT,
    gib_code INTEGER,
    gib_text TEXT,
    PRIMARY KEY (portal_url, activation_id)
)
"""


_SELECT: Final = (
    "SELECT portal_url, activation_id, company_id, service_id, service_name, operation,"
    " issued_sha256, signed_xml, idempotency_key, certificate, certificate_serial, state,"
    " signed_at, uploaded_at, portal_reference, last_error, final_status, gib_code, gib_text"
    " FROM documents"
)


def default_journal_path() -> Path:
    """``journal.sqlite3`` in the user's data folder."""
    return user_data_dir() / "journal.sqlite3"


class JournalState(Enum):
    """Where a counter-signed document stands."""

    #: Signed and recorded; not (known to be) at the portal yet.
    SIGNED = "signed"
    UPLOADED = "uploaded"
    #: The portal refused it for good; the reason is in ``last_error``.
    REJECTED = "rejected"


@dataclass(frozen=True)
class JournalEntry:
    """One counter-signed document and what became of it."""

    portal_url: str
    activation_id: str
    company_id: str
    service_id: str
    service_name: str
    operation: str
    issued_sha256: str
    signed_xml: bytes
    idempotency_key: str
    certificate: str
    certificate_serial: str
    state: JournalState
    signed_at: datetime
    uploaded_at: datetime | None = None
    portal_reference: str | None = None
    last_error: str | None = None
    final_status: str | None = None
    gib_code: int | None = None
    gib_text: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class Journal:
    """The journal file; safe to share between threads of one process."""

    def __init__(self, path: Path | None = None) -> None:
        """Open (creating if needed) the journal at ``path``."""
        self.path = path or default_journal_path()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def record_signed(
        self,
        *,
        portal_url: str,
        activation_id: str,
        company_id: str,
        service_id: str,
        service_name: str,
        operation: str,
        issued_sha256: str,
        signed_xml: bytes,
        idempotency_key: str,
        certificate: str,
        certificate_serial: str,
    ) -> None:
        """Record a counter-signed document before it is uploaded (committed on return).

        :raises ValueError: the activation already has a journal entry.
        """
        with self._write() as db:
            try:
                db.execute(
                    "INSERT INTO documents (portal_url, activation_id, company_id, service_id,"
                    " service_name, operation, issued_sha256, signed_xml, idempotency_key,"
                    " certificate, certificate_serial, state, signed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        portal_url,
                        activation_id,
                        company_id,
                        service_id,
                        service_name,
                        operation,
                        issued_sha256,
                        signed_xml,
                        idempotency_key,
                        certificate,
                        certificate_serial,
                        JournalState.SIGNED.value,
                        _now(),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise ValueError(f"activation {activation_id} is already in the journal") from exc

    def mark_uploaded(self, portal_url: str, activation_id: str, reference: str) -> None:
        """The portal accepted the document."""
        with self._write() as db:
            db.execute(
                "UPDATE documents SET state = ?, uploaded_at = ?, portal_reference = ?,"
                " last_error = NULL WHERE portal_url = ? AND activation_id = ?",
                (JournalState.UPLOADED.value, _now(), reference, portal_url, activation_id),
            )

    def mark_failed_attempt(self, portal_url: str, activation_id: str, error: str) -> None:
        """An upload failed in a way worth retrying; the document stays pending."""
        with self._write() as db:
            db.execute(
                "UPDATE documents SET last_error = ? WHERE portal_url = ? AND activation_id = ?",
                (error, portal_url, activation_id),
            )

    def mark_rejected(self, portal_url: str, activation_id: str, error: str) -> None:
        """The portal refused the document for good."""
        with self._write() as db:
            db.execute(
                "UPDATE documents SET state = ?, last_error = ? WHERE portal_url = ?"
                " AND activation_id = ?",
                (JournalState.REJECTED.value, error, portal_url, activation_id),
            )

    def record_status(
        self,
        portal_url: str,
        activation_id: str,
        status: str,
        gib_code: int | None,
        gib_text: str | None,
    ) -> None:
        """Remember the latest portal status and GİB answer, for the receipt."""
        with self._write() as db:
            db.execute(
                "UPDATE documents SET final_status = ?, gib_code = ?, gib_text = ?"
                " WHERE portal_url = ? AND activation_id = ?",
                (status, gib_code, gib_text, portal_url, activation_id),
            )

    def _rows(self, where: str, args: tuple[object, ...]) -> list[JournalEntry]:
        # ``where`` is always one of the literal conditions of the methods below.
        query = f"{_SELECT} WHERE {where} ORDER BY signed_at, activation_id"
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        return [
            JournalEntry(
                portal_url=r[0],
                activation_id=r[1],
                company_id=r[2],
                service_id=r[3],
                service_name=r[4],
                operation=r[5],
                issued_sha256=r[6],
                signed_xml=bytes(r[7]),
                idempotency_key=r[8],
                certificate=r[9],
                certificate_serial=r[10],
                state=JournalState(r[11]),
                signed_at=datetime.fromisoformat(r[12]),
                uploaded_at=_time(r[13]),
                portal_reference=r[14],
                last_error=r[15],
                final_status=r[16],
                gib_code=r[17],
                gib_text=r[18],
            )
            for r in rows
        ]

    def entry(self, portal_url: str, activation_id: str) -> JournalEntry | None:
        """The entry of one activation, if any."""
        found = self._rows("portal_url = ? AND activation_id = ?", (portal_url, activation_id))
        return found[0] if found else None

    def pending(self, portal_url: str, company_id: str) -> list[JournalEntry]:
        """Signed documents of this company at this portal that still need uploading."""
        return self._rows(
            "portal_url = ? AND company_id = ? AND state = ?",
            (portal_url, company_id, JournalState.SIGNED.value),
        )

    def entries(self, portal_url: str, company_id: str) -> list[JournalEntry]:
        """Every entry of this company at this portal."""
        return self._rows("portal_url = ? AND company_id = ?", (portal_url, company_id))

    def receipts_csv(self, portal_url: str, company_id: str) -> str:
        """A receipt per activation, as CSV: service, time, certificate, reference, status."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "activation",
                "service",
                "operation",
                "signed_at",
                "uploaded_at",
                "certificate",
                "certificate_serial",
                "portal_reference",
                "status",
                "gib_code",
                "gib_text",
            ]
        )
        for e in self.entries(portal_url, company_id):
            writer.writerow(
                [
                    e.activation_id,
                    e.service_name,
                    e.operation,
                    e.signed_at.isoformat(),
                    e.uploaded_at.isoformat() if e.uploaded_at else "",
                    e.certificate,
                    e.certificate_serial,
                    e.portal_reference or "",
                    e.final_status or e.state.value,
                    "" if e.gib_code is None else e.gib_code,
                    e.gib_text or "",
                ]
            )
        return out.getvalue()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
