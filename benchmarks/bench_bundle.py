"""The one-folder bundle: its size, and its window's start against the virtual environment's.

Size: the whole of ``dist/signer-app`` (bytes and files), its largest parts
(folders up to three levels below ``_internal``) and its largest files.

Start-up: the time from process start to the first window exposed (the
activation wizard's Giriş page), for

* **venv**: ``python -m signer_app`` from the virtual environment, byte code
  cached as an installed program has it;
* **bundle**: ``dist/signer-app/signer-app``.

Both are measured as ``bench_startup.py`` does (same probe, same fresh home,
offscreen unless ``QT_QPA_PLATFORM`` is set), alternating in each round
after warm-up runs; medians are compared. No target: the figure says what
freezing costs or saves.

The bundle is built first when it is missing or was built from other
sources (``scripts/build_bundle.sh --if-stale``; ``--rebuild`` builds it
from clean work folders and reports the time, ``--no-build`` measures what
is there).
Run: ``.venv/bin/python benchmarks/bench_bundle.py [--rounds N] [--warmup N]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _startup_probe import print_medians, probe_env, reported_after

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "signer-app"
MIB = 1024 * 1024


def executable(bundle: Path) -> Path:
    """The bundle's program."""
    return bundle / ("signer-app.exe" if sys.platform == "win32" else "signer-app")


def build(rebuild: bool) -> float:
    """Run ``scripts/build_bundle.sh``; return its wall time in seconds."""
    command = ["bash", str(ROOT / "scripts" / "build_bundle.sh")]
    if not rebuild:
        command.append("--if-stale")
    start = time.monotonic()
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=1800, check=False
    )
    if result.returncode != 0:
        output = result.stdout[-2000:] + result.stderr[-3000:]
        raise RuntimeError(f"build_bundle.sh failed:\n{output}")
    return time.monotonic() - start


def sizes(bundle: Path) -> dict[Path, int]:
    """Every file of the bundle (links not followed) with its size in bytes."""
    return {
        path.relative_to(bundle): path.lstat().st_size
        for path in sorted(bundle.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def part_of(relative: Path) -> str:
    """The part a file counts towards: its folder, at most three levels below ``_internal``."""
    folders = relative.parts[:-1]
    if not folders:
        return "(the program)"
    if folders == ("_internal",):
        return "_internal/ (Python and system libraries)"
    return "/".join(folders[:4])


def report_size(bundle: Path, top: int) -> None:
    """Print the bundle's size, its largest parts and its largest files."""
    files = sizes(bundle)
    total = sum(files.values())
    print(f"bundle size: {total / MIB:.1f} MiB in {len(files)} files ({bundle})")
    parts: Counter[str] = Counter()
    for relative, size in files.items():
        parts[part_of(relative)] += size
    print(f"  largest parts (top {top}):")
    for name, size in parts.most_common(top):
        print(f"    {size / MIB:7.1f} MiB  {size / total:5.1%}  {name}")
    print(f"  largest files (top {top}):")
    for relative, size in sorted(files.items(), key=lambda item: -item[1])[:top]:
        print(f"    {size / MIB:7.1f} MiB  {relative}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--top", type=int, default=8, help="how many parts and files to list")
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the one-folder bundle")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--no-build", action="store_true", help="measure the bundle as it is")
    group.add_argument("--rebuild", action="store_true", help="build from clean work folders")
    options = parser.parse_args(argv)

    if not options.no_build and options.bundle == BUNDLE:
        seconds = build(options.rebuild)
        if options.rebuild:
            print(f"bundle build (scripts/build_bundle.sh, clean): {seconds:.1f} s")
    program = executable(options.bundle)
    if not program.is_file():
        print(f"no bundle at {options.bundle}: run scripts/build_bundle.sh", file=sys.stderr)
        return 2
    report_size(options.bundle, options.top)

    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as folder:
        env = probe_env(Path(folder))
        cases = {
            "venv: python -m signer_app": [sys.executable, "-m", "signer_app"],
            "bundle: signer-app": [str(program)],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for round_number in range(options.warmup + options.rounds):
            # Alternating, so that the machine's drift touches both alike.
            for name, command in cases.items():
                moments = reported_after(command, env, cwd=ROOT)
                if round_number >= options.warmup:
                    times[name].append(moments["EXPOSED"])
        print(f"start-up to first expose ({env['QT_QPA_PLATFORM']}), n={options.rounds}:")
        venv, bundled = print_medians(times, width=28).values()
        print(f"bundle / venv: {bundled / venv:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
