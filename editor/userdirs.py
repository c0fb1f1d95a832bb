"""Where Shotline keeps the user's own files: settings, recent lists, its signing certificate.

One answer for the whole program, without Qt, so the headless commands (which sign exports
with the same certificate as the window) find the same folder: `$SHOTLINE_CONFIG_DIR` when set
(tests and portable installs), else the platform's user config folder (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """Where settings, recent lists, crash-recovery notes and signing credentials are kept."""
    env = os.environ.get("SHOTLINE_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("Shotline", appauthor=False))
