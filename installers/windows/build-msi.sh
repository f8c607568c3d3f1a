#!/usr/bin/env bash
# Build the Windows MSI on Linux with msitools' wixl (+ msibuild fix-ups).
#
#   installers/windows/build-msi.sh [--version X.Y.Z] [--icon FILE.ico]
#                                   [--document-icon FILE.ico] BUNDLE_DIR OUT.msi
#
# BUNDLE_DIR is the staged one-folder bundle (signer-app.exe at its top).
# --version defaults to the version in pyproject.toml; the icons to
# installers/icons/signer-app.ico and signer-app-document.ico.
#
# Reproducible: the same bundle, icon, version and SOURCE_DATE_EPOCH give a
# byte-identical MSI when faketime is installed, and otherwise an MSI whose
# tables and streams are identical except the summary information's two
# timestamps (wixl 0.101 and msibuild stamp it with the current time and know
# no SOURCE_DATE_EPOCH; faketime freezes their clock at SOURCE_DATE_EPOCH).
# Everything else is pinned here: the ProductCode is derived from the version,
# the PackageCode from the inputs (wixl's would be random), component GUIDs
# and identifiers from the file paths, and the files in the cabinet get
# SOURCE_DATE_EPOCH (default 1980-01-02) as their time, whatever the staged
# files' mtimes.
#
# Needs: wixl and msitools (apt: wixl msitools), python3; optional faketime.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
    echo "usage: $0 [--version X.Y.Z] [--icon FILE.ico] [--document-icon FILE.ico] BUNDLE_DIR OUT.msi" >&2
    exit 2
}

version=""
icon="$repo/installers/icons/signer-app.ico"
document_icon="$repo/installers/icons/signer-app-document.ico"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --version) [[ $# -ge 2 ]] || usage; version=$2; shift 2 ;;
        --icon) [[ $# -ge 2 ]] || usage; icon=$2; shift 2 ;;
        --document-icon) [[ $# -ge 2 ]] || usage; document_icon=$2; shift 2 ;;
        --) shift; break ;;
        -*) usage ;;
        *) break ;;
    esac
done
[[ $# -eq 2 ]] || usage
bundle=$1
out=$2

if [[ -z "$version" ]]; then
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/pyproject.toml" | head -n 1)
fi
[[ -f "$bundle/signer-app.exe" ]] || { echo "$bundle/signer-app.exe is missing: not a staged bundle" >&2; exit 1; }
[[ -f "$icon" ]] || { echo "icon $icon is missing (installers/icons/signer-app.ico or --icon)" >&2; exit 1; }
[[ -f "$document_icon" ]] || { echo "icon $document_icon is missing (--document-icon)" >&2; exit 1; }
for tool in wixl msibuild python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install wixl msitools python3)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A copy with fixed times: gcab stores each file's mtime in the cabinet.
epoch=${SOURCE_DATE_EPOCH:-315619200}
mkdir "$work/bundle"
cp -R -- "$bundle/." "$work/bundle/"
find "$work/bundle" -exec touch -h -d "@$epoch" {} +
cp -- "$icon" "$work/signer-app.ico"
cp -- "$document_icon" "$work/signer-app-document.ico"
touch -d "@$epoch" "$work/signer-app.ico" "$work/signer-app-document.ico"

# Frozen clock for the tools that stamp the summary information.
stamp=()
if command -v faketime >/dev/null; then
    stamp=(env TZ=UTC faketime -f "$(date -u -d "@$epoch" '+%Y-%m-%d %H:%M:%S')")
fi

product_code=$(python3 "$here/msi_tool.py" product-code "$version")
python3 "$here/msi_tool.py" harvest "$work/bundle" "$work/bundle.wxs"

cp -- "$here/signer-app.wxs" "$work/signer-app.wxs"
package_code=$(python3 "$here/msi_tool.py" package-code "$version" \
    "$work/signer-app.wxs" "$work/signer-app.ico" "$work/signer-app-document.ico" "$work/bundle")

# Relative sources: wixl 0.101 resolves them against the .wxs's folder and
# rejects absolute ones. C locale and UTC: nothing in the output may depend
# on the builder's settings.
(
    cd "$work"
    LC_ALL=C TZ=UTC "${stamp[@]}" wixl -a x64 \
        -D "Toolset=wixl" \
        -D "Version=$version" \
        -D "ProductCode=$product_code" \
        -D "PackageCode=$package_code" \
        -D "BundleDir=bundle" \
        -D "IconFile=signer-app.ico" \
        -D "DocumentIconFile=signer-app-document.ico" \
        -o out.msi \
        signer-app.wxs bundle.wxs
)

# What wixl 0.101 cannot express (Component/Condition, Product/Condition,
# RegistryKey/@Action, Property/@Secure), read from the .wxs by msi_tool.py.
# msibuild works in the current folder (it leaves an Icon/ folder there): stay in $work.
fixups=$(python3 "$here/msi_tool.py" fixups "$here/signer-app.wxs")
while IFS= read -r statement; do
    (cd "$work" && "${stamp[@]}" msibuild out.msi -q "$statement")
done <<<"$fixups"

# What wixl ignores: the database codepage (Product/@Codepage; ö ü ç are
# the same bytes in 1252, which wixl wrote, and 1254) and the summary
# information's title, author, template (Package/@Languages) and
# PackageCode (derived from the inputs instead of wixl's random one).
printf '\r\n\r\n1254\t_ForceCodepage\r\n' >"$work/_ForceCodepage.idt"
(cd "$work" && "${stamp[@]}" msibuild out.msi -i _ForceCodepage.idt)
(cd "$work" && "${stamp[@]}" msibuild out.msi -s "Hizmet Aktivasyon" "SignerApp" "x64;1055" "$package_code")

mkdir -p -- "$(dirname -- "$out")"
mv -f -- "$work/out.msi" "$out"
echo "built $out (version $version, ProductCode $product_code)"
