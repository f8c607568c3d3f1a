"""Command line: ``python -m signer_app.testpki provision --out DIR [--force]``.

Creates the SoftHSM2 test tokens described in :mod:`signer_app.testpki.softhsm`
and prints where the manifest is and what is on each token.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final, TextIO

from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import (
    MANIFEST_NAME,
    ProvisioningError,
    SoftHSMUnavailableError,
    provision,
)

__all__ = ["EXIT_FAILED", "EXIT_REFUSED", "EXIT_UNAVAILABLE", "main"]

#: The output directory exists and was not replaced.
EXIT_REFUSED: Final = 2
#: SoftHSM2 is not installed.
EXIT_UNAVAILABLE: Final = 3
#: Provisioning itself failed.
EXIT_FAILED: Final = 1

# Only files that provisioning itself writes make a directory safe to wipe.
_PROVISIONED_MARKERS: Final = (MANIFEST_NAME, "softhsm2.conf")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parser().parse_args(argv)
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not args.force:
            print(f"error: {out} already exists; pass --force to replace it", file=sys.stderr)
            return EXIT_REFUSED
        if not _looks_provisioned(out):
            # --force must never turn a typo into deleting someone's directory.
            print(
                f"error: {out} does not look like a provisioned directory "
                f"(no {' or '.join(_PROVISIONED_MARKERS)}); not replacing it",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        shutil.rmtree(out)
    try:
        manifest = provision(out)
    except SoftHSMUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except (ProvisioningError, OSError) as exc:
        print(f"error: provisioning failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _summary(manifest, out.resolve() / MANIFEST_NAME, sys.stdout)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m signer_app.testpki",
        description="Fake PKI and SoftHSM2 test tokens for development and the demo.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    prov = commands.add_parser("provision", help="create the test tokens in a new directory")
    prov.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    prov.add_argument(
        "--force", action="store_true", help="replace DIR if it holds an earlier provisioning"
    )
    return parser


def _looks_provisioned(path: Path) -> bool:
    return path.is_dir() and any((path / name).is_file() for name in _PROVISIONED_MARKERS)


def _summary(manifest: Manifest, manifest_path: Path, stream: TextIO) -> None:
    lines = [
        str(manifest_path),
        f"  SOFTHSM2_CONF={manifest.conf_path}",
        f"  module {manifest.module_path}",
    ]
    for token in manifest.tokens:
        # Printed on purpose: these are fixed PINs of throwaway test tokens
        # and whoever runs the demo has to type them.
        lines.append(f"  token {token.label!r} serial {token.serial} (test PIN {token.user_pin})")
        for obj in token.objects:
            key = f"{obj.key_type}-{obj.curve or obj.key_bits}"
            usable = "usable" if obj.usable_for else "not for signing"
            lines.append(f"    {obj.label:<18} {obj.kind:<13} {key:<15} {obj.tax_id:<12} {usable}")
    stream.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
