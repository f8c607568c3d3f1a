"""Entry point: ``signer-app`` and ``python -m signer_app``."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the program; return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    # Only the hidden commands start with "_": the window's start-up does not
    # pay for loading the token host module just to compare a word.
    if args[:1] and args[0].startswith("_"):
        from signer_app.token.host import HOST_COMMAND  # noqa: PLC0415
        from signer_app.token.host import main as host_main  # noqa: PLC0415

        if args[0] == HOST_COMMAND:
            # The token host must start fast and load nothing it does not need.
            return host_main(args[1:])
        from signer_app.testpki.softhsm import WORKER_COMMAND  # noqa: PLC0415

        if args[0] == WORKER_COMMAND:
            # The demo's SoftHSM provisioning, from the bundle (no "python -m" there).
            from signer_app.testpki._softhsm_worker import main as worker_main  # noqa: PLC0415

            return worker_main()
    import gc  # noqa: PLC0415

    # Start-up allocates much and frees little: no collections until the
    # window is painted (signer_app.launch) or a command starts (cli.run).
    # It saves about 4 ms of the window's start (benchmarks/bench_startup.py).
    gc.disable()
    try:
        from signer_app.cli import run  # noqa: PLC0415

        return run(args)
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
