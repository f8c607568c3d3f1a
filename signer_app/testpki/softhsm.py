"""Provision SoftHSM2 test tokens that look like a customer's smart cards.

:func:`provision` builds a self-contained directory: a ``softhsm2.conf``, the
token store, the fake CA certificates, the integrator's software seal and a
``manifest.json`` that describes it all (see :mod:`signer_app.testpki.manifest`).

Two process rules shape the code:

* SoftHSM reads ``SOFTHSM2_CONF`` once, in ``C_Initialize``, and python-pkcs11
  keeps one loaded module per process. Whatever touches the new tokens through
  PKCS#11 therefore runs in a child process started with the new
  configuration in its environment (``softhsm2-util`` for initialisation,
  :mod:`signer_app.testpki._softhsm_worker` for keys and certificates). The
  calling process (a pytest session, the demo) never loads SoftHSM here, so
  it stays free to load it later with whichever configuration it wants.
* Key pairs are generated *on* the token and never leave it, as on a real
  card; only the public half comes back to be certified.

``CKA_ID`` convention: SHA-1 over the contents of the ``subjectPublicKey`` BIT
STRING of the key's SubjectPublicKeyInfo, i.e. RFC 5280 §4.2.1.2 method (1).
For EC keys that is SHA-1 of the uncompressed point, as OpenSC does; for RSA
it hashes the DER ``RSAPublicKey`` rather than OpenSC's bare modulus. The
choice makes ``CKA_ID`` equal to the certificate's SubjectKeyIdentifier, so a
key, its certificate and the certificate's extension all carry the same id.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, TypedDict

from signer_app.testpki.manifest import (
    KeyTypeName,
    Manifest,
    ObjectKind,
    ObjectSpec,
    TokenSpec,
)
from signer_app.testpki.pki import (
    DEFAULT_NES_CA_NAME,
    DEFAULT_SEAL_CA_NAME,
    Identity,
    make_ca,
    make_software_identity,
    to_pem,
)

__all__ = [
    "CUSTOMER_ENCRYPTION_LABEL",
    "CUSTOMER_SEAL_LABEL",
    "CUSTOMER_TITLE",
    "CUSTOMER_VKN",
    "EXPIRED_LABEL",
    "INTEGRATOR_TITLE",
    "INTEGRATOR_VKN",
    "MANIFEST_NAME",
    "NES_CARD_LABEL",
    "NES_CARD_SO_PIN",
    "NES_CARD_USER_PIN",
    "PERSON_GIVEN_NAME",
    "PERSON_SIGN_LABEL",
    "PERSON_SURNAME",
    "PERSON_TCKN",
    "SEAL_CARD_2_LABEL",
    "SEAL_CARD_2_SO_PIN",
    "SEAL_CARD_2_USER_PIN",
    "SEAL_CARD_LABEL",
    "SEAL_CARD_SO_PIN",
    "SEAL_CARD_USER_PIN",
    "SECOND_SEAL_LABEL",
    "SECOND_TITLE",
    "SECOND_VKN",
    "WORKER_COMMAND",
    "ProvisioningError",
    "SoftHSMUnavailableError",
    "copy_tokens",
    "find_softhsm_module",
    "find_softhsm_util",
    "provision",
    "read_token_dir",
    "write_softhsm_conf",
]

# --- Who is on the tokens -------------------------------------------------------------
# Every VKN and the TCKN pass their official check-digit algorithms, so that
# client-side validation of a tax id cannot be what makes a test fail.

#: The customer company whose mali mühür counter-signs the integrator's documents.
CUSTOMER_VKN: Final = "1234567808"
CUSTOMER_TITLE: Final = "ÖRNEK İŞ ÇÖZÜMLERİ DAĞITIM ANONİM ŞİRKETİ"
#: A second company, so that "this card is not the customer's seal" can be tested.
#: Abbreviated because ``cryptography`` caps CN at 64 UTF-8 *bytes*, and each
#: Turkish letter takes two.
SECOND_VKN: Final = "9876543217"
SECOND_TITLE: Final = "GÜNEŞ ÇAĞDAŞ TEKSTİL SANAYİ VE TİCARET LTD. ŞTİ."
#: The integrator (özel entegratör), whose seal is a software key, not a token.
INTEGRATOR_VKN: Final = "3880038809"
INTEGRATOR_TITLE: Final = "TEST ENTEGRATÖR BİLİŞİM HİZMETLERİ A.Ş."
#: The natural person on the NES card.
PERSON_TCKN: Final = "10000000146"
PERSON_GIVEN_NAME: Final = "AYŞE"
PERSON_SURNAME: Final = "YILDIRIM"

# --- The tokens (each stands in for one smart card) --------------------------------------
# These PINs protect throwaway test tokens only; they are constants on purpose.

SEAL_CARD_LABEL: Final = "MALI MUHUR"
SEAL_CARD_USER_PIN: Final = "123456"
SEAL_CARD_SO_PIN: Final = "12345678"
NES_CARD_LABEL: Final = "NES KART"
NES_CARD_USER_PIN: Final = "654321"
NES_CARD_SO_PIN: Final = "87654321"
SEAL_CARD_2_LABEL: Final = "MALI MUHUR 2"
SEAL_CARD_2_USER_PIN: Final = "111111"
SEAL_CARD_2_SO_PIN: Final = "22222222"

# Real mali mühür cards label their pairs "<VKN>SIGN0" / "<VKN>ENCR0".
CUSTOMER_SEAL_LABEL: Final = f"{CUSTOMER_VKN}SIGN0"
CUSTOMER_ENCRYPTION_LABEL: Final = f"{CUSTOMER_VKN}ENCR0"
PERSON_SIGN_LABEL: Final = f"{PERSON_TCKN}SIGN0"
SECOND_SEAL_LABEL: Final = f"{SECOND_VKN}SIGN0"
EXPIRED_LABEL: Final = "EXPIRED"

#: File name of the manifest inside the output directory.
MANIFEST_NAME: Final = "manifest.json"

# Debian/Ubuntu first (the project's CI image), then other distributions,
# source builds, Homebrew and the Windows installer's default.
_MODULE_CANDIDATES: Final = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/lib/pkcs11/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
    "/usr/local/opt/softhsm/lib/softhsm/libsofthsm2.so",
    r"C:\SoftHSM2\lib\softhsm2-x64.dll",
)
_UTIL_CANDIDATES: Final = (r"C:\SoftHSM2\bin\softhsm2-util.exe",)
#: Overrides the module search, for systems that keep SoftHSM somewhere unusual.
_MODULE_ENV: Final = "SIGNER_APP_SOFTHSM_MODULE"

_WORKER_MODULE: Final = "signer_app.testpki._softhsm_worker"
#: The hidden command that runs the worker in the frozen program (``signer-app _softhsm-worker``).
WORKER_COMMAND: Final = "_softhsm-worker"


def _worker_command() -> list[str]:
    """Start the worker with this very program: ``python -m`` or the bundle's hidden command."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_COMMAND]
    return [sys.executable, "-m", _WORKER_MODULE]


# Generous: RSA key generation time varies a lot, and CI machines are slow.
_WORKER_TIMEOUT_S: Final = 120.0
_UTIL_TIMEOUT_S: Final = 30.0
_CA_AGE_YEARS: Final = 4
_RSA_2048: Final[tuple[KeyTypeName, int, str | None]] = ("RSA", 2048, None)


class SoftHSMUnavailableError(RuntimeError):
    """SoftHSM2 (its PKCS#11 module or ``softhsm2-util``) is not installed."""


class ProvisioningError(RuntimeError):
    """A step of provisioning the test tokens failed."""


# --- What the worker process receives and returns (JSON over stdin/stdout) -------------


class WorkerCA(TypedDict):
    """A CA the worker issues with, as PEM text."""

    cert_pem: str
    key_pem: str


class WorkerObject(TypedDict):
    """One key pair to generate on a token and certify."""

    label: str
    kind: ObjectKind
    key_type: KeyTypeName
    key_bits: int
    curve: str | None
    #: Key of ``WorkerSpec.cas`` naming the issuing CA.
    ca: str
    tax_id: str
    #: Company title for seals; ``""`` for a person.
    title: str
    locality: str
    given_name: str
    surname: str
    not_before: str
    not_after: str


class WorkerToken(TypedDict):
    """A freshly initialised token and what to put on it."""

    label: str
    user_pin: str
    objects: list[WorkerObject]


class WorkerSpec(TypedDict):
    """The whole job of one worker run."""

    module: str
    cas: dict[str, WorkerCA]
    tokens: list[WorkerToken]


class WorkerObjectResult(TypedDict):
    """What the worker made for one :class:`WorkerObject`."""

    label: str
    id_hex: str
    cert_pem: str


class WorkerTokenResult(TypedDict):
    """What the worker read and made on one token."""

    label: str
    serial: str
    objects: list[WorkerObjectResult]


class WorkerResult(TypedDict):
    """The worker's answer."""

    tokens: list[WorkerTokenResult]


# --- Discovery ------------------------------------------------------------------------


def find_softhsm_module() -> str | None:
    """Return the path of the SoftHSM2 PKCS#11 module, or ``None`` when not installed.

    The environment variable ``SIGNER_APP_SOFTHSM_MODULE``, when set to an
    existing file, wins over the built-in list of install locations.
    """
    override = os.environ.get(_MODULE_ENV)
    if override and Path(override).is_file():
        return override
    for candidate in _MODULE_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def find_softhsm_util() -> str | None:
    """Return the path of ``softhsm2-util``, or ``None`` when not installed."""
    found = shutil.which("softhsm2-util")
    if found:
        return found
    for candidate in _UTIL_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


# --- Provisioning ---------------------------------------------------------------------


def read_token_dir(conf_path: Path) -> Path:
    """Return the ``directories.tokendir`` of a SoftHSM2 configuration.

    :raises ValueError: when the configuration names no token directory.
    """
    for line in conf_path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == "directories.tokendir":
            return Path(value.strip())
    raise ValueError(f"{conf_path} sets no directories.tokendir")


def copy_tokens(manifest: Manifest, dest: Path) -> Manifest:
    """Copy the token store of ``manifest`` to ``dest`` with a configuration of its own.

    For tests that change tokens (PINs, objects) without disturbing the original.
    Certificates and keys outside the store are shared, not copied: nothing
    changes them. The copy's manifest is saved as ``dest / "manifest.json"``.

    SoftHSM binds to a configuration when it is loaded, so the copy is only
    seen by a process that loads the module with ``copy.env()`` in place.

    :param manifest: what to copy.
    :param dest: a directory that must not exist yet.
    :returns: the manifest of the copy.
    :raises FileExistsError: when ``dest`` exists.
    """
    dest = dest.resolve()
    dest.mkdir(parents=True)
    token_dir = dest / "tokens"
    shutil.copytree(read_token_dir(manifest.conf_path), token_dir)
    conf_path = dest / "softhsm2.conf"
    write_softhsm_conf(conf_path, token_dir)
    copy = replace(manifest, conf_path=conf_path)
    copy.save(dest / MANIFEST_NAME)
    return copy


def write_softhsm_conf(conf_path: Path, token_dir: Path) -> None:
    """Write a SoftHSM2 configuration that keeps its tokens in ``token_dir``.

    Also used to point a copied token store at its new place, since SoftHSM
    needs an absolute token directory.
    """
    # Fixed slots, as with a card reader that stays plugged in; errors only,
    # because SoftHSM would otherwise fill syslog during test runs.
    conf_path.write_text(
        f"directories.tokendir = {token_dir.resolve()}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n",
        encoding="utf-8",
    )


@dataclass(frozen=True)
class _TokenPlan:
    label: str
    user_pin: str
    so_pin: str
    file_prefix: str
    objects: tuple[WorkerObject, ...]


def provision(out_dir: Path, *, now: datetime | None = None) -> Manifest:
    """Create the test tokens, the fake CAs and the integrator seal in ``out_dir``.

    The directory must not exist or be empty. Afterwards it holds
    ``softhsm2.conf``, ``tokens/``, ``ca-seal.pem``, ``ca-nes.pem``,
    ``integrator.key.pem``, ``integrator.pem``, one PEM per token certificate and
    ``manifest.json``. The CA private keys are discarded: nothing is meant to
    issue more certificates under them. After a failure the directory is left
    as it is, for inspection; remove it before trying again.

    :param out_dir: where to put everything.
    :param now: the moment validity periods are computed from (timezone-aware);
        the current time when ``None``.
    :returns: the manifest, also saved as ``out_dir / "manifest.json"``.
    :raises SoftHSMUnavailableError: when SoftHSM2 is not installed.
    :raises FileExistsError: when ``out_dir`` exists and is not empty.
    :raises ProvisioningError: when ``softhsm2-util`` or the worker fails.
    :raises ValueError: when ``now`` is naive.
    """
    module = find_softhsm_module()
    util = find_softhsm_util()
    if module is None or util is None:
        missing = "the PKCS#11 module libsofthsm2" if module is None else "softhsm2-util"
        raise SoftHSMUnavailableError(f"SoftHSM2 is not installed: {missing} was not found")
    moment = (now if now is not None else datetime.now(UTC)).replace(microsecond=0)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("now must be timezone-aware")

    out_dir = out_dir.resolve()
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} exists and is not empty")
    token_dir = out_dir / "tokens"
    token_dir.mkdir(parents=True)
    conf_path = out_dir / "softhsm2.conf"
    write_softhsm_conf(conf_path, token_dir)
    env = {**os.environ, "SOFTHSM2_CONF": str(conf_path)}

    # The CAs predate the expired seal, so that it was validly issued back then
    # and fails *only* on its own validity period.
    ca_born = _add_years(moment, -_CA_AGE_YEARS)
    seal_ca = make_ca(DEFAULT_SEAL_CA_NAME, now=ca_born, years=_CA_AGE_YEARS + 10)
    nes_ca = make_ca(DEFAULT_NES_CA_NAME, now=ca_born, years=_CA_AGE_YEARS + 10)
    integrator = make_software_identity(
        seal_ca, vkn=INTEGRATOR_VKN, title=INTEGRATOR_TITLE, now=moment
    )
    seal_ca_pem = out_dir / "ca-seal.pem"
    nes_ca_pem = out_dir / "ca-nes.pem"
    integrator_cert_pem = out_dir / "integrator.pem"
    integrator_key_pem = out_dir / "integrator.key.pem"
    seal_ca_pem.write_bytes(to_pem(seal_ca.cert))
    nes_ca_pem.write_bytes(to_pem(nes_ca.cert))
    integrator_cert_pem.write_bytes(to_pem(integrator.cert))
    _write_private(integrator_key_pem, to_pem(integrator.key))

    plans = _plans(moment)
    for plan in plans:
        _init_token(util, plan, env)
    result = _run_worker(
        WorkerSpec(
            module=module,
            cas={"seal": _worker_ca(seal_ca), "nes": _worker_ca(nes_ca)},
            tokens=[
                WorkerToken(label=p.label, user_pin=p.user_pin, objects=list(p.objects))
                for p in plans
            ],
        ),
        env,
    )

    tokens = tuple(
        _token_spec(plan, made, out_dir, moment)
        for plan, made in zip(plans, result["tokens"], strict=True)
    )
    manifest = Manifest(
        conf_path=conf_path,
        module_path=module,
        tokens=tokens,
        seal_ca_pem=seal_ca_pem,
        nes_ca_pem=nes_ca_pem,
        integrator_key_pem=integrator_key_pem,
        integrator_cert_pem=integrator_cert_pem,
        created_at=moment,
    )
    manifest.save(out_dir / MANIFEST_NAME)
    return manifest


def _plans(now: datetime) -> tuple[_TokenPlan, ...]:
    day = timedelta(days=1)
    valid = (now - day, _add_years(now, 3))
    expired = (_add_years(now, -3) - day, now - day)
    return (
        _TokenPlan(
            label=SEAL_CARD_LABEL,
            user_pin=SEAL_CARD_USER_PIN,
            so_pin=SEAL_CARD_SO_PIN,
            file_prefix="malimuhur",
            objects=(
                _company_object(CUSTOMER_SEAL_LABEL, "seal", _RSA_2048, valid),
                _company_object(CUSTOMER_ENCRYPTION_LABEL, "encryption", _RSA_2048, valid),
            ),
        ),
        _TokenPlan(
            label=NES_CARD_LABEL,
            user_pin=NES_CARD_USER_PIN,
            so_pin=NES_CARD_SO_PIN,
            file_prefix="neskart",
            objects=(
                WorkerObject(
                    label=PERSON_SIGN_LABEL,
                    kind="personal",
                    key_type="EC",
                    key_bits=256,
                    curve="secp256r1",
                    ca="nes",
                    tax_id=PERSON_TCKN,
                    title="",
                    locality="",
                    given_name=PERSON_GIVEN_NAME,
                    surname=PERSON_SURNAME,
                    not_before=valid[0].isoformat(),
                    not_after=valid[1].isoformat(),
                ),
            ),
        ),
        _TokenPlan(
            label=SEAL_CARD_2_LABEL,
            user_pin=SEAL_CARD_2_USER_PIN,
            so_pin=SEAL_CARD_2_SO_PIN,
            file_prefix="malimuhur2",
            objects=(
                _company_object(
                    SECOND_SEAL_LABEL,
                    "seal",
                    ("EC", 384, "secp384r1"),
                    valid,
                    vkn=SECOND_VKN,
                    title=SECOND_TITLE,
                    locality="İSTANBUL",
                ),
                _company_object(EXPIRED_LABEL, "expired-seal", _RSA_2048, expired),
            ),
        ),
    )


def _company_object(
    label: str,
    kind: ObjectKind,
    key: tuple[KeyTypeName, int, str | None],
    validity: tuple[datetime, datetime],
    *,
    vkn: str = CUSTOMER_VKN,
    title: str = CUSTOMER_TITLE,
    locality: str = "ANKARA",
) -> WorkerObject:
    key_type, key_bits, curve = key
    return WorkerObject(
        label=label,
        kind=kind,
        key_type=key_type,
        key_bits=key_bits,
        curve=curve,
        ca="seal",
        tax_id=vkn,
        title=title,
        locality=locality,
        given_name="",
        surname="",
        not_before=validity[0].isoformat(),
        not_after=validity[1].isoformat(),
    )


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        # 29 February in a year without one.
        return moment.replace(year=moment.year + years, day=28)


def _write_private(path: Path, data: bytes) -> None:
    # A test key, yet still not world-readable: copies of it tend to travel.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _worker_ca(identity: Identity) -> WorkerCA:
    return WorkerCA(
        cert_pem=to_pem(identity.cert).decode("ascii"),
        key_pem=to_pem(identity.key).decode("ascii"),
    )


def _init_token(util: str, plan: _TokenPlan, env: dict[str, str]) -> None:
    command = [
        util,
        "--init-token",
        "--free",
        "--label",
        plan.label,
        "--so-pin",
        plan.so_pin,
        "--pin",
        plan.user_pin,
    ]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=_UTIL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProvisioningError(
            f"softhsm2-util could not initialise {plan.label!r}: {exc}"
        ) from exc
    if done.returncode != 0:
        raise ProvisioningError(
            f"softhsm2-util could not initialise {plan.label!r} "
            f"(exit {done.returncode}): {(done.stderr or done.stdout).strip()}"
        )


def _run_worker(spec: WorkerSpec, env: dict[str, str]) -> WorkerResult:
    package_root = str(Path(__file__).resolve().parents[2])
    child_env = dict(env)
    # The worker imports this package; it need not be installed, so put the
    # source tree that this very module comes from first on the child's path.
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, env.get("PYTHONPATH", "")) if p
    )
    try:
        # The spec travels on stdin, not argv, so the PINs stay out of `ps`.
        done = subprocess.run(
            _worker_command(),
            input=json.dumps(spec),
            env=child_env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=_WORKER_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProvisioningError(f"the token worker did not finish: {exc}") from exc
    if done.returncode != 0:
        raise ProvisioningError(
            f"the token worker failed (exit {done.returncode}):\n{done.stderr.strip()}"
        )
    try:
        result: WorkerResult = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise ProvisioningError(f"the token worker answered garbage: {exc}") from exc
    return result


def _token_spec(
    plan: _TokenPlan, made: WorkerTokenResult, out_dir: Path, now: datetime
) -> TokenSpec:
    if made["label"] != plan.label:
        raise ProvisioningError(f"worker answered for {made['label']!r}, not {plan.label!r}")
    objects = []
    for wanted, got in zip(plan.objects, made["objects"], strict=True):
        cert_path = out_dir / f"{plan.file_prefix}.{wanted['label']}.pem"
        cert_path.write_text(got["cert_pem"], encoding="ascii")
        objects.append(
            ObjectSpec(
                label=got["label"],
                id_hex=got["id_hex"],
                kind=wanted["kind"],
                key_type=wanted["key_type"],
                key_bits=wanted["key_bits"],
                curve=wanted["curve"],
                tax_id=wanted["tax_id"],
                cert_pem_path=cert_path,
                usable_for=_usable_for(wanted, now),
            )
        )
    return TokenSpec(
        label=plan.label,
        serial=made["serial"],
        user_pin=plan.user_pin,
        so_pin=plan.so_pin,
        objects=tuple(objects),
    )


def _usable_for(obj: WorkerObject, now: datetime) -> tuple[str, ...]:
    signs = obj["kind"] in ("seal", "personal")
    in_validity = (
        datetime.fromisoformat(obj["not_before"]) <= now <= datetime.fromisoformat(obj["not_after"])
    )
    return (obj["tax_id"],) if signs and in_validity else ()
