"""Modules (and a thread) that opening a project needs, made ready on a pool thread at start-up.

The first open of a session imported model.speed/model.devices (the job controller's
settings) on the GUI thread and Pillow's ~45 image plugins on a pool thread (the first probe
of a still), each import also read by PySide's import hook: tens of milliseconds of CPU in the
turns that open the project, which a busy 2-core machine stretched to a 100+ ms frozen window.
Imported once the window is up, the open finds them loaded.
"""

from __future__ import annotations

import importlib

from editor.ui.background import run_in_background

MODULES = ("model.speed", "model.devices", "PIL.Image", "av.subtitles.stream")


def _warm() -> None:
    from editor.ui import settings_writer

    settings_writer.start()  # its thread, which the first open's recent-projects entry uses
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an import that fails here fails again, and is reported, where it is used
            pass
    try:
        from PIL import Image

        Image.init()  # every plugin: what the first Image.open does
    except Exception:  # noqa: BLE001 - see above
        pass


def warm_in_background() -> None:
    """Import what a project's open needs on a pool thread (call on the GUI thread; returns at once)."""
    run_in_background(_warm, lambda _result: None, failed=lambda _error: None)
