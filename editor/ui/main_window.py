"""The main window: menus, toolbar and dock panels around the open project.

The window wires shared objects together (document, selection, playhead, thumbnails, the
generation controller); what each menu entry does is a function in `editor.ui.commands`, which
`actions.ACTIONS` calls with the window. The panels talk to the document and the selection
directly, never through the window.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QImage
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSlider,
    QTabBar,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

import editor.document.ops  # noqa: F401 - edits import it on first use; loaded with the window, not on the first open
from editor.document.document import Change, Document
from editor.document.edits import Edit, EditRefused
from editor.document.media_paths import resolve_media
from editor.document.storage import SUFFIX, ProjectChangedOnDisk, ProjectError
from editor.document.timecode import duration_text, timecode
from editor.generation import verbs
from editor.media.errors import MediaError
from editor.media.thumbnails import ThumbnailCache
from editor.ui.actions import ActionContext, Actions
from editor.ui.cast_panel import CastPanel
from editor.ui.commands import generation as generation_commands
from editor.ui.export_dialog import ExportDialog
from editor.ui.export_form import codecs_later
from editor.ui.following import DocumentSubscription
from editor.ui.history_panel import HistoryPanel
from editor.ui.idle_build import IdleBuild
from editor.ui.inspector import Inspector
from editor.ui.media_bin import MediaBin
from editor.ui.playhead import Playhead, play_end
from editor.ui.project_opener import ProjectOpener, next_turn
from editor.ui.project_parts import NO_FOLDER_NOTE, ProjectParts, build_controller, build_parts
from editor.ui.project_session import OpenedProject, ProjectSession
from editor.ui.proxy_builder import ProxyBuilder
from editor.ui.selection import Selection
from editor.ui.settings import Settings, config_dir
from editor.ui.storyboard import Storyboard
from editor.ui.theme import COLORS
from editor.ui.threads import gc_guard
from editor.ui.timeline import TimelineView
from editor.ui.timeline.geometry import MAX_PX_PER_FRAME, MIN_PX_PER_FRAME
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.ui.warm_imports import warm_in_background
from editor.words import plural

STATUS_MS = 6000
ZOOM_SLIDER_STEPS = 1000


class MainWindow(QMainWindow):
    """One open project. Create, then `open_project_path(...)`, `open_demo()` or `new_project()`."""

    def __init__(self, settings: Settings | None = None, *, restore_layout: bool = True,
                 ask: bool = True) -> None:
        super().__init__()
        gc_guard.engage()  # garbage is collected on the GUI thread only (see gc_guard), from the start
        self.setObjectName("main_window")
        # Closed is gone: its actions' connections hold Python callbacks that refer back to the
        # window, so without this a closed window, its timers and panels would live on forever.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings = settings or Settings()
        self._ask = ask  # False: never block on a dialog (screenshots, scripted runs)
        self.session = ProjectSession(self.settings, ask_recover=self._ask_recover,
                                      ask_break_lock=self._ask_break_lock, parent=self)
        self.selection = Selection(self)
        self.playhead = Playhead(parent=self)
        self.thumbnails = ThumbnailProvider(self._load_thumbnail, parent=self)
        self._thumb_caches: dict[int, object] = {}
        self._thumb_lock = threading.Lock()
        self._thumb_folder: Path | None = None
        self.controller = None
        self.generation_note = ""  # why there is no controller (no folder, read-only, a broken journal)
        self.jobs_panel = None
        self.monitor_panel = None
        self.preview = None
        self._shut_down = False  # shutdown() has run: closing and ending the session both call it
        self._subscription = DocumentSubscription(self._on_change)
        self.export_dialog = None  # made on first use (File ▸ Export…), then kept: it remembers its fields
        self._actions_context = None  # what the actions were last evaluated on

        self.actions = Actions(self)
        document = self.session.document
        self._build_panels(document)
        self.actions["view.snapping"].setChecked(True)
        self._tab_tidy = QTimer(self)
        self._tab_tidy.setSingleShot(True)
        self._tab_tidy.setInterval(0)
        self._tab_tidy.timeout.connect(self.hide_stray_tab_bars)
        for dock in self.docks.values():
            dock.dockLocationChanged.connect(lambda *_: self._tidy_tab_bars_later(delay_ms=400))
            if hasattr(dock.widget(), "catch_up"):  # a panel left behind while hidden fills in when shown
                dock.visibilityChanged.connect(lambda shown, d=dock: shown and self._catch_up(d))
            dock.topLevelChanged.connect(lambda *_: self._tidy_tab_bars_later(delay_ms=400))
        self._build_chrome()
        self._default_state = self.saveState()
        if restore_layout:
            self._restore_layout()

        # preview proxies of the project's long-GOP videos, made in the background, paused while a job runs
        self.proxies = ProxyBuilder(generating=self._generating, parent=self)
        self.proxies.message.connect(self.show_message)
        self.proxies.proxy_ready.connect(self._on_proxy_ready)
        # ffmpeg is asked which encoders it has now, off the GUI thread, not when Export opens
        codecs_later()
        self.session.document_replaced.connect(self._on_document_replaced)
        self.session.state_changed.connect(self._update_title)
        self.session.message.connect(self.show_message)
        self.selection.changed.connect(self.refresh_actions)
        self.playhead.changed.connect(self._on_playhead)
        self._adopting = False  # the window itself is making the session adopt a project
        self.importing_timeline: Path | None = None  # the cut File ▸ Import Timeline is reading now
        # closing waits for this to end ("Finish first"): a job id, or "export"
        self._closing_after: int | str | None = None
        self._closing_after_done: int | str | None = None  # ...and has ended: the close goes on
        self._waited_for: int | str | None = None  # what the close now under way waited for
        self.opener = ProjectOpener(self)  # File > Open and Open Recent: read off the GUI thread
        self._panels_to_follow: list[QWidget] = []  # panels still showing the project before (see _swap)
        self._ahead = IdleBuild(self._busy_for_building_ahead, self)  # the Export dialog, before it is asked for
        from editor.ui.stale_watch import StaleWatch

        self.stale_watch = StaleWatch(self)  # a picture changed on disk re-asks which takes are stale
        self.stale_watch.changed.connect(self._stale_changed)
        self._switch_to(OpenedProject(document), adopted=True)
        warm_in_background()  # what a project's open imports, loaded before the first open
        gc_guard.settled()  # what start-up made lives as long as the window: no collection walks it again

    # --- building -----------------------------------------------------------------------------
    def _build_panels(self, document: Document) -> None:
        defaults = self.settings.defaults()
        action_map = {a.objectName(): a for a in self.actions}
        from editor.ui.timeline.waveforms import WaveformProvider

        self.waveforms = WaveformProvider(self._load_peaks, parent=self)
        self.timeline = TimelineView(document, self.selection, self.playhead, thumbnails=self.thumbnails,
                                     probe=_probe_frames, still_seconds=defaults.still_seconds,
                                     waveforms=self.waveforms)
        self.timeline.message.connect(self.show_message)
        if not self._ask:
            self.timeline.confirm = None  # never block on a dialog; removing a track is undoable
        self.timeline.refused.connect(lambda text: self.show_message(text, error=True))
        self.timeline.clip_activated.connect(self._on_clip_activated)
        self.timeline.track_picked.connect(self.refresh_actions)
        self.timeline.zoom_changed.connect(self._sync_zoom_slider)
        self.timeline.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.timeline.customContextMenuRequested.connect(self._timeline_menu)
        self.storyboard = Storyboard(document, self.selection, actions=self.actions, thumbnails=self.thumbnails)
        self.storyboard.message.connect(lambda text: self.show_message(text, error=True))
        self.storyboard.hint.connect(self.show_message)
        self.storyboard.shot_activated.connect(self._on_clip_activated)
        self.inspector = Inspector(document, self.selection, actions=action_map, thumbnails=self.thumbnails,
                                   models=self.settings.model_folders())
        self.inspector.message.connect(lambda text: self.show_message(text, error=True))
        self.inspector.queue_plans.connect(self._queue_plans)  # variations, a stale take made again
        self.inspector.compare_takes.connect(self._compare_takes)
        generation_commands.wire_enhance_box(self)  # Inspector ▸ Enhance prompt: settings in, jobs out
        generation_commands.wire_gap_settings(self)  # Inspector ▸ Gap: Seed/Steps/Guidance go with Infill
        self.history = HistoryPanel(document)
        self.media_bin = MediaBin(document, self.thumbnails)
        self.media_bin.message.connect(self.show_message)
        self.cast_panel = CastPanel(document, self.selection, thumbnails=self.thumbnails)
        self.cast_panel.message.connect(self.show_message)

        self.setDockNestingEnabled(True)
        self.setDockOptions(QMainWindow.DockOption.AllowTabbedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.GroupedDragging)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        self.docks: dict[str, QDockWidget] = {}
        self._central = self._preview_placeholder()
        self.setCentralWidget(self._central)
        self.docks["media"] = self._dock("media", "Media", self.media_bin, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.docks["history"] = self._dock("history", "History", self.history, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.docks["inspector"] = self._dock("inspector", "Inspector", self.inspector,
                                             Qt.DockWidgetArea.RightDockWidgetArea)
        self.docks["timeline"] = self._dock("timeline", "Timeline", self._timeline_panel(),
                                            Qt.DockWidgetArea.BottomDockWidgetArea)
        self.docks["storyboard"] = self._dock("storyboard", "Storyboard", self.storyboard,
                                              Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["media"], self.docks["history"])
        self.tabifyDockWidget(self.docks["timeline"], self.docks["storyboard"])
        self.docks["cast"] = self._dock("cast", "Cast", self.cast_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.docks["inspector"], self.docks["cast"])
        self.docks["media"].raise_()
        self.docks["timeline"].raise_()
        self.docks["inspector"].raise_()
        self._build_generation_panels(document)

    def _preview_placeholder(self) -> QWidget:
        """The centre: the program preview when the generation package provides it."""
        holder = QWidget()
        holder.setObjectName("preview_area")
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        return holder

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock.{name}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        # Panels are tabbed in groups; the tab names them, so the title strip would only repeat it.
        dock.setTitleBarWidget(QWidget(dock))
        self.addDockWidget(area, dock)
        return dock

    def _timeline_panel(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("timeline_panel")
        bar = QToolBar("Timeline tools", panel)
        bar.setObjectName("timeline_bar")
        bar.setIconSize(QSize(16, 16))
        self.actions.build_toolbar(bar, ("shots", "cut", "view"))
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred)
        bar.addWidget(spacer)
        self.zoom_slider = QSlider(Qt.Orientation.Horizontal)
        self.zoom_slider.setObjectName("timeline.zoom")
        self.zoom_slider.setRange(0, ZOOM_SLIDER_STEPS)
        self.zoom_slider.setFixedWidth(140)
        self.zoom_slider.setToolTip("Zoom (Ctrl+wheel over the timeline, + and -)")
        self.zoom_slider.valueChanged.connect(self._on_zoom_slider)
        bar.addWidget(self.zoom_slider)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.timeline, 1)
        return panel

    def _build_chrome(self) -> None:
        self.menus = self.actions.build_menus(self.menuBar())
        self.recent_menu = self.menus["File"].addMenu("Open &Recent")
        self.recent_menu.setObjectName("menu.recent")
        self.menus["File"].insertMenu(self.actions["file.save"], self.recent_menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        panels = self.menus["View"].addMenu("&Panels")
        for dock in self.docks.values():
            panels.addAction(dock.toggleViewAction())
        self.panels_menu = panels
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("toolbar.main")
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.actions.build_toolbar(toolbar, ("file", "history", "generate", "play"))
        for name in (verbs.GENERATE.action_id,):
            button = toolbar.widgetForAction(self.actions[name])
            if button is not None:
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred)
        toolbar.addWidget(spacer)
        self.timecode_label = QLabel()
        self.timecode_label.setObjectName("toolbar.timecode")
        self.timecode_label.setStyleSheet(
            f"font-family: 'DejaVu Sans Mono', monospace; font-size: 13pt; color: {COLORS.accent}; padding: 0 10px;")
        toolbar.addWidget(self.timecode_label)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        self._build_read_only_banner()

        status = self.statusBar()
        status.messageChanged.connect(self._on_status_changed)
        self.selection_label = QLabel()
        self.format_label = QLabel()
        status.addPermanentWidget(self.selection_label)
        status.addPermanentWidget(self.format_label)

    def _build_read_only_banner(self) -> None:
        """A strip across the top of the window while the project is open read-only."""
        self.addToolBarBreak()
        bar = QToolBar("Read-only", self)
        bar.setObjectName("toolbar.read_only")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setStyleSheet(f"QToolBar {{ background: #5a4410; border: none; padding: 2px 8px; }}"
                          f" QLabel {{ color: {COLORS.text}; }}")
        self.read_only_label = QLabel()
        self.read_only_label.setObjectName("read_only.text")
        # one line across the strip (a wrapped label would make it as tall as for a narrow width);
        # the button sits at its right end
        self.read_only_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.read_only_label)
        save_as = QPushButton("Save As…")
        save_as.setObjectName("read_only.save_as")
        save_as.setToolTip("Keep your changes as a new project in a folder you choose")
        save_as.clicked.connect(self.save_project_as)
        bar.addWidget(save_as)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        bar.hide()
        self.read_only_bar = bar

    def _update_read_only(self) -> None:
        text = self.session.read_only
        self.read_only_label.setText(f"{text} Use Save As… to keep your changes in another folder." if text else "")
        self.read_only_label.setToolTip(self.read_only_label.text())
        self.read_only_bar.setVisible(bool(text))

    def _build_generation_panels(self, document: Document) -> None:
        """Dock the generation package's panels; they need a saved project (a folder for takes)."""
        if "jobs" not in self.docks:
            from editor.ui.jobs import MonitorPanel

            self.docks["jobs"] = self._dock("jobs", "Jobs", _Note("Jobs appear here once the project is saved."),
                                            Qt.DockWidgetArea.RightDockWidgetArea)
            # one monitor for the window's life, pointed at each project's controller: its plots
            # take tens of milliseconds to build, more than opening a project may take
            self.monitor_panel = MonitorPanel()
            self.docks["monitor"] = self._dock("monitor", "Monitor", self.monitor_panel,
                                               Qt.DockWidgetArea.RightDockWidgetArea)
            self.tabifyDockWidget(self.docks["inspector"], self.docks["jobs"])
            self.tabifyDockWidget(self.docks["jobs"], self.docks["monitor"])
            self.docks["inspector"].raise_()

    # --- documents ----------------------------------------------------------------------------
    @property
    def document(self) -> Document:
        return self.session.document

    def _switch_to(self, opened: OpenedProject, *, adopted: bool = False) -> bool:
        """Make `opened` the window's project in one step.

        Its parts (preview, generation controller) are built completely first; if that fails,
        what was built is disposed of, the open project stays whole and the status line says
        why (False). `adopted`: the session has already taken the document (the window's first
        project, or a script that switched the session itself); the panels follow it.
        """
        self.opener.cancel()  # a menu's open still being read was asked for before this one: this one wins
        parts = self.build_parts_for(opened, adopted=adopted)
        if parts is None:
            return False
        self._swap(parts, adopted=adopted)
        return True

    def build_parts_for(self, opened: OpenedProject, *, adopted: bool = False,
                        jobs_panel: bool = True) -> ProjectParts | None:
        """`opened`'s preview and controller, built and not shown; None when that failed (the
        status line says why, `opened` is discarded, the open project stays whole).
        `jobs_panel=False`: see `project_parts.build_parts`."""
        try:
            return build_parts(opened, playhead=self.playhead, selection=self.selection,
                               settings=self.settings, parent=self, jobs_panel=jobs_panel)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the open project stays whole
            name = opened.document.project.name or "the project"
            if not adopted:
                opened.discard()
                self.show_message(f"Could not open {name} ({exc}); the open project is unchanged.", error=True)
                return None
            # the session holds it already: show it without the parts that failed
            return ProjectParts(opened, None, None, f"Generation is unavailable for {name}: {exc}", True)

    def dispose_parts(self, parts: ProjectParts) -> None:
        """Parts built for a project that won't be opened after all (a later open won)."""
        if parts.preview is not None:
            parts.preview.shutdown(wait=False)  # it deletes itself once its thread has ended
        if parts.jobs_panel is not None:
            parts.jobs_panel.deleteLater()
        if parts.controller is not None:
            parts.controller.shutdown(wait=False)
        parts.opened.discard()

    def swap_parts(self, parts: ProjectParts, *, spread: bool = False) -> None:
        """Show `parts` (built by `build_parts_for`); `spread`: see `_swap`."""
        self._swap(parts, adopted=False, spread=spread)

    def _swap(self, parts: ProjectParts, *, adopted: bool, spread: bool = False) -> None:
        """Point the session and every panel at `parts` in one place, then end the old parts.

        `spread` (the menus' opens): the storyboard, media and cast panels follow at once but
        rebuild one per event-loop turn (or when shown, if a tab behind another), so no single
        turn rebuilds them all."""
        old_controller, old_name = self.controller, self.session.name
        document = parts.opened.document
        self._use_settings_model(document)
        # Nothing may look up the old project's ids in the new one: the selection goes first,
        # while every panel still shows the project it belongs to.
        self.selection.clear()
        self.playhead.pause()
        self._closing_after = None  # what a close waited for belongs to the project being left
        if not adopted:
            self._save_what_landed_since_asked()
            self._adopting = True
            try:
                self.session.adopt(parts.opened)
            finally:
                self._adopting = False
        self.thumbnails.clear()
        if hasattr(self, "waveforms"):
            self.waveforms.clear()
        self._thumb_folder = document.folder
        for widget in (self.timeline, self.inspector, self.history):
            widget.set_document(document)
        # These follow the new document now and rebuild one per turn (spread), or when shown
        # if they are a tab behind another: nothing looks the new project's ids up in the old one.
        panels = [self.storyboard, self.media_bin, self.cast_panel]
        self._panels_to_follow = panels if spread else []
        for widget in panels:
            widget.set_document(document, later=spread)
        if spread:
            # the window's first paint of the new project gets a turn of its own (not this one's,
            # which would then hold the swap and the paint), and the panels follow after it
            self.setUpdatesEnabled(False)
            next_turn(self, self._show_swapped)
        self._subscription.follow(document)
        self.stale_watch.follow(document)
        self._install_preview(parts.preview)
        self._install_controller(parts.controller, parts.note, failed=parts.failed, jobs_panel=parts.jobs_panel)
        self.proxies.set_document(document)
        self.playhead.clear_marks()
        self.playhead.set_frame(0)
        self.playhead.set_fps(document.project.fps)
        self.playhead.set_end(play_end(document.project))
        self._update_title()
        self._update_format()
        self._update_read_only()
        self.refresh_actions()
        self._on_playhead()
        # The old project's jobs end only now that the new project stands: a running one goes
        # back to the front of its queue and runs when that project is opened again.
        if old_controller is not None:
            waiting = len(old_controller.waiting_ids()) + (old_controller.running_job is not None)
            old_controller.shutdown(wait=False)
            if waiting:
                self.show_message(f"1 job of {old_name} waits in its queue and runs when you open it again."
                                  if waiting == 1 else f"{waiting} jobs of {old_name} wait in their queue and run "
                                  "when you open it again.")
        if self.export_dialog is None and not self._ahead.active:
            self._ahead.start(self._build_export_dialog_ahead)

    def _use_settings_model(self, document: Document) -> None:
        """A project with no model of its own uses the first one set up in Settings ▸ Models, as
        a new project does: else Generate stays disabled in every project made elsewhere (the
        command line, the demo, a colleague) until the same model is picked in Project Settings.
        It is how the project is read, not an edit: no undo step, nothing unsaved; saved with it."""
        from editor.ui.project_settings_dialog import first_model

        if not document.project.defaults.model:
            model = first_model(self.settings.model_folders())
            if model:
                document.project.defaults = dataclasses.replace(document.project.defaults, model=model)

    def _show_swapped(self) -> None:
        """The turn after a spread swap: paint the new project, then the panels follow (`_swap`)."""
        self.setUpdatesEnabled(True)
        # two hops: the paint runs before the first, and the timers due by then (the playhead)
        # run before the second, so the paint and the first panel never share a turn
        next_turn(self, lambda: next_turn(self, self._follow_next_panel))

    def _follow_next_panel(self) -> None:
        """One side panel rebuilds for the open project (see `_swap`), then the next, a turn later;
        one that is a tab behind others waits until it is shown."""
        if not self._panels_to_follow:
            return
        panel = self._panels_to_follow.pop(0)
        if not panel.waits_to_be_shown:
            panel.catch_up()
        if self._panels_to_follow:
            next_turn(self, self._follow_next_panel)

    def _catch_up(self, dock: QDockWidget) -> None:
        # after the tab switch has laid the panel out, so it rebuilds at its shown size
        next_turn(self, lambda: dock.widget().catch_up() if hasattr(dock.widget(), "catch_up") else None)

    @property
    def opening(self) -> bool:
        """A menu's open is under way (reading, building, or side panels still to follow)."""
        return self.opener.busy or bool(self._panels_to_follow)

    def _on_document_replaced(self) -> None:
        if self._adopting or self.session.document is self.timeline.document:
            return
        # the session was switched directly (a script): follow it, still in one step
        self._switch_to(OpenedProject(self.session.document, read_only=self.session.read_only), adopted=True)

    def _install_preview(self, preview: QWidget | None) -> None:
        """The program preview in the centre (one per project: it plays that cut)."""
        old, self.preview = self.preview, preview
        if old is not None:
            self._central.layout().removeWidget(old)
            # hidden now: until it is deleted, the old panel would still paint (its In button
            # over the new panel's Out button read "Oub")
            old.hide()
            old.shutdown(wait=False)  # its decode thread ends on its own, then it goes
        if preview is not None:
            self._central.layout().addWidget(preview)
            if hasattr(preview, "notice"):  # e.g. "No sound device: playing without sound." (once)
                preview.notice.connect(self.show_message)

    def _restart_generation(self) -> None:
        """A controller for the open project (it has a folder now), replacing the one before."""
        old = self.controller
        controller, note, failed = build_controller(self.document, self.selection, self.settings, self)
        self._install_controller(controller, note, failed=failed)
        if old is not None:
            old.shutdown(wait=False)

    def _install_controller(self, controller, note: str = "", *, failed: bool = False,
                            jobs_panel: QWidget | None = None) -> None:
        """Listen to `controller` (None: generation is off, `note` says why) instead of the one before."""
        self.controller = controller
        self.generation_note = note if controller is None else ""
        self.timeline.clear_job_overlays()
        self.jobs_panel = None
        if controller is None:
            self._set_dock_widget("jobs", _Note(note or NO_FOLDER_NOTE))
            self.monitor_panel.set_controller(None)
            if failed:
                self.show_message(note, error=True)
            self.refresh_actions()
            return
        from editor.ui import jobs

        controller.message.connect(self.show_message)
        controller.job_progress.connect(self._on_job_progress)
        controller.jobs_changed.connect(self._on_jobs_changed)
        controller.action_states_changed.connect(self.refresh_actions)
        controller.options_for = lambda verb: generation_commands.preset_options(self, verb)
        controller.take_placed.connect(self._on_take_placed)
        if hasattr(controller, "unplaced_changed"):
            controller.unplaced_changed.connect(self._on_unplaced_changed)
            QTimer.singleShot(0, self, self._on_unplaced_changed)  # the first job list may be read already
        if hasattr(controller, "job_ended"):
            controller.job_ended.connect(lambda job, _how: self._on_job_ended(job))
        if hasattr(controller, "job_live"):
            # every sampling step: only the storyboard's "generating n%" changes, not what the
            # actions may do (refreshing them builds a plan per generation action)
            controller.job_live.connect(lambda _job: self._update_shot_states())
        self.jobs_panel = jobs_panel or jobs.JobsPanel(controller)
        self.jobs_panel.set_thumbnails(self.thumbnails)  # finished jobs show their take's picture
        self.monitor_panel.set_controller(controller)
        self._set_dock_widget("jobs", self.jobs_panel)
        self._on_jobs_changed()

    def _set_dock_widget(self, name: str, widget: QWidget) -> None:
        dock = self.docks.get(name)
        if dock is None:
            return
        old = dock.widget()
        dock.setWidget(widget)
        if old is not None:
            old.hide()  # it would paint under the new one until the event loop deletes it
            old.deleteLater()

    # --- thumbnails ---------------------------------------------------------------------------
    def _load_thumbnail(self, media: str, frame: int, height: int):
        """Runs on a pool thread: the media layer's on-disk thumbnail cache, per height."""
        folder = self._thumb_folder or (config_dir() / "unsaved")
        with self._thumb_lock:
            cache = self._thumb_caches.get(height)
            if cache is None or cache.project_root != folder:
                cache = ThumbnailCache(folder, height=height)
                self._thumb_caches[height] = cache
        return cache.get(str(resolve_media(folder if self._thumb_folder else None, media)), frame)

    def _load_peaks(self, source: str):
        """Runs on a pool thread: a sound's waveform peaks from the project's cache/peaks/."""
        from editor.media.peaks import load_or_compute

        folder = self._thumb_folder or (config_dir() / "unsaved")
        return load_or_compute(folder, str(resolve_media(folder if self._thumb_folder else None, source)))

    # --- status and title ---------------------------------------------------------------------
    def _queue_plans(self, plans: list) -> None:
        if self.controller is None:
            self.show_message(self.generation_note or NO_FOLDER_NOTE, error=True)
            return
        self.controller.queue_plans(plans)

    def _compare_takes(self, clip_id: str, take_a: str, take_b: str) -> None:
        """Two takes side by side in the preview (editor.ui.player.compare)."""
        if self.preview is not None and hasattr(self.preview, "compare_takes"):
            self.preview.compare_takes(clip_id, take_a, take_b)

    def show_message(self, text: str, error: bool = False) -> None:
        """A status-bar line, gone after STATUS_MS (twice that for `error`: refusals and failures,
        shown in red) or replaced by the next message or edit, whichever comes first."""
        self._status_in_red(error)
        self.statusBar().showMessage(text, STATUS_MS * (2 if error else 1))

    def _status_in_red(self, error: bool) -> None:
        bar = self.statusBar()
        if bool(bar.property("error")) != error:
            bar.setProperty("error", error)
            bar.style().unpolish(bar)
            bar.style().polish(bar)

    def _on_status_changed(self, text: str) -> None:
        if not text:  # timed out: the next line (a menu's hint) is not an error
            self._status_in_red(False)

    def _update_title(self) -> None:
        folder = self.session.folder
        where = f" — {folder.parent}" if folder is not None else " — not saved yet"
        self.setWindowTitle(f"{self.session.name}[*]{where} — Shotline")
        self.setWindowModified(self.session.dirty)

    def _update_format(self) -> None:
        p = self.document.project
        fps = p.fps
        fps_text = f"{float(fps):.3f}".rstrip("0").rstrip(".")
        self.format_label.setText(f"{p.width}×{p.height} · {fps_text} fps · {duration_text(p.duration, fps)}")

    def _update_selection_label(self) -> None:
        sel = self.selection
        project = self.document.project
        text = ""
        if sel.clips:
            if len(sel.clips) == 1:
                try:
                    clip = project.find_clip(sel.clips[0])[1]
                    text = f"{clip.name or 'Clip'} · {duration_text(clip.length, project.fps)}"
                except KeyError:
                    text = ""
            else:
                text = plural(len(sel.clips), "clip")
        elif sel.gap is not None:
            text = f"Gap · {duration_text(sel.gap.length, project.fps)}"
        elif sel.keyframe is not None:
            text = "Keyframe"
        elif sel.clip_end is not None:
            try:
                clip = project.find_clip(sel.clip_end.clip_id)[1]
                text = f"{'End' if sel.clip_end.side == 'end' else 'Start'} of {clip.name or 'clip'}"
            except KeyError:
                text = ""
        self.selection_label.setText(text)

    def _clip_under_playhead(self) -> bool:
        frame = self.playhead.frame
        project = self.document.project
        return any(c.start < frame < c.end for t in [*project.tracks, *project.audio_tracks] for c in t.clips)

    def refresh_actions(self) -> None:
        """Re-evaluate every action's rule: call on selection, document and job-list changes,
        not per frame or per sampling step. Several callers hear of one change (the window and
        the generation controller both follow the selection and the document): only the first
        finds a new context and evaluates; the generation answers are cached per state too."""
        doc = self.document
        sel = self.selection
        project = doc.project
        under = self._clip_under_playhead()
        picked = self.timeline.selected_track_id()
        track_index = next((i for i, t in enumerate(project.tracks) if t.id == picked), -1)
        controller = self.controller
        note = self.generation_note
        ctx = ActionContext(
            can_undo=doc.can_undo, can_redo=doc.can_redo, undo_label=doc.undo_label, redo_label=doc.redo_label,
            selection=sel.kind, selected_clips=len(sel.clips), clip_under_playhead=under,
            tracks=len(project.tracks), track_picked=picked is not None, track_index=track_index,
            has_clips=any(t.clips for t in project.tracks),
            running_job=bool(controller is not None and controller.running_job is not None),
            paused=bool(controller is not None and controller.paused),
            generation=controller.action_state if controller is not None else (
                (lambda _action: (False, note)) if note else None),
            revision=(doc, doc.edit_count, sel.revision, controller,
                      controller.state_key if controller is not None else note),
        )
        if ctx == self._actions_context:
            return
        self._actions_context = ctx
        self.actions.refresh(ctx)
        pause = self.actions["gen.pause"]
        pause.blockSignals(True)
        pause.setChecked(ctx.paused)
        pause.blockSignals(False)
        self._update_selection_label()

    def _on_change(self, change: Change) -> None:
        # The status line follows the work: an edit, undo or redo replaces whatever it said
        # before (a refusal, an old hint); what the edit's caller says next replaces this.
        self.show_message(edit_message(change))
        self.selection.reconcile(self.document.project)
        self._update_format()
        self.refresh_actions()

    def _stale_changed(self) -> None:
        # no edit happened, so nothing else repaints: the badges, the cards and the Inspector
        self.timeline.viewport().update()
        self.storyboard.rebuild()
        self.inspector.refresh()

    def _on_playhead(self) -> None:
        self.timecode_label.setText(timecode(self.playhead.frame, self.document.project.fps))
        self.actions["play.toggle"].setIcon(_icon("pause" if self.playhead.playing else "play"))
        if not self.playhead.playing:
            # only Split depends on the playhead; the other rules stay as they are
            self.actions["edit.split"].setEnabled(self._clip_under_playhead())

    # --- zoom slider (logarithmic) ------------------------------------------------------------
    def _sync_zoom_slider(self, px_per_frame: float) -> None:
        import math

        lo, hi = math.log(MIN_PX_PER_FRAME), math.log(MAX_PX_PER_FRAME)
        value = round((math.log(px_per_frame) - lo) / (hi - lo) * ZOOM_SLIDER_STEPS)
        self.zoom_slider.blockSignals(True)
        self.zoom_slider.setValue(value)
        self.zoom_slider.blockSignals(False)

    def _on_zoom_slider(self, value: int) -> None:
        import math

        lo, hi = math.log(MIN_PX_PER_FRAME), math.log(MAX_PX_PER_FRAME)
        self.timeline.set_zoom(math.exp(lo + (hi - lo) * value / ZOOM_SLIDER_STEPS))

    # --- generation signals -------------------------------------------------------------------
    def _on_job_progress(self, target: object, fraction: float, image: QImage | None) -> None:
        self.timeline.set_job_overlay(target, fraction, image)

    def _on_job_ended(self, job_id: int | None = None) -> None:
        # one job runs at a time, so when one ends no overlay is current any more
        self.timeline.clear_job_overlays()
        self._on_jobs_changed()
        self._work_ended(job_id)

    def _on_unplaced_changed(self) -> None:
        # finished takes the timeline is missing: show the Jobs panel, whose banner places them,
        # in front unless that would hide the Inspector the user is typing in
        if self.controller is not None and self.controller.unplaced_results():
            self.docks["jobs"].show()
            focus = QApplication.focusWidget()
            if focus is None or not self.docks["inspector"].isAncestorOf(focus):
                self.docks["jobs"].raise_()

    def _on_take_placed(self, clip_id: str) -> None:
        self.selection.set_clips([clip_id])

    def _generating(self) -> bool:
        return self.controller is not None and self.controller.running_job is not None

    def _on_proxy_ready(self, media: str) -> None:
        if self.preview is not None and hasattr(self.preview, "proxy_ready"):
            self.preview.proxy_ready(media)

    def _on_jobs_changed(self) -> None:
        if self.controller is None:
            return
        self._update_shot_states()
        self.refresh_actions()

    def _update_shot_states(self) -> None:
        """The storyboard's job states per shot (queued, generating n%, failed)."""
        controller = self.controller
        if controller is None:
            return
        states: dict[str, str] = {}
        for job in controller.jobs():
            clip_id = _target_clip(job.payload)
            if clip_id is None:
                continue
            state = str(job.state)
            if state == "running":
                live = controller.live(job.id)
                fraction = live.fraction if live is not None else job.fraction
                states[clip_id] = f"generating {round(fraction * 100)}%"
            elif state in ("queued", "paused"):
                states.setdefault(clip_id, state)
            elif state in ("failed", "interrupted"):
                states.setdefault(clip_id, "failed")
        self.storyboard.set_shot_states(states)

    # --- requests -----------------------------------------------------------------------------
    def request(self, edit: Edit) -> bool:
        try:
            self.document.request(edit)
        except EditRefused as exc:
            self.show_message(str(exc), error=True)
            return False
        return True

    def command(self, build) -> bool:
        """Build an edit from the selection (which may refuse) and request it."""
        try:
            edit = build()
        except EditRefused as exc:
            self.show_message(str(exc), error=True)
            return False
        return self.request(edit)

    # --- layout -------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1600, 960)
        if state is not None:
            self.restoreState(state)
            self._tidy_tab_bars_later()

    def save_layout(self) -> None:
        self.settings.set_window_state(self.saveGeometry(), self.saveState())

    def reset_layout(self) -> None:
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        self.restoreState(QByteArray(self._default_state))
        self.docks["timeline"].raise_()
        self._tidy_tab_bars_later()
        QTimer.singleShot(0, self, self._pin_dock_sizes)  # once laid out again

    def _tidy_tab_bars_later(self, *_args, delay_ms: int = 0) -> None:
        """hide_stray_tab_bars() once the layout has been applied (after a dock move, once its
        animation has ended, so a live bar is never judged in mid-flight)."""
        self._tab_tidy.start(delay_ms)

    def hide_stray_tab_bars(self) -> None:
        """Hide dock tab bars Qt left behind.

        When QMainWindow lays out a second group of tabbed docks it leaves a copy of a group's
        tab bar where the group first was, and the copy keeps painting (Qt 6.11: a second
        "Timeline | Storyboard" strip showed through the empty Media panel). The live bar of a
        group sits flush against the group's visible dock; the others are strays.
        """
        docks = [d for d in self.docks.values() if d.isVisible() and not d.isFloating()]
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isHidden():
                continue
            titles = {bar.tabText(i).replace("&", "") for i in range(bar.count())}
            if not any(d.windowTitle() in titles and _flush(bar.geometry(), d.geometry()) for d in docks):
                bar.hide()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._tidy_tab_bars_later()
        if not getattr(self, "_docks_pinned", False):
            self._docks_pinned = True
            QTimer.singleShot(0, self, self._pin_dock_sizes)

    def _pin_dock_sizes(self) -> None:
        """Give the panel columns and the timeline the sizes they are shown at. Until a dock area
        has a size of its own (set by the user, a restored layout or this), Qt sizes it from its
        panels' size hints, so showing another tab (Monitor) or a job starting resized the
        Inspector column and the preview jumped."""
        horizontal = [d for d in (self.docks["inspector"], self.docks["media"]) if d.isVisible() and not d.isFloating()]
        self.resizeDocks(horizontal, [d.width() for d in horizontal], Qt.Orientation.Horizontal)
        bottom = [d for d in (self.docks["timeline"],) if d.isVisible() and not d.isFloating()]
        self.resizeDocks(bottom, [d.height() for d in bottom], Qt.Orientation.Vertical)

    # --- project files ------------------------------------------------------------------------
    def open_project_path(self, path: str | Path) -> bool:
        """Open the project at `path` in place of the open one; False (and the user is told why)
        when it can't be, with the open project left as it was."""
        try:
            opened = self.session.prepare_open(path)
        except ProjectError as exc:
            self.show_message(str(exc), error=True)
            if self._ask and self.isVisible():
                QMessageBox.warning(self, "Can't open project", str(exc))
            return False
        return self._switch_to(opened)

    def request_open(self, path: str | Path) -> None:
        """Open the project at `path` without blocking the window (File > Open, Open Recent):
        see editor.ui.project_opener. `opening` is True until it is shown."""
        self.opener.request(path)

    def request_demo(self) -> None:
        """Open the demo project without blocking the window."""
        self.opener.request_demo()

    def open_failed(self, text: str, *, demo: bool = False) -> None:
        """A menu's open could not be done: say why; the open project stays as it was."""
        if demo:
            self.show_message(f"The demo project could not be opened: {text}", error=True)
            return
        self.show_message(text, error=True)
        if self._ask and self.isVisible():
            QMessageBox.warning(self, "Can't open project", text)

    def open_demo(self) -> None:
        try:
            opened = self.session.prepare_demo()
        except ProjectError as exc:
            self.show_message(f"The demo project could not be opened: {exc}", error=True)
            opened = self.session.prepare_new()
        self._switch_to(opened)

    def _ask_break_lock(self, holder) -> bool:
        """Break a stale lock (its process is gone)? Without dialogs: no, the project opens read-only."""
        if not self._ask:
            return False
        answer = QMessageBox.question(
            self, "Break the lock?",
            f"This project is {holder.describe()}, which is no longer running (it may have crashed). "
            "Break the lock and open it for editing? No opens it read-only.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_recover(self, autosave_path: Path) -> bool:
        if not self._ask:
            return False
        answer = QMessageBox.question(
            self, "Recover unsaved changes?",
            f"Shotline found changes to this project that were not saved (autosaved {autosave_path.name[8:23]}). "
            "Open them? The saved project stays untouched until you save.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def may_discard(self) -> bool:
        """True when the open project may be closed: saved, or the user chose to save/discard."""
        self.inspector.commit_pending()  # typed and not committed yet: part of what is asked about
        # What the user chose for this project, for what lands between now and the switch (_swap)
        self._leaving = (self.document, not self.session.dirty)
        if not self.session.dirty:
            return True
        answer = self.ask_save_changes()
        self._leaving = (self.document, answer == "save")
        if answer == "save":
            return self.save_project()
        if answer == "discard":
            self.session.forget_unsaved()  # not offered as a recovery next time
        return answer == "discard"

    def _save_what_landed_since_asked(self) -> None:
        """An open is read in the background after may_discard; a job that finishes meanwhile
        places its take in the project being left. When the user kept that project saved (it
        was clean, or they chose Save), save it again now so the take is in it; after Discard,
        the take stays in the job journal and is offered when the project is opened again."""
        document, keep_saved = getattr(self, "_leaving", (None, False))
        self._leaving = (None, False)
        if document is not self.document or not keep_saved or not self.session.dirty or self.session.read_only:
            return
        try:
            self.session.save()
        except (ProjectError, OSError) as exc:
            self.show_message(f"{self.session.name} could not be saved again before closing ({exc}); "
                              "its new takes are offered in the Jobs panel when you open it again.", error=True)

    def ask_save_changes(self) -> str:
        """"save", "discard" or "cancel" (a dialog; tests and scripts replace this method)."""
        if not self._ask:
            return "cancel"
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Save the changes to “{self.session.name}” before closing?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.inspector.commit_pending()  # typing not committed yet is part of the project
        self._waited_for, self._closing_after = self._closing_after_done, None
        self._closing_after_done = None
        if not self._may_stop_work():
            event.ignore()
            return
        if self._waited_for is not None:  # the save question was answered at "Finish first"
            self._save_what_landed_since_asked()
        elif not self.may_discard():
            event.ignore()
            return
        self.save_layout()
        # gone from the screen first: shutdown waits for a running model step to stop (seconds),
        # and the window stood there frozen meanwhile after "Quit, resume next time"
        self.hide()
        self.shutdown()
        event.accept()

    def _may_stop_work(self) -> bool:
        """True when no running export or job holds the close up. A running export finishes
        first or is cancelled; a running job finishes first or goes back to the queue (it runs
        when the project is next opened). "Finish first": False now, and the window closes
        itself when that work has ended."""
        from editor.ui import quitting

        dialog = self.export_dialog
        if dialog is not None and dialog.runner.running:
            answer = self.ask_running_export()
            if answer == quitting.CANCEL:
                dialog.cancel_export()  # shutdown() waits for it; nothing is written
            else:
                if answer == quitting.FINISH and self.may_discard():  # asked now: the user may walk away
                    self._close_after("export", "the export is written")
                return False
        controller = self.controller
        running = controller.running_job if controller is not None else None
        if running is not None and not isinstance(self._waited_for, int):
            answer = self.ask_running_job()
            if answer != quitting.QUEUE:
                if answer == quitting.FINISH and self.may_discard():  # asked now: the user may walk away
                    self._close_after(running, f"“{controller.title_of(running)}” is done")
                return False
        return True

    def ask_running_job(self) -> str:
        """"finish", "queue" or "keep" when closing while a job runs (a dialog; tests and
        scripts replace this method). Without dialogs (`ask=False`) the job waits in the queue."""
        from editor.ui import quitting

        if not self._ask:
            return quitting.QUEUE
        controller = self.controller
        return quitting.ask_running_job(self, controller.title_of(controller.running_job),
                                        len(controller.waiting_ids()))

    def ask_running_export(self) -> str:
        """"finish", "cancel" or "keep" when closing while an export runs (a dialog; tests and
        scripts replace this method). Without dialogs (`ask=False`) the export finishes first."""
        from editor.ui import quitting

        if not self._ask:
            return quitting.FINISH
        job = getattr(self.export_dialog, "_job", None)
        return quitting.ask_running_export(self, job.out_path.name if job is not None else "The cut")

    def _close_after(self, what: int | str, when: str) -> None:
        self._closing_after = what
        self.show_message(f"Shotline closes when {when}; close again to choose otherwise.")

    def _work_ended(self, what: int | str | None) -> None:
        """A job (its id) or the export ended: close now if a close was waiting for it."""
        if what is not None and what == self._closing_after:
            self._closing_after, self._closing_after_done = None, what
            QTimer.singleShot(0, self, self.close)  # after the job's take or the file is in place

    def shutdown(self) -> None:
        """Stop background work: the job worker, thumbnail loads, playback."""
        if self._shut_down:
            return
        self._shut_down = True
        self.opener.cancel()  # an open still being read is dropped (its lock released)
        self._panels_to_follow = []
        self._ahead.stop()
        self.playhead.pause()
        self.proxies.shutdown()
        if self.controller is not None:
            self.controller.shutdown()
        if self.preview is not None:
            self.preview.shutdown()
        if self.monitor_panel is not None:
            self.monitor_panel.shutdown()
        self.thumbnails.shutdown()
        if self.export_dialog is not None:
            self.export_dialog.shutdown()
        self.session.close()  # the project's lock goes last, once nothing can write to it
        for cache in self._thumb_caches.values():
            cache.close()
        self._thumb_caches.clear()
        gc_guard.unsettled()

    # --- project files the File menu works on ----------------------------------------------------
    def new_project(self) -> None:
        """Ask for a name and place and make the project's folder at once (autosave and
        generation need it); without dialogs (`ask=False`) the project starts unsaved."""
        if not self.may_discard():
            return
        if not self._ask:
            self._switch_to(self.session.prepare_new())
            return
        folder = self.ask_new_project()
        if folder is not None:
            self.create_project(folder)

    def ask_new_project(self) -> Path | None:
        """The NAME.shotline folder for a new project, None when cancelled (a dialog; tests
        and scripts replace this method)."""
        from editor.ui.new_project_dialog import NewProjectDialog

        dialog = NewProjectDialog(self.settings.projects_folder(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.target()

    def create_project(self, folder: str | Path) -> bool:
        """A new empty project saved into `folder` (NAME.shotline), which must not exist yet."""
        folder = Path(folder)
        name = folder.name[: -len(SUFFIX)] if folder.name.endswith(SUFFIX) else folder.name
        try:
            opened = self.session.prepare_new(name, folder=folder)
        except ProjectError as exc:
            self.show_message(str(exc), error=True)
            if self._ask and self.isVisible():
                QMessageBox.warning(self, "Can't create the project", str(exc))
            return False
        if not self._switch_to(opened):
            return False
        self.settings.set_projects_folder(self.session.folder.parent)
        return True

    def save_project(self) -> bool:
        self.inspector.finish_editing()  # a number or prompt still being typed is part of what is saved
        try:
            if self.session.save():
                return True
        except ProjectChangedOnDisk as exc:
            answer = self.ask_changed_on_disk(str(exc))
            if answer == "save_as":
                return self.save_project_as()
            if answer != "overwrite":
                self.show_message("Not saved: project.json was changed elsewhere; Save As keeps your version.",
                                  error=True)
                return False
            try:
                return self.session.save(overwrite=True)
            except ProjectError as again:
                self.show_message(str(again), error=True)
                return False
        except ProjectError as exc:
            self.show_message(str(exc), error=True)
            return False
        return self.save_project_as()

    def ask_changed_on_disk(self, text: str) -> str:
        """"overwrite", "save_as" or "cancel" when project.json was changed by someone else since
        it was opened or saved (a dialog; tests and scripts replace this method). Without dialogs
        (`ask=False`): "cancel", nobody's work is replaced."""
        if not self._ask:
            return "cancel"
        box = QMessageBox(QMessageBox.Icon.Warning, "The project changed on disk",
                          "project.json was changed by another program or window since you opened it.", parent=self)
        box.setInformativeText("Overwrite replaces that version with yours; Save As keeps both.")
        box.setDetailedText(text)
        overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole)
        save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save_as)
        box.setEscapeButton(cancel)
        box.exec()
        return {overwrite: "overwrite", save_as: "save_as"}.get(box.clickedButton(), "cancel")

    def save_project_as(self) -> bool:
        folder, _ = QFileDialog.getSaveFileName(self, "Save project as",
                                                str(self.projects_folder() / f"{self.session.name}"),
                                                "Shotline project (*.shotline)")
        if not folder:
            return False
        return self.save_to(folder)

    def save_to(self, folder: str | Path) -> bool:
        had_folder = self.session.folder is not None
        try:
            self.session.save_as(folder)
        except (ProjectError, OSError) as exc:
            self.show_message(f"Could not save: {exc}", error=True)
            return False
        if not had_folder or self.controller is None:
            self._restart_generation()  # a folder now exists for jobs and takes (and it is ours)
        self._update_read_only()
        self._thumb_folder = self.session.folder
        self.proxies.scan()  # the project has a cache folder now
        return True

    def projects_folder(self) -> Path:
        """Where file dialogs start: the projects folder when it exists, else home."""
        folder = self.settings.projects_folder()
        return folder if folder.is_dir() else Path.home()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.session.recent_projects()
        names = [Path(path).name for path in recent]
        for path, name in zip(recent, names, strict=True):
            # two projects of one name (an imported cut's, a copy) are told apart by their folder
            action = self.recent_menu.addAction(name if names.count(name) == 1 else f"{name}  ({Path(path).parent})")
            action.setToolTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.may_discard() and self.request_open(p))
        if not recent:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent_projects)

    def export_cut(self) -> None:
        if self.export_dialog is None:
            self._make_export_dialog(staged=False)
        self.export_dialog.open_for_export()  # one built ahead (see _build_export_dialog_ahead) is finished first

    def _make_export_dialog(self, *, staged: bool) -> None:
        self.export_dialog = ExportDialog(self.session, self.playhead, self.settings, self, staged=staged)
        self.export_dialog.message.connect(self.show_message)
        runner = self.export_dialog.runner
        for ended in (runner.succeeded, runner.failed, runner.cancelled):
            ended.connect(lambda _result: self._work_ended("export"))

    def _build_export_dialog_ahead(self) -> bool:
        """One part of the Export dialog, built while the window is idle (editor.ui.idle_build);
        True once it is complete."""
        if self.export_dialog is None:
            self._make_export_dialog(staged=True)
            return False
        return self.export_dialog.build_step()

    def _busy_for_building_ahead(self) -> bool:
        return not self.isVisible() or self.opening or self.thumbnails.pending > 0

    def settings_saved(self) -> None:
        """After Settings ▸ OK: panels take the new model list and defaults; a project with no
        model of its own adopts the first model folder (one undoable edit), so Generate works."""
        from editor.ui.project_settings_dialog import default_model_edit, first_model, model_name

        self.inspector.set_models(self.settings.model_folders())
        self.timeline.still_seconds = self.settings.defaults().still_seconds
        model = first_model(self.settings.model_folders())
        if model and not self.document.project.defaults.model and self.request(
                default_model_edit(self.document.project, model)):
            self.show_message(f"Settings saved; this project now uses {model_name(model)} "
                              "(change it in File ▸ Project Settings)")
            return
        self.show_message("Settings saved")

    # --- misc ---------------------------------------------------------------------------------
    CONTEXT_ACTIONS = {
        "clips": (verbs.GENERATE.action_id, verbs.ANIMATE.action_id, verbs.RESTYLE.action_id,
                  verbs.LOOP.action_id, None, "edit.split", "edit.delete", "edit.ripple_delete", None, "edit.link",
                  "edit.unlink", "edit.relink"),
        "gap": (verbs.INFILL.action_id, "edit.add_shot", None, "edit.delete"),
        "clip_end": (verbs.EXTEND_FORWARD.action_id, verbs.EXTEND_BACKWARD.action_id, None, "edit.split"),
        "keyframe": ("edit.delete",),
        "none": ("edit.add_shot", "edit.add_track", "edit.add_audio_track", None, "file.import"),
        "header": ("edit.move_track_up", "edit.move_track_down", None, "edit.rename_track", "edit.add_track",
                   "edit.remove_track"),
    }

    def _timeline_menu(self, pos) -> None:
        self.timeline_menu(pos).popup(self.timeline.mapToGlobal(pos))

    def timeline_menu(self, pos):
        """The right-click menu at `pos` (timeline coordinates): the table's actions that apply
        to what was clicked; a track header gets the track's commands."""
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one menu per right-click
        audio_header = self.timeline.audio_header_at(pos)
        if audio_header is not None:  # an audio track's header: its volume, mute and solo
            from editor.ui import sound_commands

            menu.deleteLater()
            menu = sound_commands.header_menu(
                self, self.document.project, audio_header, self.request,
                rename=lambda: self.timeline.start_rename(audio_header),
                remove=lambda: self.timeline.remove_audio_track_asking(audio_header))
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            return menu
        on_header = self.timeline.header_track_at(pos) is not None
        self.refresh_actions()  # the right-click may have picked another track
        for action_id in self.CONTEXT_ACTIONS.get("header" if on_header else self.selection.kind, ()):
            if action_id is None:
                menu.addSeparator()
            elif self.actions[action_id].isVisible():
                menu.addAction(self.actions[action_id])
        if not on_header and self.selection.kind == "clips":  # how the clips fill the frame
            from editor.ui.timeline.fit_menu import add_fit_menu

            add_fit_menu(menu, self.document.project, self.selection.clips, self.request)
        return menu

    def _on_clip_activated(self, clip_id: str) -> None:
        project = self.document.project
        try:
            clip = project.find_clip(clip_id)[1]
        except KeyError:
            try:  # a sound: its page in the inspector
                clip = project.find_audio_clip(clip_id)[1]
            except KeyError:
                return
        self.selection.set_clips([clip_id])
        self.playhead.set_frame(clip.start)
        self.docks["inspector"].show()
        self.docks["inspector"].raise_()

    def settle(self, timeout_ms: int = 5000) -> None:
        """Finish background thumbnail loads and repaint (screenshots and tests)."""
        from PySide6.QtWidgets import QApplication

        for _ in range(4):
            QApplication.processEvents()
            self.thumbnails.wait(timeout_ms)
            QApplication.processEvents()
            if not self.thumbnails.pending:
                break
        QTimer.singleShot(0, lambda: None)
        QApplication.processEvents()
        if hasattr(self, "waveforms"):  # waveforms being built in the background: shown once ready
            import time

            self.timeline.viewport().repaint()  # asks for the visible ones
            deadline = time.monotonic() + timeout_ms / 1000
            while self.waveforms.pending and time.monotonic() < deadline:
                QApplication.processEvents()
                time.sleep(0.005)
            QApplication.processEvents()
        self.hide_stray_tab_bars()
        if self.preview is not None:
            self.preview.wait_shown(timeout_ms)


class _Note(QLabel):
    """A panel's explanation while it has nothing to show yet."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setProperty("role", "hint")
        self.setMargin(16)


def edit_message(change: Change) -> str:
    """The status line for an edit, undo or redo: "Move Shot 3", "Undone: Move Shot 3"."""
    if change.cause == "undo":
        return f"Undone: {change.title}"
    if change.cause == "redo":
        return f"Redone: {change.title}"
    return change.title


def _flush(bar, dock) -> bool:
    """True when rectangle `bar` runs along a whole edge of rectangle `dock` (as a live tab bar
    does: above or below its dock and as wide, or beside it and as tall)."""
    near = 4
    same_width = abs(bar.left() - dock.left()) <= near and abs(bar.right() - dock.right()) <= near
    same_height = abs(bar.top() - dock.top()) <= near and abs(bar.bottom() - dock.bottom()) <= near
    stacked = abs(bar.bottom() + 1 - dock.top()) <= near or abs(dock.bottom() + 1 - bar.top()) <= near
    beside = abs(bar.right() + 1 - dock.left()) <= near or abs(dock.right() + 1 - bar.left()) <= near
    return (same_width and stacked) or (same_height and beside)


def _probe_frames(path: str) -> int:
    from editor.media.probe import probe

    try:
        return probe(path).frames
    except MediaError as exc:
        raise EditRefused(str(exc)) from None


def _target_clip(payload: object) -> str | None:
    try:  # a generation job journals its plan under "plan" (editor.generation.jobs.submit)
        return payload["plan"]["target"]["clip_id"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None


def _icon(name: str):
    from editor.ui.icons import icon

    return icon(name)
