"""Before the window opens: a missing system library named with its fix, not Qt's abort.

On a fresh Debian/Ubuntu desktop Qt 6's X11 (xcb) plugin needs libxcb-cursor0, which is often
not installed; Qt then aborts with "Could not load the Qt platform plugin "xcb"" and a core
dump (its message names libxcb-cursor0 whichever library is missing). This looks for every
library the plugin links first (no Qt import) and says what to install.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

# The X11 libraries Qt 6's xcb plugin (libQt6XcbQpa) links, as ctypes.util.find_library names
# them, with the Debian/Ubuntu package that brings each. Qt's own error names only libxcb-cursor0
# whichever is missing; a fresh desktop may lack icccm and keysyms too (seen on Debian 12).
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def install_hint(packages: list[str]) -> str:
    return (f"Shotline's window needs system libraries that Qt's X11 plugin uses: {', '.join(packages)}. "
            f"Install them with:  sudo apt-get install {' '.join(packages)}  (Fedora: sudo dnf install "
            "xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image xcb-util-renderutil), "
            "then start Shotline again.")


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when Qt will pick its X11 (xcb) plugin: Linux, and QT_QPA_PLATFORM says xcb or
    nothing on a session that is not Wayland (offscreen, minimal and wayland need no X11)."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip().lower()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not (environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE", "").lower() == "wayland")


def missing_library_message(environ: Mapping[str, str] | None = None, *,
                            find_library: Callable[[str], str | None] = ctypes.util.find_library,
                            platform: str = sys.platform) -> str | None:
    """What to install before the GUI can start, or None when nothing is missing."""
    environ = os.environ if environ is None else environ
    if not uses_xcb(environ, platform):
        return None
    missing = [package for name, package in XCB_LIBRARIES.items() if find_library(name) is None]
    return install_hint(missing) if missing else None
