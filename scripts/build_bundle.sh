#!/usr/bin/env bash
# Builds the one-folder bundle dist/signer-app/ with PyInstaller (pyinstaller.spec) and
# prints its size.
#
#   bash scripts/build_bundle.sh             build from clean work folders
#   bash scripts/build_bundle.sh --if-stale  keep the bundle when it was built from these
#                                            very sources and packages (tests/bundle)
#
# Deterministic inputs: SOURCE_DATE_EPOCH is the last commit's time, PYTHONHASHSEED is fixed,
# the work folder and PyInstaller's cache (kept under build/, not in $HOME) are emptied
# first. Expects .venv from scripts/setup.sh; installs the pinned PyInstaller into it when
# it is missing (the "bundle" extra of pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

if_stale=0
for argument in "$@"; do
    case "$argument" in
        --if-stale) if_stale=1 ;;
        *) echo "usage: $0 [--if-stale]" >&2; exit 2 ;;
    esac
done

python=.venv/bin/python
if [ ! -x "$python" ]; then
    echo "build_bundle: $python is missing; run scripts/setup.sh first" >&2
    exit 1
fi

# The pins come from pyproject.toml's "bundle" extra; these stand in while it has none.
fallback_pins=("pyinstaller==6.22.3" "pyinstaller-hooks-contrib==2026.9")
mapfile -t pins < <("$python" - <<'PY'
import tomllib
with open("pyproject.toml", "rb") as stream:
    project = tomllib.load(stream)["project"]
for requirement in project.get("optional-dependencies", {}).get("bundle", []):
    print(requirement)
PY
)
if [ ${#pins[@]} -eq 0 ]; then
    pins=("${fallback_pins[@]}")
fi
# Install only what differs from the pins: pip's resolver costs seconds on every call.
if ! "$python" - "${pins[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
for pin in sys.argv[1:]:
    name, _, wanted = pin.partition("==")
    try:
        if version(name) != wanted:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
    echo "build_bundle: installing ${pins[*]}"
    "$python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
fi

stamp=build/bundle.stamp
bundle=dist/signer-app
# What the bundle is made of: the sources the spec reads, the spec, this
# script, the Python and the installed packages. Content, not the commit: uncommitted
# changes count too.
digest=$("$python" - <<'PY'
import hashlib
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

inputs = ["signer_app", "reference_portal", "pyinstaller.spec", "pyproject.toml",
          "installers/icons", "scripts/build_bundle.sh"]
listed = subprocess.run(
    ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *inputs],
    capture_output=True, check=False,
)
if listed.returncode != 0:
    print("no-git")  # outside a checkout: never reuse a bundle
    sys.exit()
digest = hashlib.sha256(sys.version.encode())
for name in sorted(set(listed.stdout.decode().split("\0")) - {""}):
    path = Path(name)
    if path.is_file():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
digest.update("\n".join(packages).encode())
print(digest.hexdigest())
PY
)
if [ "$if_stale" = 1 ] && [ "$digest" != no-git ] && [ -x "$bundle/signer-app" ] \
    && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    echo "build_bundle: $bundle is up to date (inputs $digest)"
else
    rm -f "$stamp"
    rm -rf build/pyinstaller build/pyinstaller-cache "$bundle" "dist/Hizmet Aktivasyon.app"
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 315532800)
    started=$(date +%s)
    SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH PYTHONHASHSEED=0 TZ=UTC \
        PYINSTALLER_CONFIG_DIR="$PWD/build/pyinstaller-cache" \
        .venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller pyinstaller.spec
    echo "build_bundle: built in $(($(date +%s) - started)) s (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
    # The files are the same from build to build; their times are made so too, for
    # archives and installers made from the folder.
    find "$bundle" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    if [ "$digest" != no-git ]; then
        echo "$digest" > "$stamp"
    fi
fi

bytes=$(du -sb "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
echo "build_bundle: $bundle: $((bytes / 1024 / 1024)) MiB ($bytes bytes) in $files files"
