"""Bookkeeping shared by the backends: logged-in sessions and found keys per slot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from signer_app.token.errors import KeyNotFoundError, LoginRequiredError

__all__ = ["SessionTable"]

_log = logging.getLogger(__name__)


class SessionTable:
    """One logged-in session per slot, and the private keys already looked up in it.

    The binding's session and key objects are opaque here (``Any``).
    """

    def __init__(self, module_path: str) -> None:
        """Start empty for ``module_path``."""
        self._path = module_path
        self._sessions: dict[int, Any] = {}
        self._keys: dict[tuple[int, bytes], Any] = {}

    @property
    def module_path(self) -> str:
        """The loaded module file."""
        return self._path

    def is_logged_in(self, slot_id: int) -> bool:
        """Whether a logged-in session is held for the slot."""
        return slot_id in self._sessions

    def _held(self, slot_id: int) -> Any | None:
        return self._sessions.get(slot_id)

    def _hold(self, slot_id: int, session: Any) -> None:
        self._sessions[slot_id] = session

    def _session(self, slot_id: int) -> Any:
        session = self._sessions.get(slot_id)
        if session is None:
            raise LoginRequiredError("not logged in", slot_id=slot_id)
        return session

    def _release(self, slot_id: int) -> Any | None:
        """Forget the slot's session and keys; return the session for closing."""
        self._keys = {k: v for k, v in self._keys.items() if k[0] != slot_id}
        return self._sessions.pop(slot_id, None)

    def _forget_all(self) -> None:
        self._sessions.clear()
        self._keys.clear()

    def _held_slots(self) -> list[int]:
        return list(self._sessions)

    def _key(self, slot_id: int, key_id: bytes, find: Callable[[], list[Any]]) -> Any:
        """The private key with ``CKA_ID`` ``key_id``, looked up once per session."""
        key = self._keys.get((slot_id, key_id))
        if key is None:
            found = find()
            if not found:
                raise KeyNotFoundError("no private key with this CKA_ID", key_id=key_id.hex())
            if len(found) > 1:
                _log.warning("%d private keys share CKA_ID %s", len(found), key_id.hex())
            key = self._keys[(slot_id, key_id)] = found[0]
        return key

    def _drop_key(self, slot_id: int, key_id: bytes) -> None:
        self._keys.pop((slot_id, key_id), None)
