"""The reference portal uses only the layers it may: never the client's own code."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "reference_portal"
ALLOWED = (
    "signer_app.envelope",
    "signer_app.certificates",
    "signer_app.errors",
    "signer_app.testpki",
)


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "reference_portal uses absolute imports"
            base = node.module or ""
            names += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return names


def _allowed(name: str) -> bool:
    if name.split(".", maxsplit=1)[0] != "signer_app":
        return True
    return any(name == layer or name.startswith(layer + ".") for layer in ALLOWED)


def test_reference_portal_imports_only_allowed_signer_app_layers() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert sources
    breaches = [
        f"{path.name}:{line}: {name}"
        for path in sources
        for line, name in _imported(ast.parse(path.read_bytes()))
        if not _allowed(name)
    ]
    assert breaches == []


def test_the_checker_sees_a_breach() -> None:
    tree = ast.parse(
        "from signer_app.portal_api.models import PortalStatus\nimport signer_app.ui\n"
    )
    assert [name for _, name in _imported(tree) if not _allowed(name)] == [
        "signer_app.portal_api.models.PortalStatus",
        "signer_app.ui",
    ]
