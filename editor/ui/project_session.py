"""The open project: new, open, save, save as, recent projects, autosave and crash recovery.

The session owns the current `Document` and its folder. Autosave runs on a timer (every minute
by default) and after every N edits, only when something changed, and writes to the project's
autosave/ folder (never project.json). Opening a project whose autosave is newer than its
last save offers to recover it. Dialogs are not shown here: the window passes `ask_recover`
and `ask_break_lock`.

One writer per project: the session holds the project's lock (`editor.document.lock`) while it
is open and lets go when another project opens or the window closes. A project another live
process holds opens read-only (`read_only` says why): saving and autosaving refuse, and the
window runs no jobs in it. A stale lock (its process is gone) is broken only when the user says
so. Saving checks that project.json is still what was loaded or last saved
(`ProjectChangedOnDisk` otherwise, for the window to ask Overwrite / Save As / Cancel).
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from editor.demo_copy import demo_copy
from editor.document.autosave import autosave, drop_recovery, find_recovery
from editor.document.create import create_project_atomically
from editor.document.document import Change, Document
from editor.document.edits import SetProjectSettings
from editor.document.lock import LockHolder, ProjectLock, ProjectLocked
from editor.document.project import (
    AudioClip,
    AudioTrack,
    Clip,
    Keyframe,
    Project,
    ShotSettings,
    Take,
    Track,
    new_id,
)
from editor.document.scratch import clean_project
from editor.document.storage import (
    PROJECT_FILE,
    SUFFIX,
    ProjectError,
    ProjectStamp,
    create_folder,
    load_project,
    project_folder,
    project_stamp,
    read_project_file,
    save_project,
    save_project_checked,
)
from editor.document.subfolders import inside_project, project_subfolder
from editor.resources_path import demo_source
from editor.ui.background import run_in_background
from editor.ui.settings import Settings
from editor.ui.threads import gc_guard

DEMO_SOURCE = demo_source()  # installed read-only; opened through a copy in the user's folder (read_demo)
LOCK_APP = "Shotline editor"
AUTOSAVE_IDLE_MS = 2000  # an autosave this long after the last edit (see ProjectSession._idle)


@dataclass
class OpenedProject:
    """A project read from disk or made new, complete but not open yet: building one changes
    nothing the window shows, so a failure on the way leaves the open project as it was."""

    document: Document
    recovered: bool = False  # its state came from an autosave and differs from project.json
    note: str = ""  # the status line once it is open ("Created …", "Recovered …")
    lock: ProjectLock | None = None  # held while it is open
    read_only: str = ""  # why it can't be written here (another process holds it), "" when it can
    stamp: ProjectStamp | None = None  # project.json as loaded, to notice other writers before saving

    @property
    def folder(self) -> Path | None:
        return self.document.folder

    def discard(self) -> None:
        """It will not be opened after all: let go of what it holds."""
        if self.lock is not None:
            self.lock.release()


def read_only_text(holder: LockHolder | None, reason: str = "") -> str:
    """The banner and refusal line for a project opened read-only."""
    why = holder.describe() if holder is not None else reason
    return f"Opened read-only: {why}. Changes can't be saved here."


@dataclass
class ReadProject:
    """A project as read from disk by `read_project`, before any question is asked: plain
    Python, made on any thread. `ProjectSession.finish_open` turns it into an `OpenedProject`
    on the GUI thread; `discard()` when it won't be opened after all."""

    folder: Path
    project: Project
    stamp: ProjectStamp | None
    lock: ProjectLock | None  # held (ours to write) or None (read-only: `read_only` says why)
    read_only: str = ""
    stale_holder: LockHolder | None = None  # the lock's holder is gone: ask before breaking it
    recovery: Path | None = None  # an autosave newer than project.json: ask before using it

    def discard(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def read_project(path: Path | str) -> ReadProject:
    """Everything opening `path` reads or tidies on disk (project.json, the lock, stale
    scratch files, the autosave to offer): no Qt, no dialogs, so the window runs it off the GUI
    thread. Raises ProjectError with what to do, holding nothing."""
    folder = project_folder(Path(path))
    if folder.suffix != SUFFIX and not (folder / PROJECT_FILE).exists():
        raise ProjectError(f"{folder} is not a Shotline project: choose a folder ending in {SUFFIX}.")
    stamp = project_stamp(folder)  # before reading: a change in between shows up at the next save
    project = load_project(folder)
    lock, read_only, stale = _try_lock(folder)
    try:
        if lock is not None:  # ours to tidy: partial files and temporaries a killed run left
            clean_project(folder)
        recovery = find_recovery(folder)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return ReadProject(folder, project, stamp, lock, read_only, stale, recovery)


def _try_lock(folder: Path) -> tuple[ProjectLock | None, str, LockHolder | None]:
    """(the lock, "", None) for writing; (None, why, the holder when it is stale) for read-only."""
    try:
        return ProjectLock.acquire(folder, app=LOCK_APP), "", None
    except ProjectLocked as exc:
        return None, read_only_text(exc.holder), exc.holder if exc.holder.stale else None
    except ProjectError as exc:  # the folder can't hold a lock file (read-only media)
        return None, read_only_text(None, f"the project can't be locked ({str(exc).rstrip('.')})"), None


def read_demo() -> ReadProject | None:
    """The demo's private copy (made or refreshed first: editing it never touches the install),
    read as `read_project` does; None when no demo project file is shipped. Any thread."""
    copy = demo_copy()
    return None if copy is None else read_project(copy)


class ProjectSession(QObject):
    """The one open project of a window and everything about keeping it safe on disk."""

    document_replaced = Signal()  # a different project is open now (new / open)
    state_changed = Signal()  # name, folder or unsaved-changes mark changed
    message = Signal(str)  # status-bar line ("Saved", "Autosaved", a recovery note)

    def __init__(self, settings: Settings, *, ask_recover: Callable[[Path], bool] | None = None,
                 ask_break_lock: Callable[[LockHolder], bool] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        gc_guard.engage()  # its autosave timer must never be freed by a collection on another thread
        self.settings = settings
        self.ask_recover = ask_recover or (lambda path: False)
        self.ask_break_lock = ask_break_lock or (lambda holder: False)
        self._lock: ProjectLock | None = None
        self.releasing: Future | None = None  # the release of the lock before, running on a pool thread
        self._read_only = ""
        self._stamp: ProjectStamp | None = None
        self._document = Document(Project(name="Untitled", tracks=[Track(id=new_id("track"), name="V1")]))
        self._unsubscribe = self._document.subscribe(self._on_change)
        self._recovered = False  # the open state came from an autosave and differs from project.json
        self._edits_since_autosave = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.autosave_now)
        self._restart_timer()
        # and once the edits pause: a kill -9 or power cut a few seconds after an edit lost it
        # (the every-N-edits / every-minute autosave had not come round yet)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(AUTOSAVE_IDLE_MS)
        self._idle.timeout.connect(lambda: self.autosave_now(announce=False))

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

    @property
    def read_only(self) -> str:
        """Why the open project can't be saved here ("Opened read-only: …"); "" when it can."""
        return self._read_only

    # --- new / open / save ----------------------------------------------------------------------
    # Each way of getting a project has two halves: `prepare_*` builds an `OpenedProject` and
    # changes nothing that is open (it raises ProjectError with what to do), `adopt` makes it the
    # session's project in one step. The window builds the rest of a project's parts (its jobs,
    # its preview) between the two, so a failure anywhere leaves the open project whole.
    def new_project(self, name: str = "Untitled", *, folder: Path | str | None = None) -> None:
        """A new empty project with the user's defaults (see `prepare_new`)."""
        self.adopt(self.prepare_new(name, folder=folder))

    def open(self, path: Path | str) -> None:
        """Open a project folder (or its project.json). Raises ProjectError with what to do."""
        self.adopt(self.prepare_open(path))

    def open_demo(self) -> None:
        """The demo project (see `prepare_demo`)."""
        self.adopt(self.prepare_demo())

    def prepare_new(self, name: str = "Untitled", *, folder: Path | str | None = None) -> OpenedProject:
        """A new empty project with the user's defaults, not open yet.

        With `folder` (a new NAME.shotline path) the folder is made and the project saved into
        it at once, so autosave, takes and generation jobs work before the first manual save.
        Raises ProjectError when that folder already holds something.
        """
        d = self.settings.defaults()
        project = Project(name=name, fps=Fraction(d.fps), width=d.width, height=d.height,
                          tracks=[Track(id=new_id("track"), name="V2"), Track(id=new_id("track"), name="V1")],
                          audio_tracks=[AudioTrack(id=new_id("audio"), name="A1")])  # as `new` on the CLI
        from editor.ui.project_settings_dialog import first_model

        # the model set up in Settings, as Settings ▸ OK gives the open project one: else Generate
        # stays disabled in a new project until the same model is picked again in Project Settings
        project.defaults.model = first_model(self.settings.model_folders())
        if folder is None:
            return OpenedProject(Document(project))
        folder = Path(folder)
        if folder.suffix != SUFFIX:
            folder = folder.with_name(folder.name + SUFFIX)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise ProjectError(f"{folder} already exists; choose another name or place for the new project.")
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            # built in a hidden sibling and renamed into place: a racing "new" of the same name
            # is refused, and a crash leaves no half project
            lock = create_project_atomically(folder, lambda tmp: save_project(project, tmp), app=LOCK_APP)
        except OSError as exc:
            raise ProjectError(f"Could not create {folder} ({exc.strerror or exc}); "
                               "choose a folder you can write to.") from exc
        return OpenedProject(Document(project, project_folder(folder)), note=f"Created {folder}", lock=lock,
                             stamp=project_stamp(folder))  # absolute folder: see project_folder

    def prepare_open(self, path: Path | str) -> OpenedProject:
        """Read a project folder (or its project.json), not open yet. Raises ProjectError with what to do."""
        return self.finish_open(read_project(path))

    def finish_open(self, read: ReadProject) -> OpenedProject:
        """The GUI-thread half of opening `read` (from `read_project`): the questions (break a
        stale lock? recover the autosave?) and the document. Raises ProjectError; either way the
        lock taken for `read` is the returned project's or released."""
        lock, read_only, folder = read.lock, read.read_only, read.folder
        read.lock = None  # ours now: released below on failure, else the OpenedProject's
        try:
            if read.stale_holder is not None and self.ask_break_lock(read.stale_holder):
                try:
                    lock, read_only = ProjectLock.acquire(folder, app=LOCK_APP, break_stale=True), ""
                except ProjectLocked as again:  # someone else took it meanwhile
                    read_only = read_only_text(again.holder)
                except ProjectError as error:
                    read_only = read_only_text(None, str(error).rstrip("."))
                if lock is not None:
                    clean_project(folder)  # ours to tidy now (see read_project)
            if read.recovery is not None and self.ask_recover(read.recovery):
                return OpenedProject(Document(read_project_file(read.recovery), folder), recovered=True, lock=lock,
                                     read_only=read_only, stamp=read.stamp,
                                     note=f"Recovered unsaved changes from {read.recovery.name}; save to keep them.")
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return OpenedProject(Document(read.project, folder), lock=lock, read_only=read_only, stamp=read.stamp,
                             note=read_only)

    def prepare_demo(self) -> OpenedProject:
        """The demo project, from a private copy so that editing it never touches the install."""
        read = read_demo()
        if read is not None:
            return self.finish_open(read)
        # No demo project file shipped: lay the demo media out as a small cut.
        return OpenedProject(Document(demo_project(DEMO_SOURCE / "media")))

    def adopt(self, opened: OpenedProject) -> None:
        """Make `opened` the session's project: one step, which can't fail half-way. The lock of
        the project before is released, off the GUI thread (the same project opened again keeps its file)."""
        old_lock = self._lock
        self._unsubscribe()
        self._document = opened.document
        self._unsubscribe = opened.document.subscribe(self._on_change)
        self._recovered = opened.recovered
        self._edits_since_autosave = 0
        self._lock, self._read_only, self._stamp = opened.lock, opened.read_only, opened.stamp
        opened.lock = None  # the session's now
        if old_lock is not None:
            # its file is removed on a pool thread: the turn that shows the new project doesn't
            # wait for the disk (held until then; a process ending first removes it at exit)
            self.releasing = run_in_background(functools.partial(_release_quietly, old_lock), lambda _none: None)
        if opened.document.folder is not None:
            self.settings.add_recent_project(opened.document.folder)
        self.document_replaced.emit()
        self.state_changed.emit()
        if opened.note:
            self.message.emit(opened.note)

    def close(self) -> None:
        """The window is closing: no more autosaves, and let go of the project's lock (the
        document stays readable)."""
        self._timer.stop()
        self._idle.stop()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def save(self, *, overwrite: bool = False) -> bool:
        """Save into the project's folder; False when it has none yet (use save_as).

        Raises ProjectError when the project is read-only here, and ProjectChangedOnDisk when
        project.json was changed by someone else since it was loaded or saved (`overwrite=True`
        replaces it anyway)."""
        if self.folder is None:
            return False
        if self._read_only:
            raise ProjectError(f"{self._read_only} Use Save As to keep your changes in another folder.")
        self._stamp = save_project_checked(self._document.project, self.folder,
                                           expected=None if overwrite else self._stamp)
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
        same = old is not None and old.resolve() == folder.resolve()
        lock = self._lock if same and not self._read_only else ProjectLock.acquire(folder, app=LOCK_APP)
        if old is not None and (old / "media").is_dir() and not same:
            source = project_subfolder(old, "media", create=False)  # a link out is not the project's media
            shutil.copytree(source, project_subfolder(folder, "media"), dirs_exist_ok=True,
                            ignore=lambda d, names: [n for n in names if not inside_project(old, Path(d) / n)])
        self._document.folder = project_folder(folder)  # absolute: see project_folder
        if lock is not self._lock:
            if self._lock is not None:
                self._lock.release()
            # a new place: whatever project.json is there, the user chose to save over it
            self._lock, self._read_only, self._stamp = lock, "", None
        if self._document.project.name in ("", "Untitled"):
            # the name follows the folder, as in any editor; an ordinary (undoable) edit
            self._document.request(SetProjectSettings(name=folder.name[: -len(SUFFIX)]))
        self.save()

    def recent_projects(self) -> list[str]:
        return self.settings.recent_projects()

    # --- autosave -------------------------------------------------------------------------------
    def autosave_now(self, *, announce: bool = True) -> Path | None:
        """Write an autosave when there are unsaved edits and a folder to put it in; `announce`
        False (after each pause in editing) leaves the status line to what the user did."""
        if self.folder is None or not self._document.dirty or self._edits_since_autosave == 0 or self._read_only:
            return None  # read-only: the autosave folder belongs to the project's writer
        try:
            path = autosave(self._document)
        except (OSError, ProjectError) as exc:
            self.message.emit(f"Autosave failed: {exc}")
            return None
        self._edits_since_autosave = 0
        if announce:
            self.message.emit("Autosaved")
        return path

    def forget_unsaved(self) -> None:
        """The user discarded the unsaved changes: they are not offered as a recovery when the
        project is opened again (read-only: the autosaves are the writer's)."""
        self._idle.stop()
        self._edits_since_autosave = 0
        if self.folder is not None and not self._read_only:
            drop_recovery(self.folder)

    def _restart_timer(self) -> None:
        self._timer.start(max(5, self.settings.defaults().autosave_every_s) * 1000)

    def _on_change(self, change: Change) -> None:
        self._edits_since_autosave += 1
        if self._edits_since_autosave >= max(1, self.settings.defaults().autosave_every_edits):
            self.autosave_now()
        self._idle.start()  # restarted by each edit: one autosave when they pause
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
    a1 = AudioTrack(id=new_id("audio"), name="A1")
    project.audio_tracks = [a1]
    ambience = media / "lake_ambience.m4a"
    if ambience.exists():  # a soft sound under the whole cut (12 s at 24 fps)
        cut = max(c.end for t in project.tracks for c in t.clips)
        a1.clips.append(AudioClip(id=new_id("sound"), source=str(ambience), start=0, length=min(cut, 288),
                                  source_frames=288, fade_in=24, fade_out=36, name="Lake ambience",
                                  metadata={"imported": True}))
    from editor.document.storage import derived_media

    project.media = derived_media(project)  # the media bin starts with the demo's files
    return project


def _release_quietly(lock: ProjectLock) -> None:
    """Release `lock` (pool thread); a lock file that can't be removed is left for the stale check."""
    try:
        lock.release()
    except (OSError, ProjectError):
        pass
