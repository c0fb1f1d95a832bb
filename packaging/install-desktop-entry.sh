#!/usr/bin/env bash
# Add Shotline to the desktop's application menu (freedesktop.org: GNOME, KDE, XFCE...).
# Run after README command 1, from the repository root: bash packaging/install-desktop-entry.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/.venv/bin/python"
[ -x "$python" ] || { echo "No .venv here yet: run the README's first command, then this." >&2; exit 1; }
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
mkdir -p "$apps"
sed -e "s|@PYTHON@|$python|g" -e "s|@ROOT@|$root|g" "$root/packaging/shotline.desktop.in" > "$apps/shotline.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Installed $apps/shotline.desktop"
