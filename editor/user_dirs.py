"""The user's own Shotline folders (no Qt): the config folder, and the demo project's private
copy in it. The window and the command line (`info DEMO`, `export DEMO`) share both.

The shipped demo is read-only in an install (site-packages, a frozen app): opening writes to a
project, so it is always opened through a copy, refreshed when the installed one is newer.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from editor.document.storage import PROJECT_FILE
from editor.resources_path import demo_source

DEMO = "DEMO"  # what the command line takes for "the demo project"


def config_dir() -> Path:
    """Where settings, recent lists and crash-recovery notes are kept."""
    env = os.environ.get("SHOTLINE_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("Shotline", appauthor=False))


def demo_copy() -> Path | None:
    """The demo's private copy (made or refreshed first: editing it never touches the install);
    None when no demo project file is shipped."""
    source = demo_source()
    copy = config_dir() / "demo" / source.name
    source_json = source / PROJECT_FILE
    if not source_json.exists():
        return None
    fresh = not (copy / PROJECT_FILE).exists() or (
        source_json.stat().st_mtime_ns > (copy / PROJECT_FILE).stat().st_mtime_ns)
    if fresh:
        shutil.copytree(source, copy, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("cache", "autosave", "jobs.sqlite*"))
    return copy
