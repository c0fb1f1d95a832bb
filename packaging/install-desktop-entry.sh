#!/usr/bin/env bash
# Add Shotline to the desktop's application menu (freedesktop.org: GNOME, KDE, XFCE...) from a
# source checkout. Run after README command 1, from the repository root:
#   bash packaging/install-desktop-entry.sh
# (An installed Shotline does the same with `shotline --install-desktop`.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/.venv/bin/python"
[ -x "$python" ] || { echo "No .venv here yet: run the README's first command, then this." >&2; exit 1; }
exec "$python" "$root/main.py" --install-desktop
