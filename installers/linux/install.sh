#!/usr/bin/env bash
# Install (or remove) the Hizmet Aktivasyon signing client's desktop
# integration on Linux: the .desktop launcher, the MIME type of contract files
# (*.aktivasyon), the icons, the AppStream metadata and, from a PyInstaller
# one-folder bundle, the program itself. See installers/linux/README.md.
#
#   install.sh [--user] [--prefix DIR] [--bundle DIR] [--policy FILE] [--no-default]
#   install.sh [--user] [--prefix DIR] --uninstall
#
# System-wide (as root, the default):  data in /usr/share, the bundle in
#   /opt/signer-app, the command /usr/local/bin/signer-app.
# --user:  data in ${XDG_DATA_HOME:-~/.local/share}, the bundle in
#   ~/.local/lib/signer-app, the command ~/.local/bin/signer-app; the launcher
#   also becomes the user's default for contract files (mimeapps.list).
# --prefix DIR:  data in DIR/share, the bundle in DIR/lib/signer-app, the
#   command DIR/bin/signer-app (also for staging a package).
# Without --bundle, a signer-app command already on PATH is used (linked
# into the command folder when it is elsewhere).
set -euo pipefail
# Installed files are readable by every user, whatever the caller's umask.
umask 022

readonly APP_ID="tr.signer_app.SignerApp"
readonly MIME_TYPE="application/vnd.hizmet-aktivasyon+json"
readonly MIME_ICON="application-vnd.hizmet-aktivasyon+json"
readonly COMMAND="signer-app"
readonly ICON_SIZES=(16 22 24 32 48 64 128 256 512)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The icons: installers/icons in the source tree, or icons/ beside this script.
if [[ -d "$here/icons" ]]; then
    icons="$here/icons"
else
    icons="$(cd "$here/../icons" && pwd)"
fi

usage() {
    sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}

say() {
    [[ -n "$quiet" ]] || printf '%s\n' "$*"
}

user=""
prefix=""
bundle=""
policy=""
uninstall=""
set_default="yes"
quiet=""
while (($#)); do
    case "$1" in
        --user) user="yes" ;;
        --prefix) prefix="${2:?--prefix needs a folder}"; shift ;;
        --prefix=*) prefix="${1#*=}" ;;
        --bundle) bundle="${2:?--bundle needs a folder}"; shift ;;
        --bundle=*) bundle="${1#*=}" ;;
        --policy) policy="${2:?--policy needs a file}"; shift ;;
        --policy=*) policy="${1#*=}" ;;
        --no-default) set_default="" ;;
        --uninstall) uninstall="yes" ;;
        -q | --quiet) quiet="yes" ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

if [[ -n "$user" ]]; then
    [[ -n "${HOME:-}" ]] || die "--user needs HOME"
    data_dir="${prefix:+$prefix/share}"
    data_dir="${data_dir:-${XDG_DATA_HOME:-$HOME/.local/share}}"
    bin_dir="${prefix:+$prefix/bin}"
    bin_dir="${bin_dir:-$HOME/.local/bin}"
    app_dir="${prefix:+$prefix/lib/signer-app}"
    app_dir="${app_dir:-$HOME/.local/lib/signer-app}"
    [[ -z "$policy" ]] || die "--policy is for a system-wide installation (/etc/signer-app/policy.json)"
elif [[ -n "$prefix" ]]; then
    data_dir="$prefix/share"
    bin_dir="$prefix/bin"
    app_dir="$prefix/lib/signer-app"
else
    ((EUID == 0)) || die "a system-wide installation needs root; use --user for your account only"
    data_dir="/usr/share"
    bin_dir="/usr/local/bin"
    app_dir="/opt/signer-app"
fi
policy_file="/etc/signer-app/policy.json"
if [[ -n "$prefix" && -z "$user" ]]; then
    policy_file="$prefix/etc/signer-app/policy.json"
fi

desktop_file="$data_dir/applications/$APP_ID.desktop"
mime_file="$data_dir/mime/packages/signer-app.xml"
metainfo_file="$data_dir/metainfo/$APP_ID.metainfo.xml"
hicolor="$data_dir/icons/hicolor"
link="$bin_dir/$COMMAND"

# Every icon file this script installs.
icon_files() {
    local size
    for size in "${ICON_SIZES[@]}"; do
        printf '%s\n' "$hicolor/${size}x${size}/apps/$APP_ID.png"
        printf '%s\n' "$hicolor/${size}x${size}/mimetypes/$MIME_ICON.png"
    done
    printf '%s\n' "$hicolor/scalable/apps/$APP_ID.svg"
    printf '%s\n' "$hicolor/scalable/mimetypes/$MIME_ICON.svg"
}

# Bring the desktop's caches up to date; each tool is optional.
refresh_caches() {
    if command -v update-mime-database >/dev/null && [[ -d "$data_dir/mime/packages" ]]; then
        update-mime-database "$data_dir/mime"
    fi
    if command -v update-desktop-database >/dev/null && [[ -d "$data_dir/applications" ]]; then
        update-desktop-database -q "$data_dir/applications"
    fi
    if [[ -d "$hicolor" ]]; then
        # Toolkits notice a changed folder time and look again.
        touch "$hicolor"
        # Only a theme folder with its index gets a cache: a stale cache in a
        # user's folder would hide icons other programs add later.
        if command -v gtk-update-icon-cache >/dev/null && [[ -f "$hicolor/index.theme" ]]; then
            gtk-update-icon-cache -q -f "$hicolor" || true
        fi
    fi
}

# The text of an Exec= program path (desktop entry quoting, spec "The Exec key").
exec_word() {
    local path="$1"
    if [[ "$path" =~ ^[A-Za-z0-9_./+-]+$ ]]; then
        printf '%s' "$path"
    elif [[ "$path" =~ [\"\`\$\\%[:cntrl:]] ]]; then
        die "cannot name $path in a .desktop file; use a folder without \" \` \$ \\ % in its name"
    else
        printf '"%s"' "$path"
    fi
}

remove_user_default() {
    local list="${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list"
    [[ -f "$list" ]] || return 0
    local kept
    kept="$(mktemp "$list.XXXXXX")"
    grep -v -F -x "$MIME_TYPE=$APP_ID.desktop;" "$list" >"$kept" || true
    grep -v -F -x "$MIME_TYPE=$APP_ID.desktop" "$kept" >"$list" || true
    rm -f "$kept"
}

# After an uninstallation: drop the folders and generated caches that now
# serve nothing (typically in a user's folder; a system folder keeps them).
tidy_up() {
    local dir
    if [[ -d "$data_dir/mime/packages" ]] && [[ -z "$(ls -A "$data_dir/mime/packages")" ]]; then
        # Only generated files are left: the database of no definitions.
        rm -rf "$data_dir/mime"
    fi
    if [[ -d "$data_dir/applications" ]] \
        && ! compgen -G "$data_dir/applications/*.desktop" >/dev/null; then
        rm -f "$data_dir/applications/mimeinfo.cache"
    fi
    local dirs=("$hicolor"/*/apps "$hicolor"/*/mimetypes "$hicolor"/* "$hicolor" "$data_dir/icons"
        "$data_dir/applications" "$data_dir/metainfo")
    if [[ -n "$user" || -n "$prefix" ]]; then
        # Never /usr/local/bin or /opt, even when empty.
        dirs+=("$bin_dir" "$(dirname "$app_dir")")
    fi
    for dir in "${dirs[@]}"; do
        if [[ -d "$dir" && ! -L "$dir" && -z "$(ls -A "$dir")" ]]; then
            rmdir "$dir"
        fi
    done
    if [[ -n "$user" ]]; then
        local list="${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list"
        # A list left with nothing but section headers was ours.
        if [[ -f "$list" ]] && ! grep -q -v -E '^[[:space:]]*(\[.*\])?[[:space:]]*$' "$list"; then
            rm -f "$list"
        fi
    fi
}

do_uninstall() {
    local file
    rm -f "$desktop_file" "$mime_file" "$metainfo_file"
    while IFS= read -r file; do
        rm -f "$file"
    done < <(icon_files)
    if [[ -L "$link" ]]; then
        rm -f "$link"
    fi
    # Only a folder that holds our program is removed.
    if [[ -x "$app_dir/$COMMAND" && ! -L "$app_dir" ]]; then
        rm -rf "$app_dir"
    fi
    if [[ -n "$user" ]]; then
        remove_user_default
    fi
    refresh_caches
    tidy_up
    say "Removed the signing client's files from $data_dir, $bin_dir and $app_dir."
    if [[ -z "$user" && -f "$policy_file" ]]; then
        say "The machine policy $policy_file was kept."
    fi
}

# Install the bundle or find the program; prints the program path for Exec=.
install_program() {
    if [[ -n "$bundle" ]]; then
        [[ -x "$bundle/$COMMAND" ]] || die "$bundle/$COMMAND: not a PyInstaller bundle of signer-app"
        local source
        source="$(cd "$bundle" && pwd -P)"
        if [[ "$source" != "$(cd "$(dirname "$app_dir")" 2>/dev/null && pwd -P)/$(basename "$app_dir")" ]]; then
            mkdir -p "$(dirname "$app_dir")"
            # Copy beside the old version, then swap: a running program keeps its files.
            # Not cp -a: the copy belongs to the installing user (root), not the builder.
            rm -rf "$app_dir.new" "$app_dir.old"
            cp -R "$source" "$app_dir.new"
            if [[ -e "$app_dir" ]]; then
                mv "$app_dir" "$app_dir.old"
            fi
            mv "$app_dir.new" "$app_dir"
            rm -rf "$app_dir.old"
        fi
        mkdir -p "$bin_dir"
        ln -sfn "$app_dir/$COMMAND" "$link"
        printf '%s' "$link"
        return
    fi
    local found
    if [[ -x "$link" ]]; then
        printf '%s' "$link"
        return
    fi
    found="$(command -v "$COMMAND" || true)"
    [[ -n "$found" && "$found" == /* ]] \
        || die "no $COMMAND on PATH: give the PyInstaller bundle with --bundle dist/signer-app"
    mkdir -p "$bin_dir"
    ln -sfn "$found" "$link"
    printf '%s' "$link"
}

do_install() {
    local program size file
    for file in "$here/$APP_ID.desktop" "$here/signer-app.xml" "$here/$APP_ID.metainfo.xml" \
        "$icons/signer-app.svg" "$icons/signer-app-document.svg"; do
        [[ -f "$file" ]] || die "$file is missing"
    done
    if [[ -n "$policy" ]]; then
        [[ -f "$policy" ]] || die "$policy: no such file"
    fi

    program="$(install_program)"

    install -d "$data_dir/applications" "$data_dir/mime/packages" "$data_dir/metainfo"
    # The launcher names the installed program by its full path, so it works
    # whether or not the command folder is on the desktop session's PATH.
    local word
    word="$(exec_word "$program")"
    # TryExec is a plain path; Exec's first word is quoted when it must be.
    WORD="$word" PROGRAM="$program" awk '
        /^Exec=/ { sub(/^Exec=[^ ]*/, "Exec=" ENVIRON["WORD"]) }
        /^TryExec=/ { $0 = "TryExec=" ENVIRON["PROGRAM"] }
        { print }
    ' "$here/$APP_ID.desktop" >"$desktop_file.tmp"
    chmod 0644 "$desktop_file.tmp"
    mv "$desktop_file.tmp" "$desktop_file"
    install -m 0644 "$here/signer-app.xml" "$mime_file"
    install -m 0644 "$here/$APP_ID.metainfo.xml" "$metainfo_file"

    for size in "${ICON_SIZES[@]}"; do
        install -D -m 0644 "$icons/png/signer-app-$size.png" \
            "$hicolor/${size}x${size}/apps/$APP_ID.png"
        install -D -m 0644 "$icons/png/signer-app-document-$size.png" \
            "$hicolor/${size}x${size}/mimetypes/$MIME_ICON.png"
    done
    install -D -m 0644 "$icons/signer-app.svg" "$hicolor/scalable/apps/$APP_ID.svg"
    install -D -m 0644 "$icons/signer-app-document.svg" "$hicolor/scalable/mimetypes/$MIME_ICON.svg"

    if [[ -n "$policy" ]]; then
        install -D -m 0644 "$policy" "$policy_file"
    fi

    refresh_caches
    if [[ -n "$user" && -n "$set_default" ]] && command -v xdg-mime >/dev/null; then
        XDG_DATA_HOME="$data_dir" xdg-mime default "$APP_ID.desktop" "$MIME_TYPE" \
            || say "Could not make $APP_ID.desktop the default for $MIME_TYPE."
    fi
    say "Installed the signing client: $desktop_file, program $program."
}

if [[ -n "$uninstall" ]]; then
    do_uninstall
else
    do_install
fi
