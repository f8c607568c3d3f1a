"""Entry point: ``signer-app`` and ``python -m signer_app``."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the program; return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    from signer_app.token.host import HOST_COMMAND  # noqa: PLC0415 - keep the host start lean

    if args[:1] == [HOST_COMMAND]:
        # The token host must start fast and load nothing it does not need.
        from signer_app.token.host import main as host_main  # noqa: PLC0415

        return host_main(args[1:])
    from signer_app.cli import run  # noqa: PLC0415

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
