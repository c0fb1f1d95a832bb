"""Every command of the editor, declared once as data; menus, toolbar and shortcuts read this table.

An `ActionSpec` holds the function it calls (`callback`, from `editor.ui.commands`; the window
is passed to it), its shortcut, icon, menu and toolbar place, and an `enabled_when` rule: a name in `RULES` evaluated on an `ActionContext`
(a snapshot of what the window knows). The generation verbs' entries are made from
`editor.generation.verbs.VERBS`; their rule asks the generation controller, and its reason
is the tooltip when greyed out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from editor.generation.verbs import VERBS, Verb
from editor.ui.commands import about, edit, generation, playback, project, view
from editor.ui.icons import icon

MENUS = ("File", "Edit", "View", "Generate", "Playback", "Help")


@dataclass(frozen=True)
class ActionSpec:
    id: str
    title: str
    # what it does: fn(window), or fn(window, checked) when checkable; the window is injected
    callback: Callable[..., None]
    shortcut: tuple[str, ...] = ()
    icon: str = ""
    enabled_when: str = "always"
    menu: str = ""  # one of MENUS, or "" for shortcut-only actions
    section: str = ""  # a separator goes between sections of a menu
    toolbar: str = ""  # toolbar section, or "" when not on the toolbar
    checkable: bool = False
    tip: str = ""
    verb: Verb | None = None  # a generation verb: its rule is the generation controller's answer

    @classmethod
    def for_verb(cls, verb: Verb) -> ActionSpec:
        """A generation verb's entry, as `editor.generation.verbs` declares it."""
        return cls(verb.action_id, verb.title, functools.partial(generation.queue, verb=verb), verb.shortcut,
                   verb.icon, "generation", menu="Generate", section=verb.section, toolbar="generate",
                   tip=verb.tip, verb=verb)


@dataclass(frozen=True)
class ActionContext:
    """What the rules look at; the window builds one whenever something relevant changes."""

    can_undo: bool = False
    can_redo: bool = False
    undo_label: str = ""
    redo_label: str = ""
    selection: str = "none"  # Selection.kind
    selected_clips: int = 0
    clip_under_playhead: bool = False
    tracks: int = 0
    track_picked: bool = False
    track_index: int = -1  # the picked track's row (0 = top), -1 when none
    has_clips: bool = False
    running_job: bool = False
    paused: bool = False
    generation: Callable[[Verb], tuple[bool, str]] | None = field(default=None, compare=False)
    # what else the answers depend on (document and its edit count, selection revision, the
    # generation controller's state): a context equal to the last one needs no refresh
    revision: tuple = ()


Rule = Callable[[ActionContext], bool]

RULES: dict[str, Rule] = {
    "always": lambda c: True,
    "can_undo": lambda c: c.can_undo,
    "can_redo": lambda c: c.can_redo,
    "clips_selected": lambda c: c.selected_clips > 0,
    "deletable": lambda c: c.selection in ("clips", "keyframe", "gap"),
    "splittable": lambda c: c.clip_under_playhead,
    "track_picked": lambda c: c.track_picked and c.tracks > 1,
    "track_named": lambda c: c.track_picked,
    "track_can_rise": lambda c: c.track_picked and c.track_index > 0,
    "track_can_sink": lambda c: c.track_picked and 0 <= c.track_index < c.tracks - 1,
    "has_clips": lambda c: c.has_clips,
    "running_job": lambda c: c.running_job,
    "generation_ready": lambda c: c.generation is not None,
}

# Shortcuts follow Premiere / Resolve / Kdenlive where they agree.
ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("file.new", "&New Project", project.new_project, ("Ctrl+N",), "new", menu="File", section="project",
               toolbar="file", tip="Start an empty project"),
    ActionSpec("file.open", "&Open Project…", project.open_project, ("Ctrl+O",), "open", menu="File", section="project",
               toolbar="file", tip="Open a .shotline project folder"),
    ActionSpec("file.save", "&Save", project.save, ("Ctrl+S",), "save", menu="File", section="save",
               toolbar="file", tip="Save the project"),
    ActionSpec("file.save_as", "Save &As…", project.save_as, ("Ctrl+Shift+S",), menu="File", section="save"),
    ActionSpec("file.import", "&Import Media…", project.import_media, ("Ctrl+I",), "import", menu="File",
               section="media", tip="Add images and videos to the media bin"),
    ActionSpec("file.import_timeline", "Import &Timeline…", project.import_timeline, (), menu="File",
               section="media", tip="A new project from a cut made in another editor (.otio, .otioz, FCP XML, "
               "FCPXML, EDL)"),
    ActionSpec("file.export", "&Export…", project.export, ("Ctrl+E", "Ctrl+M"), enabled_when="has_clips",
               menu="File", section="media", tip="Export the cut (or the in/out range) as an MP4 file, or the cut for another editor"),
    ActionSpec("file.settings", "Se&ttings…", project.settings, ("Ctrl+,",), "settings", menu="File",
               section="settings", tip="Model folders, device, memory and defaults"),
    ActionSpec("file.project_settings", "&Project Settings…", project.project_settings, (), menu="File",
               section="settings", tip="The project's name, frame rate, size and default video model"),
    ActionSpec("file.quit", "&Quit", project.quit_window, ("Ctrl+Q",), menu="File", section="quit"),
    # Edit
    ActionSpec("edit.undo", "&Undo", edit.undo, ("Ctrl+Z",), "undo", "can_undo", menu="Edit", section="undo",
               toolbar="history"),
    ActionSpec("edit.redo", "&Redo", edit.redo, ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", "can_redo", menu="Edit",
               section="undo", toolbar="history"),
    ActionSpec("edit.split", "&Split at Playhead", edit.split_at_playhead, ("S", "Ctrl+K"), "split", "splittable",
               menu="Edit", section="cut", toolbar="cut", tip="Cut the clip under the playhead in two (S)"),
    ActionSpec("edit.delete", "&Delete", edit.delete_selection, ("Delete", "Backspace"), "delete", "deletable",
               menu="Edit", section="cut", toolbar="cut",
               tip="Delete the selected clips or keyframe, or close the selected gap"),
    ActionSpec("edit.ripple_delete", "&Ripple Delete", edit.ripple_delete, ("Shift+Delete", "Shift+Backspace"),
               "ripple", "clips_selected", menu="Edit", section="cut", toolbar="cut",
               tip="Delete the selected clips and close the hole they leave (Shift+Delete)"),
    ActionSpec("edit.select_all", "Select &All", edit.select_all, ("Ctrl+A",), enabled_when="has_clips", menu="Edit",
               section="select"),
    ActionSpec("edit.deselect", "Deselect", edit.deselect, ("Ctrl+Shift+A",), menu="Edit", section="select"),
    ActionSpec("edit.add_shot", "Add &Draft Shot", edit.add_draft_shot, ("Ctrl+Shift+N",), "add_shot", menu="Edit",
               section="add", toolbar="shots", tip="A shot with a prompt and a length, to generate later"),
    ActionSpec("edit.add_track", "Add &Track", edit.add_track, ("Ctrl+Shift+T",), "add_track", menu="Edit",
               section="add", toolbar="shots", tip="Add an empty track below the others"),
    ActionSpec("edit.remove_track", "Remove Track", edit.remove_track, (), enabled_when="track_picked", menu="Edit",
               section="add", tip="Remove the track of the selection (undo brings it back)"),
    ActionSpec("edit.rename_track", "Rename Track…", edit.rename_track, (), enabled_when="track_named", menu="Edit",
               section="track", tip="Rename the picked track (or double-click its header)"),
    ActionSpec("edit.move_track_up", "Move Track Up", edit.move_track_up, (), enabled_when="track_can_rise",
               menu="Edit", section="track", tip="Move the picked track above the one over it (or drag its header)"),
    ActionSpec("edit.move_track_down", "Move Track Down", edit.move_track_down, (), enabled_when="track_can_sink",
               menu="Edit", section="track", tip="Move the picked track below the one under it (or drag its header)"),
    ActionSpec("edit.link", "&Link Clips", edit.link_clips, ("Ctrl+L",), enabled_when="clips_selected", menu="Edit",
               section="link", tip="Link the selected video clip with its sound: they move and trim together"),
    ActionSpec("edit.unlink", "&Unlink Clips", edit.unlink_clips, ("Ctrl+Shift+L",), enabled_when="clips_selected",
               menu="Edit", section="link", tip="Unlink picture and sound so that they edit apart"),
    ActionSpec("edit.relink", "Re&link Media…", edit.relink_media, (), enabled_when="clips_selected", menu="Edit",
               section="link", tip="Point the selected clip at another file (a missing one, or a new version)"),
    ActionSpec("edit.add_audio_track", "Add &Audio Track", edit.add_audio_track, (), menu="Edit", section="add",
               tip="Add an audio track below the others (A1, A2, …)"),
    # View
    ActionSpec("view.zoom_in", "Zoom &In", view.zoom_in, ("=", "+", "Ctrl+="), "zoom_in", menu="View",
               section="zoom", toolbar="view"),
    ActionSpec("view.zoom_out", "Zoom &Out", view.zoom_out, ("-", "Ctrl+-"), "zoom_out", menu="View", section="zoom",
               toolbar="view"),
    ActionSpec("view.zoom_fit", "Zoom to &Fit", view.zoom_to_fit, ("Shift+Z", "\\"), "zoom_fit", menu="View",
               section="zoom", toolbar="view", tip="Show the whole cut (Shift+Z)"),
    ActionSpec("view.snapping", "S&napping", view.set_snapping, ("N",), "snap", menu="View", section="snap",
               toolbar="view", checkable=True, tip="Snap to clip edges, the playhead and keyframes (N)"),
    ActionSpec("view.storyboard", "&Storyboard", view.show_storyboard, ("F2",), "storyboard", menu="View",
               section="panels", tip="Shot cards in story order (F2)"),
    ActionSpec("view.timeline", "&Timeline", view.show_timeline, ("F3",), menu="View", section="panels"),
    ActionSpec("view.reset_layout", "&Reset Layout", view.reset_layout, (), menu="View", section="layout"),
    # Generate
    *(ActionSpec.for_verb(verb) for verb in VERBS),
    ActionSpec("gen.cancel", "&Cancel Job", generation.cancel_job, ("Ctrl+.",), "cancel", "running_job", menu="Generate",
               section="queue", tip="Stop the running job"),
    ActionSpec("gen.remake_stale", "Make &Stale Takes Again", generation.remake_stale, (), "generate",
               "generation_ready", menu="Generate", section="queue",
               tip="Queue every stale take's recipe again with its context as it is now"),
    ActionSpec("gen.pause", "&Pause Queue", generation.pause_queue, (), "pause", "generation_ready", menu="Generate",
               section="queue", checkable=True, tip="Stop after this step and free the GPU memory"),
    # Playback
    ActionSpec("play.toggle", "&Play / Pause", playback.play_pause, ("Space",), "play", menu="Playback", section="play",
               toolbar="play"),
    ActionSpec("play.back", "Play &Backward (J)", playback.shuttle_back, ("J",), "rewind", menu="Playback",
               section="shuttle"),
    ActionSpec("play.stop", "&Stop (K)", playback.stop, ("K",), "stop", menu="Playback", section="shuttle"),
    ActionSpec("play.forward", "Play &Forward (L)", playback.shuttle_forward, ("L",), "forward", menu="Playback",
               section="shuttle"),
    ActionSpec("play.step_back", "Previous Frame", playback.step_back, ("Left",), "step_back", menu="Playback",
               section="step"),
    ActionSpec("play.step_forward", "Next Frame", playback.step_forward, ("Right",), "step_forward", menu="Playback",
               section="step"),
    ActionSpec("play.start", "Go to Start", playback.go_to_start, ("Home",), menu="Playback", section="step"),
    ActionSpec("play.end", "Go to End", playback.go_to_end, ("End",), menu="Playback", section="step"),
    ActionSpec("play.mark_in", "Mark &In", playback.mark_in, ("I",), "mark_in", menu="Playback", section="marks"),
    ActionSpec("play.mark_out", "Mark &Out", playback.mark_out, ("O",), "mark_out", menu="Playback", section="marks"),
    ActionSpec("play.clear_marks", "Clear In/Out", playback.clear_marks, ("Alt+X",), menu="Playback", section="marks"),
    # Help
    ActionSpec("help.models", "How to Add a &Model", about.show_model_help, (), "help", menu="Help", section="help"),
    ActionSpec("help.shortcuts", "&Keyboard Shortcuts", about.show_shortcuts, ("F1",), menu="Help", section="help"),
    ActionSpec("help.about", "&About Shotline", about.show_about, (), menu="Help", section="about"),
)


class Actions(QObject):
    """The QActions built from `ACTIONS` for one window, and the menus and toolbar laid out from them."""

    def __init__(self, window: QWidget, specs: tuple[ActionSpec, ...] = ACTIONS) -> None:
        super().__init__(window)
        self.specs = {s.id: s for s in specs}
        self._actions: dict[str, QAction] = {}
        for spec in specs:
            if spec.enabled_when not in RULES and spec.verb is None:
                raise ValueError(f"Action {spec.id}: unknown rule {spec.enabled_when!r}")
            if not callable(spec.callback):  # e.g. the name of a window method, as actions once had
                raise TypeError(f"Action {spec.id}: the callback must be a function of the window "
                                f"(see editor.ui.commands), not {spec.callback!r}")
            action = QAction(spec.title, window)
            action.setObjectName(spec.id)
            if spec.icon:
                action.setIcon(icon(spec.icon))
            if spec.shortcut:
                action.setShortcuts([QKeySequence(s) for s in spec.shortcut])
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setCheckable(spec.checkable)
            tip = spec.tip or spec.title.replace("&", "").rstrip("…")
            action.setStatusTip(tip)
            action.setToolTip(_with_shortcut(tip, spec))
            if spec.checkable:
                action.toggled.connect(functools.partial(spec.callback, window))
            else:
                action.triggered.connect(lambda _checked=False, cb=spec.callback: cb(window))
            window.addAction(action)  # shortcuts work even for actions in no visible menu
            self._actions[spec.id] = action

    def __getitem__(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __iter__(self):
        return iter(self._actions.values())

    def build_menus(self, menubar: QMenuBar) -> dict[str, QMenu]:
        menus = {}
        for name in MENUS:
            menu = menubar.addMenu(f"&{name}")
            menu.setObjectName(f"menu.{name.lower()}")
            section = None
            for spec in self.specs.values():
                if spec.menu != name:
                    continue
                if section is not None and spec.section != section:
                    menu.addSeparator()
                section = spec.section
                menu.addAction(self._actions[spec.id])
            menus[name] = menu
        return menus

    def build_toolbar(self, toolbar: QToolBar, sections: tuple[str, ...] | None = None) -> None:
        """Add the actions of the given toolbar sections (all when None), separated by section."""
        section = None
        for spec in self.specs.values():
            if not spec.toolbar or (sections is not None and spec.toolbar not in sections):
                continue
            if section is not None and spec.toolbar != section:
                toolbar.addSeparator()
            section = spec.toolbar
            toolbar.addAction(self._actions[spec.id])

    def refresh(self, ctx: ActionContext) -> None:
        """Enable/disable every action by its rule; generation actions take their tooltip from
        the controller's reason, so a greyed-out button says why."""
        for spec in self.specs.values():
            action = self._actions[spec.id]
            if spec.verb is not None:
                if ctx.generation is None:
                    enabled, reason = False, "Generation is not set up: see Help ▸ How to Add a Model."
                else:
                    enabled, reason = ctx.generation(spec.verb)
                action.setEnabled(enabled)
                tip = spec.tip or spec.title.replace("&", "").rstrip("…")
                action.setToolTip(_with_shortcut(f"{tip}\n{reason}" if reason else tip, spec))
                action.setStatusTip(reason or tip)
            else:
                action.setEnabled(RULES[spec.enabled_when](ctx))
        undo, redo = self._actions["edit.undo"], self._actions["edit.redo"]
        undo.setText(ctx.undo_label.replace("Undo ", "&Undo ", 1) if ctx.undo_label else "&Undo")
        redo.setText(ctx.redo_label.replace("Redo ", "&Redo ", 1) if ctx.redo_label else "&Redo")
        undo.setToolTip(_with_shortcut(ctx.undo_label or "Nothing to undo", self.specs["edit.undo"]))
        redo.setToolTip(_with_shortcut(ctx.redo_label or "Nothing to redo", self.specs["edit.redo"]))


def _with_shortcut(text: str, spec: ActionSpec) -> str:
    if not spec.shortcut:
        return text
    return f"{text} ({_key_text(spec.shortcut[0])})"


@functools.cache
def _key_text(shortcut: str) -> str:
    """A shortcut as this platform writes it ("Ctrl+G"); worked out once (it costs about a ms)."""
    return QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
