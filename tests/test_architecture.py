"""Enforce the import boundaries of ARCHITECTURE.md section 2.

The checker parses the sources with :mod:`ast` (nothing is imported), so it
also sees imports inside functions, ``TYPE_CHECKING`` blocks and literal
``importlib.import_module("…")`` / ``__import__("…")`` calls, and resolves
relative imports against the importing module's package.

Rules:

* PySide6 and shiboken6 are imported only in ``signer_app.ui`` and
  ``signer_app.launch``;
* ``signer_app.token``, ``signer_app.envelope`` and ``signer_app.portal_api``
  import neither each other nor ``flow``, ``ui``, ``launch``, ``cli`` or
  ``__main__``;
* ``signer_app.flow`` imports neither ``ui`` nor ``launch``, ``cli`` or
  ``__main__``;
* the repository root has no ``token`` directory or ``token.py`` (it would
  shadow the standard library's ``token``), and no code or tool setting puts
  ``signer_app/`` itself (or a folder inside it) on ``sys.path`` or
  ``PYTHONPATH``, for the same reason.

The checker is tested against synthetic trees too, so that a checker that
finds nothing cannot pass for a clean repository.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "signer_app"

GUI_TOP_LEVEL = frozenset({"PySide6", "shiboken6"})
GUI_ALLOWED = ("signer_app.ui", "signer_app.launch")
SHELL = ("signer_app.launch", "signer_app.cli", "signer_app.__main__")
CORE_LAYERS = ("signer_app.token", "signer_app.envelope", "signer_app.portal_api")

FORBIDDEN: dict[str, tuple[str, ...]] = {
    layer: (
        *(other for other in CORE_LAYERS if other != layer),
        "signer_app.flow",
        "signer_app.ui",
        *SHELL,
    )
    for layer in CORE_LAYERS
}
FORBIDDEN["signer_app.flow"] = ("signer_app.ui", *SHELL)

# Folders never scanned for sys.path edits: tool caches and environments.
_SKIPPED_DIRS = frozenset({"__pycache__", "build", "dist", "node_modules", "venv"})


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


# ---------------------------------------------------------------------------
# Import collection
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Import:
    """One imported name; ``candidates`` are the modules it may denote."""

    candidates: tuple[str, ...]
    line: int


def _module_name(root: Path, path: Path) -> tuple[str, bool]:
    parts = path.relative_to(root).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[_Import]:
    """Yield every name *tree* imports, resolved to absolute dotted names.

    ``from a.b import c`` may import the submodule ``a.b.c`` or just a name
    of ``a.b``; both are candidates, so a forbidden submodule cannot pass as
    a mere name. An unresolvable relative import yields a name starting
    with ``<``.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield _Import((alias.name,), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                keep = len(parts) - (node.level - 1)
                if keep < 1:
                    yield _Import(("<relative import beyond the top-level package>",), node.lineno)
                    continue
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                extra = () if alias.name == "*" else (f"{base}.{alias.name}",)
                yield _Import((base, *extra), node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            function = _dotted(node.func) or ""
            name = _string(node.args[0])
            if name and function.rpartition(".")[2] in ("import_module", "__import__"):
                if name.startswith("."):
                    yield _Import((f"<dynamic relative import {name}>",), node.lineno)
                else:
                    yield _Import((name,), node.lineno)


def _rule_breaches(module: str, candidates: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Yield ``(imported name, rule)`` once per rule the import breaks."""
    for target in candidates:
        if target.startswith("<"):
            yield target, "cannot be resolved"
            return
    gui = [t for t in candidates if t.split(".")[0] in GUI_TOP_LEVEL]
    if gui and not any(_within(module, allowed) for allowed in GUI_ALLOWED):
        yield gui[0], "Qt may be imported only in signer_app.ui and signer_app.launch"
    for layer, forbidden in FORBIDDEN.items():
        if not _within(module, layer):
            continue
        for banned in forbidden:
            hits = [t for t in candidates if _within(t, banned)]
            if hits:
                yield hits[0], f"{layer} must not import {banned}"


def _import_violations(root: Path) -> Iterator[str]:
    package_dir = root / PACKAGE
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        where = path.relative_to(root).as_posix()
        module, is_package = _module_name(root, path)
        try:
            tree = ast.parse(path.read_bytes(), filename=where)
        except SyntaxError as exc:
            yield f"{where}:{exc.lineno}: cannot be parsed, so its imports cannot be checked"
            continue
        for found in _imports(tree, module, is_package):
            for target, rule in _rule_breaches(module, found.candidates):
                yield f"{where}:{found.line}: {module} imports {target}: {rule}"


# ---------------------------------------------------------------------------
# sys.path and PYTHONPATH
# ---------------------------------------------------------------------------


def _is_sys_path(node: ast.expr) -> bool:
    return _dotted(node) == "sys.path"


def _path_sinks(tree: ast.AST) -> Iterator[tuple[ast.expr, int, str]]:
    """Yield ``(expression, line, what)`` for values that land on an import path."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            if (
                isinstance(function, ast.Attribute)
                and _is_sys_path(function.value)
                and function.attr in ("insert", "append", "extend")
            ):
                for argument in node.args:
                    yield argument, node.lineno, f"sys.path.{function.attr}"
            elif (_dotted(function) or "").endswith("addsitedir"):
                for argument in node.args:
                    yield argument, node.lineno, "site.addsitedir"
            if node.args and _string(node.args[0]) == "PYTHONPATH":
                # env.setdefault("PYTHONPATH", …), os.putenv, monkeypatch.setenv
                for argument in node.args[1:]:
                    yield argument, node.lineno, "PYTHONPATH"
            for keyword in node.keywords:
                if keyword.arg in ("PYTHONPATH", "pathex", "pythonpath"):
                    yield keyword.value, node.lineno, keyword.arg
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                continue
            for target in targets:
                if _is_sys_path(target) or (
                    isinstance(target, ast.Subscript)
                    and (_is_sys_path(target.value) or _string(target.slice) == "PYTHONPATH")
                ):
                    yield value, node.lineno, "assignment to the import path"
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _string(key) == "PYTHONPATH":
                    yield value, value.lineno, "PYTHONPATH"


_PATH_WRAPPERS = frozenset(
    {"Path", "PurePath", "str", "abspath", "realpath", "normpath", "fspath", "expanduser"}
)


def _levels_above_file(node: ast.expr) -> int | None:
    """Count how far ``Path(__file__).parents[1]``-like expressions climb.

    ``__file__`` is 0, its folder 1, that folder's parent 2 …; ``None`` when
    the expression is not such a climb.
    """
    if isinstance(node, ast.Name):
        return 0 if node.id == "__file__" else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _levels_above_file(node.value)
        return None if inner is None else inner + 1
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "parents"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, int)
    ):
        inner = _levels_above_file(node.value.value)
        return None if inner is None else inner + node.slice.value + 1
    if isinstance(node, ast.Call):
        function = node.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr in ("resolve", "absolute")
            and not node.args
        ):
            return _levels_above_file(function.value)
        name = (_dotted(function) or "").rpartition(".")[2]
        if len(node.args) == 1 and name in _PATH_WRAPPERS:
            return _levels_above_file(node.args[0])
        if len(node.args) == 1 and name == "dirname":
            inner = _levels_above_file(node.args[0])
            return None if inner is None else inner + 1
    return None


def _package_folder_reasons(expression: ast.expr, file_parts: tuple[str, ...]) -> Iterator[str]:
    """Yield why *expression* names ``signer_app/`` or a folder inside it."""
    climb = _levels_above_file(expression)
    if climb is not None:
        folder = file_parts[:-climb] if climb else file_parts
        if climb and folder and folder[0] == PACKAGE:
            yield f"{'/'.join(folder)}/ (derived from __file__)"
        return
    text = _string(expression)
    if text is not None and PACKAGE in re.split(r"[\\/]+", text):
        yield f"a path with a {PACKAGE!r} component ({text!r})"
        return
    for child in ast.iter_child_nodes(expression):
        if isinstance(child, ast.expr):
            yield from _package_folder_reasons(child, file_parts)


def _repository_sources(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _SKIPPED_DIRS and not d.endswith(".egg-info")
        )
        for name in sorted(files):
            if name.endswith((".py", ".spec")):
                yield Path(folder, name)


def _sys_path_violations(root: Path) -> Iterator[str]:
    for path in _repository_sources(root):
        relative = path.relative_to(root)
        where = relative.as_posix()
        try:
            tree = ast.parse(path.read_bytes(), filename=where)
        except SyntaxError:
            continue  # reported by the import check when it matters
        for expression, line, what in _path_sinks(tree):
            for reason in _package_folder_reasons(expression, relative.parts):
                yield f"{where}:{line}: {what} gets {reason}; never put {PACKAGE}/ on the path"


def _tool_path_violations(root: Path) -> Iterator[str]:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    tool = data.get("tool", {})
    entries: list[tuple[str, str]] = []
    pythonpath = tool.get("pytest", {}).get("ini_options", {}).get("pythonpath", [])
    if isinstance(pythonpath, str):
        pythonpath = pythonpath.split()
    entries += [("tool.pytest.ini_options.pythonpath", str(p)) for p in pythonpath]
    mypy_path = tool.get("mypy", {}).get("mypy_path", "")
    entries += [("tool.mypy.mypy_path", p) for p in re.split(r"[,:]", str(mypy_path)) if p]
    package_dir = (root / PACKAGE).resolve()
    for setting, entry in entries:
        resolved = (root / entry.strip()).resolve()
        if resolved == package_dir or package_dir in resolved.parents:
            yield f"pyproject.toml: {setting} contains {entry!r}; never put {PACKAGE}/ on the path"


def find_violations(root: Path) -> list[str]:
    """Return every breach of the layer rules in the repository at *root*.

    :param root: the repository root, the folder that holds ``signer_app/``.
    :returns: one line per breach, ``path:line: what``; empty when clean.
    """
    violations: list[str] = []
    for name in ("token", "token.py"):
        if (root / name).exists():
            violations.append(
                f"{name}: a top-level {name!r} shadows the standard library's token module"
            )
    violations += _import_violations(root)
    violations += _sys_path_violations(root)
    violations += _tool_path_violations(root)
    return violations


# ---------------------------------------------------------------------------
# The repository itself
# ---------------------------------------------------------------------------


def test_repository_respects_the_layer_rules() -> None:
    assert find_violations(REPO_ROOT) == []


def test_signer_app_folder_is_not_on_sys_path() -> None:
    package_dir = (REPO_ROOT / PACKAGE).resolve()
    on_path = [p for p in sys.path if p and Path(p).resolve() == package_dir]
    assert on_path == []


# ---------------------------------------------------------------------------
# The checker on synthetic trees
# ---------------------------------------------------------------------------

_SKELETON = {
    "signer_app/__init__.py": "",
    "signer_app/token/__init__.py": "",
    "signer_app/envelope/__init__.py": "",
    "signer_app/portal_api/__init__.py": "",
    "signer_app/flow/__init__.py": "",
    "signer_app/ui/__init__.py": "",
}


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in {**_SKELETON, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


CLEAN_FILES = {
    "signer_app/ui/wizard.py": "from PySide6.QtWidgets import QWizard\nimport shiboken6\n",
    "signer_app/ui/pages/login.py": "from ...flow import machine\nfrom PySide6 import QtCore\n",
    "signer_app/launch.py": (
        "from PySide6.QtWidgets import QApplication\n"
        "from signer_app import flow, ui, token, envelope, portal_api\n"
    ),
    "signer_app/cli.py": "from signer_app.flow import machine\nfrom . import launch\n",
    "signer_app/flow/machine.py": (
        "from signer_app.token import api\n"
        "from ..envelope import sign\n"
        "from signer_app.portal_api.client import Client\n"
    ),
    "signer_app/token/service.py": "from . import api\nfrom .api import TokenBackend\n",
    "signer_app/token/api.py": "import token\nimport tokenize\nfrom signer_app.errors import X\n",
    "signer_app/envelope/sign.py": "from signer_app.config import Settings\n",
    "signer_app/testpki/worker.py": (
        "import os\nfrom pathlib import Path\n"
        "def run(env):\n"
        "    env['PYTHONPATH'] = str(Path(__file__).resolve().parents[2])\n"
    ),
    "tests/conftest.py": (
        "import sys\nfrom pathlib import Path\n"
        "sys.path.insert(0, str(Path(__file__).resolve().parents[1]))\n"
    ),
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
}


def test_checker_accepts_a_clean_tree(tmp_path: Path) -> None:
    assert find_violations(_tree(tmp_path, CLEAN_FILES)) == []


BAD_TREES: dict[str, tuple[dict[str, str], str]] = {
    "qt in flow": (
        {"signer_app/flow/progress.py": "from PySide6.QtCore import Signal\n"},
        "flow/progress.py:1: signer_app.flow.progress imports PySide6.QtCore: Qt may be",
    ),
    "shiboken in cli, inside a function": (
        {"signer_app/cli.py": "def main():\n    import shiboken6\n"},
        "cli.py:2: signer_app.cli imports shiboken6: Qt may be",
    ),
    "qt in envelope under TYPE_CHECKING": (
        {
            "signer_app/envelope/view.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from PySide6.QtCore import QObject\n"
            )
        },
        "envelope/view.py:3: signer_app.envelope.view imports PySide6.QtCore",
    ),
    "token imports flow relatively": (
        {"signer_app/token/service.py": "from ..flow import machine\n"},
        "token/service.py:1: signer_app.token.service imports signer_app.flow: "
        "signer_app.token must not import signer_app.flow",
    ),
    "token package init imports envelope relatively": (
        {"signer_app/token/__init__.py": "from .. import envelope\n"},
        "signer_app.token imports signer_app.envelope: signer_app.token must not import",
    ),
    "envelope imports portal_api in a function": (
        {"signer_app/envelope/upload.py": "def f():\n    import signer_app.portal_api.client\n"},
        "envelope/upload.py:2: signer_app.envelope.upload imports signer_app.portal_api.client",
    ),
    "portal_api imports token through the package name": (
        {"signer_app/portal_api/client.py": "from signer_app import token\n"},
        "signer_app.portal_api.client imports signer_app.token: signer_app.portal_api must not",
    ),
    "portal_api imports ui dynamically": (
        {
            "signer_app/portal_api/client.py": (
                "import importlib\nui = importlib.import_module('signer_app.ui.wizard')\n"
            )
        },
        "portal_api/client.py:2: signer_app.portal_api.client imports signer_app.ui.wizard",
    ),
    "token imports launch": (
        {"signer_app/token/host.py": "from signer_app.launch import main\n"},
        "signer_app.token must not import signer_app.launch",
    ),
    "flow imports ui": (
        {"signer_app/flow/machine.py": "from signer_app.ui.wizard import Wizard\n"},
        "signer_app.flow must not import signer_app.ui",
    ),
    "flow imports cli relatively": (
        {"signer_app/flow/machine.py": "from .. import cli\n"},
        "signer_app.flow must not import signer_app.cli",
    ),
    "relative import beyond the package": (
        {"signer_app/errors.py": "from ... import x\n"},
        "errors.py:1: signer_app.errors imports <relative import beyond the top-level package>",
    ),
    "top-level token directory": (
        {"token/__init__.py": ""},
        "token: a top-level 'token' shadows",
    ),
    "top-level token module": (
        {"token.py": ""},
        "token.py: a top-level 'token.py' shadows",
    ),
    "test puts signer_app on sys.path": (
        {
            "tests/conftest.py": (
                "import sys\nfrom pathlib import Path\nROOT = Path(__file__).parents[1]\n"
                "sys.path.insert(0, str(ROOT / 'signer_app'))\n"
            )
        },
        "tests/conftest.py:4: sys.path.insert gets a path with a 'signer_app' component",
    ),
    "package puts its own folder on sys.path": (
        {
            "signer_app/__main__.py": (
                "import os, sys\nsys.path.append(os.path.dirname(os.path.abspath(__file__)))\n"
            )
        },
        "signer_app/__main__.py:2: sys.path.append gets signer_app/ (derived from __file__)",
    ),
    "child process gets the package folder on PYTHONPATH": (
        {
            "signer_app/token/host.py": (
                "from pathlib import Path\n"
                "def env():\n"
                "    return {'PYTHONPATH': str(Path(__file__).resolve().parent.parent)}\n"
            )
        },
        "signer_app/token/host.py:3: PYTHONPATH gets signer_app/ (derived from __file__)",
    ),
    "pytest pythonpath names the package folder": (
        {"pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["signer_app"]\n'},
        "pyproject.toml: tool.pytest.ini_options.pythonpath contains 'signer_app'",
    ),
    "pyinstaller pathex names the package folder": (
        {"pyinstaller.spec": "a = Analysis(['x.py'], pathex=['signer_app'])\n"},
        "pyinstaller.spec:1: pathex gets a path with a 'signer_app' component",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TREES))
def test_checker_reports_each_violation(tmp_path: Path, case: str) -> None:
    files, expected = BAD_TREES[case]
    violations = find_violations(_tree(tmp_path, {**CLEAN_FILES, **files}))
    assert len(violations) == 1, violations
    assert expected in violations[0]


def test_checker_reports_every_violation_of_a_module(tmp_path: Path) -> None:
    source = "import PySide6\nfrom signer_app import flow, envelope\n"
    violations = find_violations(_tree(tmp_path, {"signer_app/token/bad.py": source}))
    assert len(violations) == 3, violations
