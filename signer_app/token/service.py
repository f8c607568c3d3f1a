"""The token layer's one public service.

:class:`TokenService` finds and probes modules, lists slots and certificates
without a PIN, logs in, hands out ``cryptography`` key objects backed by the
card, and logs out. Each module runs behind one backend — in the token host
process by default, in this process for diagnostics and tests — and every
call to it is serialised.

Recovery rules: a removed card (or a lost session, or a device error) resets
the module's backend so that the next call enumerates afresh; a crashed or
hung host is restarted by the next call. Neither ever repeats a PIN.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from signer_app.certificates import CertificateInfo, CertificateParseError, parse_certificate
from signer_app.token.api import (
    BackendName,
    CertificateObject,
    SignMechanism,
    SlotInfo,
    TokenBackend,
)
from signer_app.token.catalogue import Catalogue, ModuleCandidate, ModuleSource, load_catalogue
from signer_app.token.errors import (
    KeyNotFoundError,
    MechanismNotSupportedError,
    PinConfirmationRequiredError,
    PinLockedError,
    PinPadUnavailableError,
    TokenNotPresentError,
    TokenRemovedError,
)
from signer_app.token.host import create_backend
from signer_app.token.host_client import HostedBackend, Timeouts
from signer_app.token.keys import TokenECPrivateKey, TokenRSAPrivateKey
from signer_app.token.pin import PinStatus
from signer_app.token.probe import ProbeResult, probe_module

__all__ = ["Isolation", "ServiceOptions", "TokenCertificate", "TokenKey", "TokenService"]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

#: A card-backed private key with the ``cryptography`` interface.
TokenKey = TokenRSAPrivateKey | TokenECPrivateKey


class Isolation(Enum):
    """Where vendor modules run."""

    #: In the token host process: a crash or hang cannot take the program down.
    PROCESS = "process"
    #: In this process: for diagnostics and tests only.
    IN_PROCESS = "inprocess"


@dataclass(frozen=True)
class ServiceOptions:
    """How the service drives modules."""

    backend: BackendName = BackendName.PKCS11
    isolation: Isolation = Isolation.PROCESS
    timeouts: Timeouts = field(default_factory=Timeouts)
    #: Command that starts a token host; default: this program's hidden command.
    host_command: Sequence[str] | None = None
    #: The host's environment; default: ours.
    host_env: Mapping[str, str] | None = None


@dataclass(frozen=True)
class TokenCertificate:
    """A certificate on a token, where it was found and what it says."""

    module: str
    slot_id: int
    object: CertificateObject
    #: None when the certificate could not be parsed (``parse_error`` says why).
    info: CertificateInfo | None
    parse_error: str | None = None

    @property
    def id(self) -> bytes:
        """``CKA_ID``, shared with the certificate's private key."""
        return self.object.id

    @property
    def label(self) -> str:
        """``CKA_LABEL``."""
        return self.object.label


class TokenService:
    """Modules, slots, certificates, login and signing keys; thread-safe."""

    def __init__(
        self,
        options: ServiceOptions | None = None,
        *,
        extra_modules: Sequence[tuple[str, ModuleSource]] = (),
        catalogue: Catalogue | None = None,
    ) -> None:
        """Create the service; no module is loaded until one is used.

        :param extra_modules: module paths from the command line, user settings
            and machine policy, in that order of precedence.
        """
        self.options = options or ServiceOptions()
        self._extra = list(extra_modules)
        self._catalogue = catalogue
        self._backends: dict[str, TokenBackend] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    # -- modules -----------------------------------------------------------

    def candidate_modules(self) -> list[ModuleCandidate]:
        """Modules worth trying on this machine, the default (AKİS) first among known ones."""
        catalogue = self._catalogue or load_catalogue()
        return catalogue.candidates(extra=self._extra)

    def add_module(self, path: str, source: ModuleSource = ModuleSource.BROWSED) -> None:
        """Add a module path chosen at run time ("Gözat…")."""
        self._extra.insert(0, (path, source))

    def _binding_for(self, path: str) -> BackendName:
        binding = self.options.backend
        quirks = (self._catalogue or load_catalogue()).quirks_for(path)
        if quirks.null_initialize_args and binding is BackendName.PYKCS11:
            # PyKCS11 1.5 always passes C_Initialize arguments (locking flags),
            # which AKİS answers with CKR_ARGUMENTS_BAD; python-pkcs11 passes NULL.
            _log.info("%s needs NULL C_Initialize arguments; using python-pkcs11", path)
            return BackendName.PKCS11
        return binding

    def _open_backend(self, path: str) -> TokenBackend:
        binding = self._binding_for(path)
        if self.options.isolation is Isolation.IN_PROCESS:
            return create_backend(path, binding)
        return HostedBackend(
            path,
            binding,
            timeouts=self.options.timeouts,
            command=self.options.host_command,
            env=self.options.host_env,
        )

    def _lock(self, path: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(path, threading.RLock())

    def _backend(self, path: str) -> TokenBackend:
        with self._lock(path):
            backend = self._backends.get(path)
            if backend is None:
                backend = self._backends[path] = self._open_backend(path)
            return backend

    def _run(self, path: str, call: Callable[[TokenBackend], _T]) -> _T:
        with self._lock(path):
            backend = self._backend(path)
            try:
                return call(backend)
            except TokenRemovedError:
                _log.info("card gone from %s; forgetting its sessions", path)
                backend.reset()
                raise

    def probe(self, path: str) -> ProbeResult:
        """Probe one module; a module that loads stays open for later use."""
        with self._lock(path):
            if path in self._backends:
                return probe_module(path, lambda _: self._backends[path])

            def open_and_keep(p: str) -> TokenBackend:
                backend = self._backends[p] = self._open_backend(p)
                return backend

            return probe_module(path, open_and_keep)

    def probe_all(
        self, *, existing_only: bool = False
    ) -> list[tuple[ModuleCandidate, ProbeResult]]:
        """Probe every candidate ("Kartımı bul")."""
        return [
            (candidate, self.probe(candidate.path))
            for candidate in self.candidate_modules()
            if candidate.exists or not existing_only
        ]

    def module_info(self, module: str) -> dict[str, str]:
        """``C_GetInfo`` of a module (manufacturer, description, versions)."""
        return self._run(module, lambda b: b.module_info())

    # -- slots and certificates ------------------------------------------

    def slots(self, module: str) -> list[SlotInfo]:
        """Every slot of the module with its token, read afresh."""
        return self._run(module, lambda b: b.slots())

    def slot(self, module: str, slot_id: int) -> SlotInfo:
        """One slot, read afresh.

        :raises TokenNotPresentError: when the slot is gone or holds no card.
        """
        for slot in self.slots(module):
            if slot.slot_id == slot_id:
                if not slot.token_present:
                    raise TokenNotPresentError("no card in the reader", slot_id=slot_id)
                return slot
        raise TokenNotPresentError("no such reader", slot_id=slot_id)

    def pin_status(self, module: str, slot_id: int) -> PinStatus:
        """The PIN state, read from the token flags before a PIN is asked for."""
        token = self.slot(module, slot_id).token
        assert token is not None
        return token.pin_status

    def certificates(self, module: str, slot_id: int) -> list[TokenCertificate]:
        """The token's certificates, parsed; no PIN needed."""
        objects = self._run(module, lambda b: b.certificates(slot_id))
        result = []
        # Bindings return objects in different orders; a stable one keeps lists calm.
        for obj in sorted(objects, key=lambda o: (o.label, o.id)):
            try:
                result.append(TokenCertificate(module, slot_id, obj, parse_certificate(obj.der)))
            except CertificateParseError as exc:
                result.append(TokenCertificate(module, slot_id, obj, None, exc.detail))
        return result

    # -- login and keys ----------------------------------------------------

    def login(
        self, module: str, slot_id: int, pin: str | None, *, confirm_final_try: bool = False
    ) -> None:
        """Log in once; ``pin=None`` uses the reader's PIN-pad.

        The PIN state is read first: a locked card is refused without
        touching it, and a last try must be confirmed by the caller. A
        failed login is never repeated here.

        :raises PinLockedError: the card is locked.
        :raises PinConfirmationRequiredError: one try is left and it was not confirmed.
        :raises PinIncorrectError: the PIN was wrong (with the state after it).
        :raises PinPadUnavailableError: no PIN given and the reader has no PIN-pad.
        """
        token = self.slot(module, slot_id).token
        assert token is not None
        if pin is None and not token.protected_authentication_path:
            raise PinPadUnavailableError("the reader has no PIN-pad", status=token.pin_status)
        status = token.pin_status
        if status is PinStatus.LOCKED:
            raise PinLockedError("the card reports its PIN locked", status=status)
        if status is PinStatus.FINAL_TRY and not confirm_final_try:
            raise PinConfirmationRequiredError("last PIN try", status=status)
        self._run(module, lambda b: b.login(slot_id, pin))

    def is_logged_in(self, module: str, slot_id: int) -> bool:
        """Whether the module's backend holds a login for the slot."""
        return self._run(module, lambda b: b.is_logged_in(slot_id))

    def logout(self, module: str, slot_id: int) -> None:
        """Log out of the slot (quietly when not logged in)."""
        if module in self._backends:
            self._run(module, lambda b: b.logout(slot_id))

    def private_key(self, certificate: TokenCertificate) -> TokenKey:
        """A ``cryptography`` private key that signs on the card with the certificate's key.

        :raises LoginRequiredError: when not logged in.
        :raises KeyNotFoundError: when no private key has the certificate's ``CKA_ID``.
        """
        module, slot_id, key_id = certificate.module, certificate.slot_id, certificate.id
        keys = self._run(module, lambda b: b.private_keys(slot_id))
        if not any(k.id == key_id for k in keys):
            raise KeyNotFoundError(
                "no private key pairs with this certificate", key_id=key_id.hex()
            )
        if certificate.info is None:
            raise KeyNotFoundError("the certificate cannot be read", key_id=key_id.hex())
        public = x509.load_der_x509_certificate(certificate.object.der).public_key()

        def sign(mechanism: SignMechanism, data: bytes) -> bytes:
            return self._run(module, lambda b: b.sign(slot_id, key_id, mechanism, data))

        if isinstance(public, rsa.RSAPublicKey):
            return TokenRSAPrivateKey(sign, public)
        if isinstance(public, ec.EllipticCurvePublicKey):
            return TokenECPrivateKey(sign, public)
        raise MechanismNotSupportedError(f"{type(public).__name__} keys are not supported")

    # -- shutdown ----------------------------------------------------------

    def release(self, module: str) -> None:
        """Close one module's backend (stopping its host)."""
        with self._lock(module):
            backend: Any = self._backends.pop(module, None)
            if backend is not None:
                backend.close()

    def close(self) -> None:
        """Close every backend; call before the program exits."""
        for module in list(self._backends):
            self.release(module)
