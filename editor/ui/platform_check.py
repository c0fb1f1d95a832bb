"""Before the window opens: a missing system library named with its fix, not Qt's abort.

On a fresh Debian/Ubuntu desktop Qt 6's X11 (xcb) plugin needs libxcb-cursor0, which is often
not installed; Qt then aborts with "Could not load the Qt platform plugin "xcb"" and a core
dump. This looks for the library first (no Qt import) and says what to run.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

XCB_CURSOR_FIX = ("Shotline's window needs the system library libxcb-cursor0 (Qt's X11 plugin uses it). "
                  "Install it with:  sudo apt-get install libxcb-cursor0  (Fedora: sudo dnf install "
                  "xcb-util-cursor), then start Shotline again.")


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
    if uses_xcb(environ, platform) and find_library("xcb-cursor") is None:
        return XCB_CURSOR_FIX
    return None
