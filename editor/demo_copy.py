"""The demo project's private copy in the user's config folder (no Qt): the window and the
command line (`info DEMO`, `export DEMO`) open the same copy.

The shipped demo is read-only in an install (site-packages, a frozen app): opening writes to a
project, so it is always opened through a copy, refreshed when the installed one is newer.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from editor.document.storage import PROJECT_FILE
from editor.resources_path import demo_source
from editor.userdirs import config_dir

DEMO = "DEMO"  # what the command line takes for "the demo project"


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
