#!/usr/bin/env bash
# Installs what the project needs on Debian 12 and creates .venv with the
# pinned Python packages. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# softhsm2: the test tokens; opensc: pkcs11-tool, and xmlsec1: the independent cross-checks;
# gcc/libc6-dev/libp11-kit-dev: the fault-injection PKCS#11 module the tests build.
apt_packages=(softhsm2 opensc xmlsec1 gcc libc6-dev libp11-kit-dev python3-venv openssl)
# PySide6 (the window), even offscreen: QtCore links glib, QtGui links GL/EGL/X11/D-Bus/
# fontconfig/freetype/xkbcommon, QtNetwork links brotli; DejaVu so that ş ğ İ are not tofu.
apt_packages+=(libgl1 libegl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
    libxkbcommon0 libbrotli1 fonts-dejavu-core)
# The xcb platform plugin (a real X server or Xvfb); Qt names only xcb-cursor when any is missing.
apt_packages+=(libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
    libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1
    libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-glx0)
# Xvfb for the real screenshots (scripts/screenshots.py and its test).
apt_packages+=(xvfb xauth)
# Linux desktop integration and its checks (installers/linux, tests/installers).
apt_packages+=(desktop-file-utils xdg-utils shared-mime-info libglib2.0-bin libxml2-utils
    appstream shellcheck)
# The Windows MSI built on Linux and installed under Wine (installers/windows, tests/installers).
apt_packages+=(wixl msitools wine wine64 gcc-mingw-w64-x86-64 faketime)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
"$python" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
PY
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bundle]'

# The English translation of the window: built from its .ts source (no network needed).
# The built .qm is committed too; this keeps it in step with the source.
lrelease=$(.venv/bin/python -c 'import PySide6, pathlib; print(pathlib.Path(PySide6.__file__).parent / "lrelease")')
if [ -x "$lrelease" ]; then
    "$lrelease" -silent signer_app/ui/i18n/signer_app_en.ts -qm signer_app/ui/i18n/signer_app_en.qm
else
    .venv/bin/pyside6-lrelease -silent signer_app/ui/i18n/signer_app_en.ts -qm signer_app/ui/i18n/signer_app_en.qm
fi
