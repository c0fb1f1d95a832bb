"""The open project: new, open, save, save as, recent projects, autosave and crash recovery.

The session owns the current `Document` and its folder. Autosave runs on a timer (every minute
by default) and after every N edits, only when something changed, and writes to the project's
autosave/ folder (never project.json). Opening a project whose autosave is newer than its
last save offers to recover it. Dialogs are not shown here: the window passes `ask_recover`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from editor.document.autosave import autosave, find_recovery
from editor.document.document import Change, Document
from editor.document.edits import SetProjectSettings
from editor.document.project import Clip, Keyframe, Project, ShotSettings, Take, Track, new_id
from editor.document.scratch import clean_project
from editor.document.storage import (
    PROJECT_FILE,
    SUFFIX,
    ProjectError,
    create_folder,
    load_project,
    project_folder,
    read_project_file,
    save_project,
)
from editor.document.subfolders import inside_project, project_subfolder
from editor.ui.settings import Settings, config_dir

DEMO_SOURCE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "Demo.shotline"


class ProjectSession(QObject):
    """The one open project of a window and everything about keeping it safe on disk."""

    document_replaced = Signal()  # a different project is open now (new / open)
    state_changed = Signal()  # name, folder or unsaved-changes mark changed
    message = Signal(str)  # status-bar line ("Saved", "Autosaved", a recovery note)

    def __init__(self, settings: Settings, *, ask_recover: Callable[[Path], bool] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.ask_recover = ask_recover or (lambda path: False)
        self._document = Document(Project(name="Untitled", tracks=[Track(id=new_id("track"), name="V1")]))
        self._unsubscribe = self._document.subscribe(self._on_change)
        self._recovered = False  # the open state came from an autosave and differs from project.json
        self._edits_since_autosave = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.autosave_now)
        self._restart_timer()

    # --- state ----------------------------------------------------------------------------------
    @property
    def document(self) -> Document:
        return self._document

    @property
    def folder(self) -> Path | None:
        return self._document.folder

    @property
    def name(self) -> str:
        return self._document.project.name or "Untitled"

    @property
    def dirty(self) -> bool:
        return self._document.dirty or self._recovered

    # --- new / open / save ----------------------------------------------------------------------
    def new_project(self, name: str = "Untitled", *, folder: Path | str | None = None) -> None:
        """A new empty project with the user's defaults.

        With `folder` (a new NAME.shotline path) the folder is made and the project saved into
        it at once, so autosave, takes and generation jobs work before the first manual save.
        Raises ProjectError when that folder already holds something.
        """
        d = self.settings.defaults()
        project = Project(name=name, fps=Fraction(d.fps), width=d.width, height=d.height,
                          tracks=[Track(id=new_id("track"), name="V2"), Track(id=new_id("track"), name="V1")])
        if folder is None:
            self._replace(Document(project))
            return
        folder = Path(folder)
        if folder.suffix != SUFFIX:
            folder = folder.with_name(folder.name + SUFFIX)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise ProjectError(f"{folder} already exists; choose another name or place for the new project.")
        try:
            create_folder(folder)
            save_project(project, folder)
        except OSError as exc:
            raise ProjectError(f"Could not create {folder} ({exc.strerror or exc}); "
                               "choose a folder you can write to.") from exc
        self._replace(Document(project, project_folder(folder)))  # absolute: see project_folder
        self.settings.add_recent_project(folder)
        self.message.emit(f"Created {folder}")

    def open(self, path: Path | str) -> None:
        """Open a project folder (or its project.json). Raises ProjectError with what to do."""
        folder = project_folder(Path(path))
        if folder.suffix != SUFFIX and not (folder / PROJECT_FILE).exists():
            raise ProjectError(f"{folder} is not a Shotline project: choose a folder ending in {SUFFIX}.")
        project = load_project(folder)
        recovered = False
        recovery = find_recovery(folder)
        if recovery is not None and self.ask_recover(recovery):
            project = read_project_file(recovery)
            recovered = True
        self._replace(Document(project, folder))
        clean_project(folder)  # partial files and temporaries a killed run left (their owner is gone)
        self._recovered = recovered
        self.settings.add_recent_project(folder)
        if recovered:
            self.message.emit(f"Recovered unsaved changes from {recovery.name}; save to keep them.")
        self.state_changed.emit()

    def open_demo(self) -> None:
        """The demo project, from a private copy so that editing it never touches the install."""
        copy = config_dir() / "demo" / DEMO_SOURCE.name
        source_json = DEMO_SOURCE / PROJECT_FILE
        if source_json.exists():
            fresh = not (copy / PROJECT_FILE).exists() or (
                source_json.stat().st_mtime_ns > (copy / PROJECT_FILE).stat().st_mtime_ns)
            if fresh:
                shutil.copytree(DEMO_SOURCE, copy, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("cache", "autosave", "jobs.sqlite*"))
            self.open(copy)
            return
        # No demo project file shipped: lay the demo media out as a small cut.
        project = demo_project(DEMO_SOURCE / "media")
        self._replace(Document(project))

    def save(self) -> bool:
        """Save into the project's folder; False when it has none yet (use save_as)."""
        if self.folder is None:
            return False
        save_project(self._document.project, self.folder)
        self._document.mark_saved()
        self._recovered = False
        self._edits_since_autosave = 0
        self.settings.add_recent_project(self.folder)
        self.message.emit(f"Saved {self.folder.name}")
        self.state_changed.emit()
        return True

    def save_as(self, folder: Path | str) -> None:
        """Save into a new folder. Media stored inside the old folder come along, so the new
        project is whole on its own (its paths are relative to its folder)."""
        folder = Path(folder)
        if folder.suffix != SUFFIX:
            folder = folder.with_name(folder.name + SUFFIX)
        old = self.folder
        create_folder(folder)
        if old is not None and (old / "media").is_dir() and old.resolve() != folder.resolve():
            source = project_subfolder(old, "media", create=False)  # a link out is not the project's media
            shutil.copytree(source, project_subfolder(folder, "media"), dirs_exist_ok=True,
                            ignore=lambda d, names: [n for n in names if not inside_project(old, Path(d) / n)])
        self._document.folder = project_folder(folder)  # absolute: see project_folder
        if self._document.project.name in ("", "Untitled"):
            # the name follows the folder, as in any editor; an ordinary (undoable) edit
            self._document.request(SetProjectSettings(name=folder.name[: -len(SUFFIX)]))
        self.save()

    def recent_projects(self) -> list[str]:
        return self.settings.recent_projects()

    # --- autosave -------------------------------------------------------------------------------
    def autosave_now(self) -> Path | None:
        """Write an autosave when there are unsaved edits and a folder to put it in."""
        if self.folder is None or not self._document.dirty or self._edits_since_autosave == 0:
            return None
        try:
            path = autosave(self._document)
        except (OSError, ProjectError) as exc:
            self.message.emit(f"Autosave failed: {exc}")
            return None
        self._edits_since_autosave = 0
        self.message.emit("Autosaved")
        return path

    def _restart_timer(self) -> None:
        self._timer.start(max(5, self.settings.defaults().autosave_every_s) * 1000)

    def _on_change(self, change: Change) -> None:
        self._edits_since_autosave += 1
        if self._edits_since_autosave >= max(1, self.settings.defaults().autosave_every_edits):
            self.autosave_now()
        self.state_changed.emit()

    def _replace(self, document: Document) -> None:
        self._unsubscribe()
        self._document = document
        self._unsubscribe = document.subscribe(self._on_change)
        self._recovered = False
        self._edits_since_autosave = 0
        self.document_replaced.emit()
        self.state_changed.emit()


def demo_project(media: Path) -> Project:
    """A short cut from the demo media: a video, a draft shot with a keyframe, a gap, another
    video, and a still on a second track. Paths are absolute (the project has no folder)."""
    fps = Fraction(24)
    project = Project(name="Demo", fps=fps, width=640, height=360)
    main = Track(id=new_id("track"), name="V1")
    overlay = Track(id=new_id("track"), name="V2")
    project.tracks = [overlay, main]  # top to bottom

    def video(name: str, path: Path, start: int, frames: int) -> Clip:
        take = Take(id=new_id("take"), media=str(path), frames=frames, label=path.name, metadata={"imported": True})
        return Clip(id=new_id("clip"), start=start, length=frames, name=name, takes=[take],
                    shot=ShotSettings(prompt=f"{name.lower()}, cinematic, soft light"))

    sunrise = media / "sunrise.mp4"
    city = media / "city_night.mp4"
    frames = 72
    if sunrise.exists():
        main.clips.append(video("Sunrise", sunrise, 0, frames))
    draft = Clip(id=new_id("clip"), start=frames, length=96, name="Paper boat",
                 shot=ShotSettings(prompt="a paper boat drifts across a calm lake at dawn, gentle ripples, "
                                          "warm light, slow dolly"))
    boat = media / "paper_boat_keyframe.png"
    if boat.exists():
        draft.keyframes.append(Keyframe(id=new_id("kf"), image=str(boat), frame=0, metadata={"imported": True}))
    main.clips.append(draft)
    if city.exists():
        main.clips.append(video("City at night", city, frames + 96 + 36, frames))
    lake = media / "lake_at_dawn.png"
    if lake.exists():
        take = Take(id=new_id("take"), media=str(lake), frames=1, is_still=True, label=lake.name,
                    metadata={"imported": True})
        overlay.clips.append(Clip(id=new_id("clip"), start=24, length=60, name="Lake at dawn", takes=[take]))
    from editor.document.storage import derived_media

    project.media = derived_media(project)  # the media bin starts with the demo's files
    return project
