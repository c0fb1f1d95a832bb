"""Every command of the editor, declared once as data; menus, toolbar and shortcuts read this table.

An `ActionSpec` names the window method it calls (`callback`), its shortcut, icon, menu and
toolbar place, and an `enabled_when` rule: a name in `RULES` evaluated on an `ActionContext`
(a snapshot of what the window knows). Generation actions use the rule "generation:<action>",
which asks the generation controller and shows its reason as the tooltip when greyed out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from editor.ui.icons import icon

MENUS = ("File", "Edit", "View", "Generate", "Playback", "Help")


@dataclass(frozen=True)
class ActionSpec:
    id: str
    title: str
    callback: str  # name of a method on the window
    shortcut: tuple[str, ...] = ()
    icon: str = ""
    enabled_when: str = "always"
    menu: str = ""  # one of MENUS, or "" for shortcut-only actions
    section: str = ""  # a separator goes between sections of a menu
    toolbar: str = ""  # toolbar section, or "" when not on the toolbar
    checkable: bool = False
    tip: str = ""


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
    generation: Callable[[str], tuple[bool, str]] | None = field(default=None, compare=False)
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
    ActionSpec("file.new", "&New Project", "new_project", ("Ctrl+N",), "new", menu="File", section="project",
               toolbar="file", tip="Start an empty project"),
    ActionSpec("file.open", "&Open Project…", "open_project", ("Ctrl+O",), "open", menu="File", section="project",
               toolbar="file", tip="Open a .shotline project folder"),
    ActionSpec("file.save", "&Save", "save_project", ("Ctrl+S",), "save", menu="File", section="save",
               toolbar="file", tip="Save the project"),
    ActionSpec("file.save_as", "Save &As…", "save_project_as", ("Ctrl+Shift+S",), menu="File", section="save"),
    ActionSpec("file.import", "&Import Media…", "import_media", ("Ctrl+I",), "import", menu="File",
               section="media", tip="Add images and videos to the media bin"),
    ActionSpec("file.export", "&Export…", "export_cut", ("Ctrl+E", "Ctrl+M"), enabled_when="has_clips",
               menu="File", section="media", tip="Export the cut (or the in/out range) as an MP4 file"),
    ActionSpec("file.settings", "Se&ttings…", "show_settings", ("Ctrl+,",), "settings", menu="File",
               section="settings", tip="Model folders, device, memory and defaults"),
    ActionSpec("file.project_settings", "&Project Settings…", "show_project_settings", (), menu="File",
               section="settings", tip="The project's name, frame rate, size and default video model"),
    ActionSpec("file.quit", "&Quit", "close", ("Ctrl+Q",), menu="File", section="quit"),
    # Edit
    ActionSpec("edit.undo", "&Undo", "undo", ("Ctrl+Z",), "undo", "can_undo", menu="Edit", section="undo",
               toolbar="history"),
    ActionSpec("edit.redo", "&Redo", "redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", "can_redo", menu="Edit",
               section="undo", toolbar="history"),
    ActionSpec("edit.split", "&Split at Playhead", "split_at_playhead", ("S", "Ctrl+K"), "split", "splittable",
               menu="Edit", section="cut", toolbar="cut", tip="Cut the clip under the playhead in two (S)"),
    ActionSpec("edit.delete", "&Delete", "delete_selection", ("Delete", "Backspace"), "delete", "deletable",
               menu="Edit", section="cut", toolbar="cut",
               tip="Delete the selected clips or keyframe, or close the selected gap"),
    ActionSpec("edit.ripple_delete", "&Ripple Delete", "ripple_delete", ("Shift+Delete", "Shift+Backspace"),
               "ripple", "clips_selected", menu="Edit", section="cut", toolbar="cut",
               tip="Delete the selected clips and close the hole they leave (Shift+Delete)"),
    ActionSpec("edit.select_all", "Select &All", "select_all", ("Ctrl+A",), enabled_when="has_clips", menu="Edit",
               section="select"),
    ActionSpec("edit.deselect", "Deselect", "deselect", ("Ctrl+Shift+A",), menu="Edit", section="select"),
    ActionSpec("edit.add_shot", "Add &Draft Shot", "add_draft_shot", ("Ctrl+Shift+N",), "add_shot", menu="Edit",
               section="add", toolbar="shots", tip="A shot with a prompt and a length, to generate later"),
    ActionSpec("edit.add_track", "Add &Track", "add_track", ("Ctrl+Shift+T",), "add_track", menu="Edit",
               section="add", toolbar="shots", tip="Add an empty track below the others"),
    ActionSpec("edit.remove_track", "Remove Track", "remove_track", (), enabled_when="track_picked", menu="Edit",
               section="add", tip="Remove the track of the selection (undo brings it back)"),
    ActionSpec("edit.rename_track", "Rename Track…", "rename_track", (), enabled_when="track_named", menu="Edit",
               section="track", tip="Rename the picked track (or double-click its header)"),
    ActionSpec("edit.move_track_up", "Move Track Up", "move_track_up", (), enabled_when="track_can_rise",
               menu="Edit", section="track", tip="Move the picked track above the one over it (or drag its header)"),
    ActionSpec("edit.move_track_down", "Move Track Down", "move_track_down", (), enabled_when="track_can_sink",
               menu="Edit", section="track", tip="Move the picked track below the one under it (or drag its header)"),
    ActionSpec("edit.link", "&Link Clips", "link_clips", ("Ctrl+L",), enabled_when="clips_selected", menu="Edit",
               section="link", tip="Link the selected video clip with its sound: they move and trim together"),
    ActionSpec("edit.unlink", "&Unlink Clips", "unlink_clips", ("Ctrl+Shift+L",), enabled_when="clips_selected",
               menu="Edit", section="link", tip="Unlink picture and sound so that they edit apart"),
    ActionSpec("edit.add_audio_track", "Add &Audio Track", "add_audio_track", (), menu="Edit", section="add",
               tip="Add an audio track below the others (A1, A2, …)"),
    # View
    ActionSpec("view.zoom_in", "Zoom &In", "zoom_in", ("=", "+", "Ctrl+="), "zoom_in", menu="View",
               section="zoom", toolbar="view"),
    ActionSpec("view.zoom_out", "Zoom &Out", "zoom_out", ("-", "Ctrl+-"), "zoom_out", menu="View", section="zoom",
               toolbar="view"),
    ActionSpec("view.zoom_fit", "Zoom to &Fit", "zoom_to_fit", ("Shift+Z", "\\"), "zoom_fit", menu="View",
               section="zoom", toolbar="view", tip="Show the whole cut (Shift+Z)"),
    ActionSpec("view.snapping", "S&napping", "set_snapping", ("N",), "snap", menu="View", section="snap",
               toolbar="view", checkable=True, tip="Snap to clip edges, the playhead and keyframes (N)"),
    ActionSpec("view.storyboard", "&Storyboard", "show_storyboard", ("F2",), "storyboard", menu="View",
               section="panels", tip="Shot cards in story order (F2)"),
    ActionSpec("view.timeline", "&Timeline", "show_timeline", ("F3",), menu="View", section="panels"),
    ActionSpec("view.reset_layout", "&Reset Layout", "reset_layout", (), menu="View", section="layout"),
    # Generate
    ActionSpec("gen.generate", "&Generate Shot", "generate_shot", ("Ctrl+G",), "generate", "generation:generate",
               menu="Generate", section="make", toolbar="generate", tip="Make a take for the selected shot"),
    ActionSpec("gen.animate", "&Animate Still", "animate_still", ("Ctrl+Shift+G",), "animate",
               "generation:animate", menu="Generate", section="make", toolbar="generate"),
    ActionSpec("gen.extend_forward", "Extend &Forward", "extend_forward", ("Ctrl+]",), "extend_forward",
               "generation:extend_forward", menu="Generate", section="extend", toolbar="generate"),
    ActionSpec("gen.extend_backward", "Extend &Backward", "extend_backward", ("Ctrl+[",), "extend_backward",
               "generation:extend_backward", menu="Generate", section="extend", toolbar="generate"),
    ActionSpec("gen.infill", "&Infill Gap", "infill_gap", ("Ctrl+Shift+I",), "infill", "generation:infill",
               menu="Generate", section="extend", toolbar="generate"),
    ActionSpec("gen.loop", "&Loop", "loop_clip", (), "loop", "generation:loop", menu="Generate", section="extend",
               toolbar="generate"),
    ActionSpec("gen.restyle", "&Restyle…", "restyle_clip", (), "restyle", "generation:restyle", menu="Generate",
               section="extend", toolbar="generate"),
    ActionSpec("gen.cancel", "&Cancel Job", "cancel_job", ("Ctrl+.",), "cancel", "running_job", menu="Generate",
               section="queue", tip="Stop the running job"),
    ActionSpec("gen.pause", "&Pause Queue", "pause_queue", (), "pause", "generation_ready", menu="Generate",
               section="queue", checkable=True, tip="Stop after this step and free the GPU memory"),
    # Playback
    ActionSpec("play.toggle", "&Play / Pause", "play_pause", ("Space",), "play", menu="Playback", section="play",
               toolbar="play"),
    ActionSpec("play.back", "Play &Backward (J)", "shuttle_back", ("J",), "rewind", menu="Playback",
               section="shuttle"),
    ActionSpec("play.stop", "&Stop (K)", "stop", ("K",), "stop", menu="Playback", section="shuttle"),
    ActionSpec("play.forward", "Play &Forward (L)", "shuttle_forward", ("L",), "forward", menu="Playback",
               section="shuttle"),
    ActionSpec("play.step_back", "Previous Frame", "step_back", ("Left",), "step_back", menu="Playback",
               section="step"),
    ActionSpec("play.step_forward", "Next Frame", "step_forward", ("Right",), "step_forward", menu="Playback",
               section="step"),
    ActionSpec("play.start", "Go to Start", "go_to_start", ("Home",), menu="Playback", section="step"),
    ActionSpec("play.end", "Go to End", "go_to_end", ("End",), menu="Playback", section="step"),
    ActionSpec("play.mark_in", "Mark &In", "mark_in", ("I",), "mark_in", menu="Playback", section="marks"),
    ActionSpec("play.mark_out", "Mark &Out", "mark_out", ("O",), "mark_out", menu="Playback", section="marks"),
    ActionSpec("play.clear_marks", "Clear In/Out", "clear_marks", ("Alt+X",), menu="Playback", section="marks"),
    # Help
    ActionSpec("help.models", "How to Add a &Model", "show_model_help", (), "help", menu="Help", section="help"),
    ActionSpec("help.shortcuts", "&Keyboard Shortcuts", "show_shortcuts", ("F1",), menu="Help", section="help"),
    ActionSpec("help.about", "&About Shotline", "show_about", (), menu="Help", section="about"),
)


class Actions(QObject):
    """The QActions built from `ACTIONS` for one window, and the menus and toolbar laid out from them."""

    def __init__(self, window: QWidget, specs: tuple[ActionSpec, ...] = ACTIONS) -> None:
        super().__init__(window)
        self.specs = {s.id: s for s in specs}
        self._actions: dict[str, QAction] = {}
        for spec in specs:
            if spec.enabled_when not in RULES and not spec.enabled_when.startswith("generation:"):
                raise ValueError(f"Action {spec.id}: unknown rule {spec.enabled_when!r}")
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
            callback = getattr(window, spec.callback)
            if spec.checkable:
                action.toggled.connect(callback)
            else:
                action.triggered.connect(lambda _checked=False, cb=callback: cb())
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
            rule = spec.enabled_when
            if rule.startswith("generation:"):
                if ctx.generation is None:
                    enabled, reason = False, "Generation is not set up: see Help ▸ How to Add a Model."
                else:
                    enabled, reason = ctx.generation(rule.split(":", 1)[1])
                action.setEnabled(enabled)
                tip = spec.tip or spec.title.replace("&", "").rstrip("…")
                action.setToolTip(_with_shortcut(f"{tip}\n{reason}" if reason else tip, spec))
                action.setStatusTip(reason or tip)
            else:
                action.setEnabled(RULES[rule](ctx))
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


def shortcut_table(specs: tuple[ActionSpec, ...] = ACTIONS) -> list[tuple[str, str, str]]:
    """(menu, title, shortcuts) rows for the Help ▸ Keyboard Shortcuts dialog."""
    rows = []
    for s in specs:
        if s.shortcut:
            keys = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in s.shortcut)
            rows.append((s.menu or "—", s.title.replace("&", "").rstrip("…"), keys))
    return rows
