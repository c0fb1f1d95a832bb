"""Where Shotline's data files are: the one place that knows (wheel, editable install, source
tree or a frozen app alike).

The files live in the top-level `resources` package and are found with importlib.resources,
never by walking up from this file or from the working directory, so every command works from
any folder and from any kind of install.
"""

from __future__ import annotations

from functools import cache
from importlib import resources as _importlib_resources
from pathlib import Path

PACKAGE = "resources"
MARKER = "style.qss"  # a generic name like `resources` could be someone else's: this says it is ours


class ResourcesMissing(RuntimeError):
    """The installed Shotline lacks its data files (a broken install)."""


@cache
def resources_dir() -> Path:
    """The folder holding style.qss, icons/, export_presets.json, demo/ and desktop/."""
    try:
        root = _importlib_resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise ResourcesMissing("Shotline's data files (the 'resources' package) are not installed; "
                               "reinstall Shotline.") from None
    folder = Path(str(root))  # a regular package installed as files: a real folder (Qt needs paths)
    if not (folder / MARKER).is_file():
        raise ResourcesMissing(f"{folder} is not Shotline's resources folder (no {MARKER}); reinstall Shotline.")
    return folder


def resource(*parts: str) -> Path:
    """A file or folder inside the resources folder, e.g. resource("icons", "shotline.svg")."""
    return resources_dir().joinpath(*parts)


def demo_source() -> Path:
    """The shipped demo project (read-only: it is copied to a user folder before opening)."""
    return resource("demo", "Demo.shotline")
