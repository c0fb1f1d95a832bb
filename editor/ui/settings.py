"""User settings (window layout, recent projects, model folders, device, defaults) and their dialog.

Settings live in an INI file under the user's config folder (platformdirs), or under
`$SHOTLINE_CONFIG_DIR` when set, so tests and portable installs never touch the real ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from editor.ui import settings_writer
from editor.userdirs import config_dir  # one answer for the window and the headless commands

MAX_RECENT = 10
DEVICES = ("auto", "cuda", "mps", "cpu")
# Memory modes as model/devices.py names them; "auto" lets the runner pick by free GPU memory.
MEMORY_MODES = ("auto", "full", "model_cpu_offload", "group_offload")
MEMORY_MODE_TITLES = {
    "auto": "Automatic (by free GPU memory)",
    "full": "Everything on the GPU (fastest)",
    "model_cpu_offload": "Model CPU offload (one part at a time)",
    "group_offload": "Group offload (least GPU memory)",
}
DEVICE_TITLES = {"auto": "Automatic (GPU when there is one)", "cuda": "NVIDIA GPU (CUDA)",
                 "mps": "Apple GPU (Metal)", "cpu": "CPU (very slow)"}
# Speed and memory extras (model/speed.py, model/quantize.py); "auto" VAE tiling follows the memory mode
VAE_TILING = ("auto", "on", "off")
VAE_TILING_TITLES = {"auto": "Automatic (with offload or under 16 GiB)", "on": "Always (least memory)",
                     "off": "Never (fastest decode)"}


@dataclass
class EditorDefaults:
    """What a new project and a new draft shot start with."""

    fps: int = 24
    width: int = 1280
    height: int = 720
    shot_seconds: float = 4.0
    still_seconds: float = 3.0
    extend_seconds: float = 2.0
    autosave_every_edits: int = 20
    autosave_every_s: int = 60


class Settings:
    """Typed access to the settings file. Cheap to create; every value is read when asked."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or (config_dir() / "settings.ini")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._q = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        settings_writer.wait()  # the recent list written off the GUI thread is on disk first
        self._q.sync()

    # --- window -------------------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self._q.value("window/geometry")
        state = self._q.value("window/state")
        return (geometry if isinstance(geometry, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._q.setValue("window/geometry", geometry)
        self._q.setValue("window/state", state)
        settings_writer.wait()  # the window closing: what the writer thread was asked is on disk too
        self._q.sync()

    # --- recent projects ----------------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        return [p for p in self._recent() if Path(p).exists()]

    def add_recent_project(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self._recent() if p != path]
        # written and synced to disk on the writer thread, later: an open must not wait for the disk
        settings_writer.write_later(self.path, "projects/recent", recent[:MAX_RECENT])

    def clear_recent_projects(self) -> None:
        settings_writer.write_later(self.path, "projects/recent", [])  # replaces any add still pending

    def _recent(self) -> list[str]:
        # the list waiting to be written, else the file's
        waiting, recent = settings_writer.pending(self.path, "projects/recent")
        return list(recent) if waiting else self._list("projects/recent")

    def projects_folder(self) -> Path:
        """Where new projects go: the last place one was made, else ~/Videos/Shotline (the
        platform's videos folder)."""
        value = self._q.value("projects/folder", "")
        if value:
            return Path(str(value))
        import platformdirs

        return Path(platformdirs.user_videos_dir()) / "Shotline"

    def set_projects_folder(self, folder: str | Path) -> None:
        self._q.setValue("projects/folder", str(Path(folder)))
        self._q.sync()

    # --- models and device --------------------------------------------------------------------
    def model_folders(self) -> list[str]:
        return self._list("models/folders")

    def set_model_folders(self, folders: list[str]) -> None:
        self._q.setValue("models/folders", list(dict.fromkeys(folders)))
        self._q.sync()

    def device(self) -> str:
        return self._choice("models/device", DEVICES)

    def set_device(self, device: str) -> None:
        self._set_choice("models/device", device, DEVICES, "Device")

    def memory_mode(self) -> str:
        return self._choice("models/memory_mode", MEMORY_MODES)

    def set_memory_mode(self, mode: str) -> None:
        self._set_choice("models/memory_mode", mode, MEMORY_MODES, "Memory mode")

    # --- where jobs run (model.farm) ------------------------------------------------------------
    def farm_address(self) -> str:
        """"" for this computer, else a Ray cluster's address (auto, ray://HOST:10001, HOST:6379)."""
        return str(self._q.value("jobs/farm_address", "") or "").strip()

    def set_farm_address(self, address: str) -> None:
        self._q.setValue("jobs/farm_address", (address or "").strip())
        self._q.sync()

    def farm_lanes(self) -> int:
        """How many jobs the editor sends to the farm at once."""
        return max(1, min(64, self._int("jobs/farm_lanes", 4)))

    def set_farm_lanes(self, lanes: int) -> None:
        self._q.setValue("jobs/farm_lanes", max(1, min(64, int(lanes))))
        self._q.sync()
    # --- speed, memory extras, enhancer, upsampler (issue 11) ---------------------------------
    def speed_cache(self) -> str:
        from model.speed import CACHES

        value = str(self._q.value("models/speed_cache", "off"))
        return value if value in CACHES else "off"

    def set_speed_cache(self, cache: str) -> None:
        from model.speed import CACHES

        self._set_choice("models/speed_cache", cache, tuple(CACHES), "Speed")

    def compile_blocks(self) -> bool:
        return str(self._q.value("models/compile", "false")).lower() == "true"

    def set_compile_blocks(self, on: bool) -> None:
        self._q.setValue("models/compile", "true" if on else "false")

    def vae_tiling(self) -> str:
        return self._choice("models/vae_tiling", VAE_TILING)

    def set_vae_tiling(self, value: str) -> None:
        self._set_choice("models/vae_tiling", value, VAE_TILING, "VAE tiling")

    def quantize(self) -> str:
        from model.devices import QUANTIZE

        value = str(self._q.value("models/quantize", "none"))
        return value if value in QUANTIZE else "none"

    def set_quantize(self, value: str) -> None:
        from model.devices import QUANTIZE

        self._set_choice("models/quantize", value, QUANTIZE, "Weights")

    def enhancer(self) -> str | None:
        """The local text model folder used to enhance prompts when a video model has no enhancer."""
        return str(self._q.value("models/enhancer", "")) or None

    def set_enhancer(self, folder: str | None) -> None:
        self._q.setValue("models/enhancer", folder or "")

    def upsampler(self) -> str | None:
        """A latent upsampler folder for Upscale (LTX-Video's spatial upscaler), or None."""
        return str(self._q.value("models/upsampler", "")) or None

    def set_upsampler(self, folder: str | None) -> None:
        self._q.setValue("models/upsampler", folder or "")

    def _choice(self, key: str, choices: tuple[str, ...]) -> str:
        """A stored choice, "auto" when none (or one this version doesn't know) is stored."""
        value = str(self._q.value(key, "auto"))
        return value if value in choices else "auto"

    def _set_choice(self, key: str, value: str, choices: tuple[str, ...], what: str) -> None:
        if value not in choices:
            raise ValueError(f"{what} must be one of {', '.join(choices)}.")
        self._q.setValue(key, value)

    # --- defaults -----------------------------------------------------------------------------
    def defaults(self) -> EditorDefaults:
        d = EditorDefaults()
        return EditorDefaults(
            fps=self._int("defaults/fps", d.fps),
            width=self._int("defaults/width", d.width),
            height=self._int("defaults/height", d.height),
            shot_seconds=self._float("defaults/shot_seconds", d.shot_seconds),
            still_seconds=self._float("defaults/still_seconds", d.still_seconds),
            extend_seconds=self._float("defaults/extend_seconds", d.extend_seconds),
            autosave_every_edits=self._int("defaults/autosave_every_edits", d.autosave_every_edits),
            autosave_every_s=self._int("defaults/autosave_every_s", d.autosave_every_s),
        )

    def set_defaults(self, d: EditorDefaults) -> None:
        for key, value in vars(d).items():
            self._q.setValue(f"defaults/{key}", value)
        self._q.sync()

    # --- export -------------------------------------------------------------------------------
    def last_export(self) -> dict:
        """The export dialog's last-used choices (JSON data); {} before the first export."""
        try:
            value = json.loads(str(self._q.value("export/last", "{}")))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def set_last_export(self, values: dict) -> None:
        self._q.setValue("export/last", json.dumps(values))
        self._q.sync()

    # --- helpers ------------------------------------------------------------------------------
    def _list(self, key: str) -> list[str]:
        value = self._q.value(key, [])
        if value is None:
            return []
        if isinstance(value, str):  # QSettings returns a lone string for one-item lists in INI files
            return [value] if value else []
        return [str(v) for v in value]

    def _int(self, key: str, default: int) -> int:
        try:
            return int(self._q.value(key, default))
        except (TypeError, ValueError):
            return default

    def _float(self, key: str, default: float) -> float:
        try:
            return float(self._q.value(key, default))
        except (TypeError, ValueError):
            return default
