"""What a SoftHSM2 provisioning run produced, as data that survives a JSON round trip.

:func:`signer_app.testpki.softhsm.provision` writes a ``manifest.json`` next to
the tokens. Tests and the demo read it back with :meth:`Manifest.load` instead of
repeating the labels, PINs and key ids they need.

Paths are stored relative to the manifest's own directory when they lie inside
it, so a provisioned directory can be moved as a whole. The one exception is
``softhsm2.conf`` itself: SoftHSM wants an absolute ``directories.tokendir``, so
a moved directory needs a rewritten configuration (see
:func:`signer_app.testpki.softhsm.write_softhsm_conf`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, cast, get_args

__all__ = [
    "MANIFEST_FORMAT",
    "KeyTypeName",
    "Manifest",
    "ObjectKind",
    "ObjectSpec",
    "TokenSpec",
]

#: Bumped whenever the JSON layout changes incompatibly.
MANIFEST_FORMAT: Final = 1

#: What a certificate/key pair on a test token is for.
ObjectKind = Literal["seal", "encryption", "personal", "expired-seal"]

#: Key algorithm of a pair, named as the token layer reports it.
KeyTypeName = Literal["RSA", "EC"]

_KINDS: Final = frozenset(get_args(ObjectKind))
_KEY_TYPES: Final = frozenset(get_args(KeyTypeName))


@dataclass(frozen=True)
class ObjectSpec:
    """One key pair and its certificate, sharing a label and ``CKA_ID``."""

    #: ``CKA_LABEL`` of the private key, public key and certificate.
    label: str
    #: ``CKA_ID`` in lower-case hex; see :mod:`signer_app.testpki.softhsm` for how it is derived.
    id_hex: str
    kind: ObjectKind
    key_type: KeyTypeName
    #: Modulus length for RSA, field size for EC.
    key_bits: int
    #: Named curve (``"secp256r1"``, ``"secp384r1"``) for EC keys, ``None`` for RSA.
    curve: str | None
    #: The VKN (10 digits) or TCKN (11 digits) in the certificate subject's serialNumber.
    tax_id: str
    cert_pem_path: Path
    #: Customer ids (VKN/TCKN) this object may sign for at provisioning time: empty for
    #: encryption and expired certificates, which a client must never pick.
    usable_for: tuple[str, ...] = ()

    @property
    def id(self) -> bytes:
        """The ``CKA_ID`` as bytes."""
        return bytes.fromhex(self.id_hex)


@dataclass(frozen=True)
class TokenSpec:
    """One initialised SoftHSM token (one slot) and what was put on it."""

    label: str
    #: ``C_GetTokenInfo`` serial, read back after initialisation (SoftHSM picks it).
    serial: str
    # Throwaway test PINs, but a repr ends up in logs and assertion output.
    user_pin: str = field(repr=False)
    so_pin: str = field(repr=False)
    objects: tuple[ObjectSpec, ...] = ()

    def object(self, label: str) -> ObjectSpec:
        """Return the object with ``label``.

        :raises KeyError: when the token has no such object.
        """
        for obj in self.objects:
            if obj.label == label:
                return obj
        raise KeyError(label)


@dataclass(frozen=True)
class Manifest:
    """Everything a provisioning run created, with where it lives."""

    #: The ``softhsm2.conf`` to export as ``SOFTHSM2_CONF``.
    conf_path: Path
    #: The SoftHSM2 PKCS#11 module the tokens were made with.
    module_path: str
    tokens: tuple[TokenSpec, ...]
    #: PEM file of the mali mühür (seal) test CA certificate.
    seal_ca_pem: Path
    #: PEM file of the personal qualified e-signature (NES) test CA certificate.
    nes_ca_pem: Path
    #: PEM file of the integrator's software seal key (unencrypted PKCS#8).
    integrator_key_pem: Path
    #: PEM file of the integrator's seal certificate.
    integrator_cert_pem: Path
    created_at: datetime

    def token(self, label: str) -> TokenSpec:
        """Return the token with ``label``.

        :raises KeyError: when no token has that label.
        """
        for tok in self.tokens:
            if tok.label == label:
                return tok
        raise KeyError(label)

    def env(self) -> dict[str, str]:
        """Return the environment variables a process needs to see these tokens.

        SoftHSM reads ``SOFTHSM2_CONF`` once, in ``C_Initialize``; the variables
        must therefore be in place before the process loads the module.
        """
        return {"SOFTHSM2_CONF": str(self.conf_path)}

    def save(self, path: Path) -> None:
        """Write the manifest as JSON to ``path``."""
        base = path.parent.resolve()
        path.write_text(
            json.dumps(_manifest_to_json(self, base), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read a manifest written by :meth:`save`.

        :raises ValueError: when the file is not a manifest of a known format.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not JSON: {exc}") from exc
        try:
            return _manifest_from_json(data, path.parent.resolve())
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: not a test-token manifest: {exc!r}") from exc


def _rel(path: Path, base: Path) -> str:
    resolved = path.resolve()
    if resolved.is_relative_to(base):
        return resolved.relative_to(base).as_posix()
    return str(resolved)


def _abs(value: object, base: Path) -> Path:
    if not isinstance(value, str):
        raise TypeError(f"path must be a string, got {value!r}")
    path = Path(value)
    return path if path.is_absolute() else base / path


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _manifest_to_json(manifest: Manifest, base: Path) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "created_at": manifest.created_at.isoformat(),
        "conf_path": _rel(manifest.conf_path, base),
        "module_path": manifest.module_path,
        "seal_ca_pem": _rel(manifest.seal_ca_pem, base),
        "nes_ca_pem": _rel(manifest.nes_ca_pem, base),
        "integrator_key_pem": _rel(manifest.integrator_key_pem, base),
        "integrator_cert_pem": _rel(manifest.integrator_cert_pem, base),
        "tokens": [
            {
                "label": tok.label,
                "serial": tok.serial,
                "user_pin": tok.user_pin,
                "so_pin": tok.so_pin,
                "objects": [
                    {
                        "label": obj.label,
                        "id_hex": obj.id_hex,
                        "kind": obj.kind,
                        "key_type": obj.key_type,
                        "key_bits": obj.key_bits,
                        "curve": obj.curve,
                        "tax_id": obj.tax_id,
                        "cert_pem_path": _rel(obj.cert_pem_path, base),
                        "usable_for": list(obj.usable_for),
                    }
                    for obj in tok.objects
                ],
            }
            for tok in manifest.tokens
        ],
    }


def _object_from_json(data: dict[str, Any], base: Path) -> ObjectSpec:
    kind = _str(data["kind"])
    key_type = _str(data["key_type"])
    if kind not in _KINDS:
        raise ValueError(f"unknown object kind {kind!r}")
    if key_type not in _KEY_TYPES:
        raise ValueError(f"unknown key type {key_type!r}")
    curve = data["curve"]
    key_bits = data["key_bits"]
    if not isinstance(key_bits, int) or isinstance(key_bits, bool):
        raise TypeError(f"key_bits must be an integer, got {key_bits!r}")
    id_hex = _str(data["id_hex"])
    bytes.fromhex(id_hex)  # rejects a malformed id now rather than at first use
    return ObjectSpec(
        label=_str(data["label"]),
        id_hex=id_hex,
        kind=cast(ObjectKind, kind),
        key_type=cast(KeyTypeName, key_type),
        key_bits=key_bits,
        curve=None if curve is None else _str(curve),
        tax_id=_str(data["tax_id"]),
        cert_pem_path=_abs(data["cert_pem_path"], base),
        usable_for=tuple(_str(v) for v in data["usable_for"]),
    )


def _manifest_from_json(data: dict[str, Any], base: Path) -> Manifest:
    if data["format"] != MANIFEST_FORMAT:
        raise ValueError(f"unsupported manifest format {data['format']!r}")
    created_at = datetime.fromisoformat(_str(data["created_at"]))
    return Manifest(
        conf_path=_abs(data["conf_path"], base),
        module_path=_str(data["module_path"]),
        tokens=tuple(
            TokenSpec(
                label=_str(tok["label"]),
                serial=_str(tok["serial"]),
                user_pin=_str(tok["user_pin"]),
                so_pin=_str(tok["so_pin"]),
                objects=tuple(_object_from_json(obj, base) for obj in tok["objects"]),
            )
            for tok in data["tokens"]
        ),
        seal_ca_pem=_abs(data["seal_ca_pem"], base),
        nes_ca_pem=_abs(data["nes_ca_pem"], base),
        integrator_key_pem=_abs(data["integrator_key_pem"], base),
        integrator_cert_pem=_abs(data["integrator_cert_pem"], base),
        created_at=created_at,
    )
