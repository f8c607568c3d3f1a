"""Small shared libraries built on the fly with the system C compiler."""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["build_library"]


def build_library(directory: Path, name: str, source: str, *flags: str) -> Path:
    """Compile ``source`` into ``directory/name`` as a shared library and return its path."""
    source_path = directory / f"{name}.c"
    source_path.write_text(source)
    output = directory / name
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(output), str(source_path), *flags],
        check=True,
        capture_output=True,
    )
    return output
