"""The Export dialog (F17): choose file, preset, codec, quality, size, rate and range; watch it run.

Three pages in one modeless dialog, as in Premiere's export and Resolve's render panel:
settings (checked on every change; Export stays disabled while anything is wrong, and the
message says what to change), progress (frames, rate, time left, Cancel) and the result (the
file with "Show in Folder", or the media layer's message). The export itself runs on a worker
thread (`export_runner`) from a copy of the project taken when Export is pressed, so the user
may keep editing. Choices are remembered in `Settings.last_export()` for the next export. The
rules behind the fields (checks, presets, remembered choices) are in `export_form`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from editor.document import limits
from editor.document.document import Change, Document
from editor.document.project import Project
from editor.document.storage import check_media
from editor.document.timecode import duration_text, timecode
from editor.media.export import CODECS, DEFAULT_CRF, X264_PRESETS, ExportResult
from editor.media.fit import FitMode
from editor.ui.export_form import (  # noqa: F401 - parse_time, clock, default_output: this module's API too
    CODEC_TITLES,
    CUSTOM,
    FIT_TITLES,
    RATES,
    Check,
    Choices,
    FormValues,
    check_form,
    clips_in_range,
    clock,
    codecs_later,
    default_output,
    known_codecs,
    load_presets,
    matching_preset,
    parse_time,
    preset_choices,
    provenance_note,
    range_frames,
    rate_text,
    remembered,
    restored_choices,
)
from editor.ui.export_runner import ExportJob, ExportRunner
from editor.ui.export_timeline import FILTERS as TIMELINE_FILTERS
from editor.ui.export_timeline import export_now, follow_path, format_items, with_suffix
from editor.ui.following import DocumentSubscription
from editor.ui.playhead import Playhead
from editor.ui.project_opener import next_turn
from editor.ui.project_session import ProjectSession
from editor.ui.proof_settings import proof_checkboxes
from editor.ui.settings import Settings
from editor.ui.theme import COLORS
from editor.words import plural


class ExportDialog(QDialog):
    """Export the open project of `session`; in/out marks come from `playhead`."""

    message = Signal(str, bool)  # a status-bar line for the window: text, is_error

    def __init__(self, session: ProjectSession, playhead: Playhead, settings: Settings,
                 parent: QWidget | None = None, *, staged: bool = False) -> None:
        """`staged`: only the first part is built now, the rest by `build_step` calls (the window
        builds the dialog ahead while it is idle, a part per turn: the first File ▸ Export is then
        a show, not ~100 widgets built at once); `finish_building` completes it."""
        super().__init__(parent)
        self._staged = staged
        self._parts = self._build(session, playhead, settings)
        self.built = False
        self.build_step()  # what every method may rely on (the runner, the subscription)
        if not staged:
            self.finish_building()

    def build_step(self) -> bool:
        """Build the next part; True once the dialog is complete."""
        if not self.built:
            self.built = next(self._parts, True) is True
        return self.built

    def finish_building(self) -> None:
        while not self.build_step():
            pass

    def _build(self, session: ProjectSession, playhead: Playhead, settings: Settings) -> Iterator[None]:
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export")
        self.setModal(False)  # the user may keep editing; the export works from a copy
        self.session = session
        self.playhead = playhead
        self.settings = settings
        self.runner = ExportRunner(self)
        self.runner.progress.connect(self._on_progress)
        self.runner.succeeded.connect(self._on_succeeded)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.result: ExportResult | None = None
        self._job: ExportJob | None = None
        self._check = Check()
        self._applying = False  # widgets are being set from a preset or the settings: no feedback loop
        self._size_follows_project = True
        self._marks: tuple[int | None, int | None] = (None, None)
        self._subscription = DocumentSubscription(self._on_change)
        self._new_document = False  # set when the session opened another project
        self._presets = load_presets()
        # Which encoders this ffmpeg has is asked once, off the GUI thread (the window asks at
        # start). Until the answer is in, both codecs are offered and Export waits for it.
        known = known_codecs()
        self._codecs = known if known is not None else list(CODECS)
        self._start_when_codecs_known = False
        self._checked_since_built = False
        yield

        self.pages = QStackedWidget(self)
        yield from self._settings_page()
        yield
        self.pages.addWidget(self._progress_page())
        self.pages.addWidget(self._result_page())
        yield
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self.pages)
        self.setStyleSheet(f'*[invalid="true"] {{ border: 1px solid {COLORS.error}; }}')
        self.resize(600, 0)
        self._show_page(0)
        yield

        self._set_values(restored_choices(settings.last_export(), self._presets, self._codecs))
        session.document_replaced.connect(self._on_document_replaced)
        playhead.changed.connect(self._on_marks)
        self._subscription.follow(session.document)
        self._applying = True  # the fields are filled in first, then checked once (not per field)
        try:
            self.out_edit.setText(str(default_output(self.project.name, self.folder, settings.last_export())))
            self._choose_default_range()
        finally:
            self._applying = False
        if known is None:
            codecs_later(self._on_codecs_known, owner=self)
        if self._staged:  # built ahead: checked again when shown (the project may change meanwhile)
            yield
            self.ensurePolished()  # the widgets' style, so the first show only lays out and paints
            yield
            self.refresh()  # the fields' first check and look (later ones change little)
            for group in (self.output_box, self.video_box, self.range_box):
                yield
                group.grab()  # a first paint off screen, a group per turn: fonts and style caches filled
            yield
            self.grab()  # the rest, and the whole once, before the first show
            return
        self.refresh()
        self._checked_since_built = True  # the first open_for_export needs no second check

    # --- the project being exported ---------------------------------------------------------------
    @property
    def document(self) -> Document:
        return self.session.document

    @property
    def project(self) -> Project:
        return self.session.document.project

    @property
    def folder(self) -> Path | None:
        return self.session.document.folder

    @property
    def page(self) -> str:
        return ("settings", "progress", "result")[self.pages.currentIndex()]

    @property
    def codecs_known(self) -> bool:
        """Whether the codec list is this ffmpeg's (False while it is still being asked)."""
        return known_codecs() is not None

    # --- building ---------------------------------------------------------------------------------
    def _settings_page(self) -> Generator[None, None, QWidget]:
        """The settings page, a group per part (built ahead: each its own idle turn)."""
        page, v = _page()
        # in the dialog from its first part: a build cut short (the window closing between two
        # idle turns) leaves no parentless widgets for Python's exit to delete in no fixed order
        self.pages.addWidget(page)
        self.title_label = _label("", "heading", "export.title")
        v.addWidget(self.title_label)

        output = self.output_box = QGroupBox("Output")
        form = _form(output)
        self.out_edit = _named(QLineEdit(), "export.path")
        self.out_edit.setPlaceholderText("Film.mp4")
        self.out_edit.setClearButtonEnabled(True)
        self.out_edit.textChanged.connect(self._changed)
        form.addRow("File", _row(self.out_edit, _button("Browse…", "export.browse", self._browse), grow=self.out_edit))
        self.format_combo = _combo("export.format", format_items(), self._on_format)  # editor.ui.export_timeline
        form.addRow("Format", self.format_combo)
        self.preset_combo = _named(QComboBox(), "export.preset")
        self._fill_presets()
        self.preset_combo.activated.connect(lambda _i: self._apply_preset(self.preset_combo.currentText()))
        form.addRow("Preset", self.preset_combo)
        self.c2pa_check, self.c2pa_prompts_check = proof_checkboxes(self._changed)
        form.addRow("Proof of origin", _row(self.c2pa_check, 12, self.c2pa_prompts_check, grow=None))
        v.addWidget(output)
        yield

        video = self.video_box = QGroupBox("Video")
        form = _form(video)
        self.codec_combo = _named(QComboBox(), "export.codec")
        self._fill_codecs()
        self.codec_combo.currentIndexChanged.connect(self._on_codec)
        self._codec_shown = self.codec_combo.currentData()
        form.addRow("Codec", self.codec_combo)
        self.crf_spin = _spin("export.crf", 0, 51, self._changed)
        self.crf_spin.setToolTip("Constant rate factor: lower is better and bigger. 18 (H.264) or 22 (H.265) "
                                 "look the same as the source; +6 about halves the file.")
        self.crf_hint = _label("", "hint", "export.crf_hint")
        form.addRow("Quality (CRF)", _row(self.crf_spin, 6, self.crf_hint))
        self.speed_combo = _named(QComboBox(), "export.speed")
        self.speed_combo.addItems(X264_PRESETS)
        self.speed_combo.setToolTip("Encoder speed: slower presets make smaller files at the same quality.")
        self.speed_combo.currentIndexChanged.connect(self._changed)
        self.speed_combo.setMinimumWidth(130)
        form.addRow("Encoder speed", _row(self.speed_combo, 6, _label("slower makes smaller files", "hint")))
        # H.264/H.265 4:2:0 needs even sides: the arrows step by two
        self.width_spin = _spin("export.width", limits.MIN_FRAME_SIDE, limits.MAX_FRAME_LONG_SIDE, self._on_size, step=2)
        self.height_spin = _spin("export.height", limits.MIN_FRAME_SIDE, limits.MAX_FRAME_LONG_SIDE, self._on_size,
                                 step=2)
        self.project_size_button = _button("Project size", "export.project_size", self._use_project_size)
        form.addRow("Size", _row(self.width_spin, _label("×", "field"), self.height_spin, 6, self.project_size_button))
        self.fit_combo = _combo("export.fit", FIT_TITLES.items(), self._changed)
        form.addRow("Fit", self.fit_combo)
        self.fps_combo = _combo("export.fps", [(None, "Project rate"), *((r, f"{t} fps") for t, r in RATES)],
                                self._changed)
        form.addRow("Frame rate", self.fps_combo)
        v.addWidget(video)
        yield

        span = self.range_box = QGroupBox("Range")
        grid = QVBoxLayout(span)
        grid.setContentsMargins(10, 8, 10, 8)
        self.range_all = _named(QRadioButton("Whole cut"), "export.range_all")
        self.range_marks = _named(QRadioButton("In to out marks"), "export.range_marks")
        self.range_custom = _named(QRadioButton("Custom"), "export.range_custom")
        self.range_group = QButtonGroup(self)
        for button in (self.range_all, self.range_marks, self.range_custom):
            self.range_group.addButton(button)
            grid.addWidget(button)
        self.range_all.setChecked(True)
        self.range_group.buttonToggled.connect(self._on_range_kind)
        self.in_edit, self.out_edit_range = QLineEdit(), QLineEdit()
        for edit, name in ((self.in_edit, "export.range_in"), (self.out_edit_range, "export.range_out")):
            edit.setObjectName(name)
            edit.setFixedWidth(120)
            edit.setToolTip("A timecode (HH:MM:SS:FF) or seconds (2.5)")
            edit.textEdited.connect(self._changed)
        row = _row(_label("From", "field"), self.in_edit, _label("to", "field"), self.out_edit_range)
        row.setContentsMargins(24, 0, 0, 0)
        grid.addLayout(row)
        v.addWidget(span)

        self.summary_label = _label("", "heading", "export.summary")
        self.provenance_label = _label("", "hint", "export.provenance", wrap=True)
        self.issue_label = _label("", "error", "export.issue", wrap=True, selectable=True)
        self.warning_label = _label("", "warning", "export.warning", wrap=True)
        for label in (self.summary_label, self.provenance_label, self.issue_label, self.warning_label):
            v.addWidget(label)
        v.addStretch(1)
        self.export_button = _button("Export", "export.start", self.start_export, primary=True, auto_default=True)
        self.export_button.setDefault(True)
        v.addLayout(_buttons(1, _button("Close", "export.close", self.reject), self.export_button))
        return page

    def _progress_page(self) -> QWidget:
        page, v = _page()
        self.progress_title = _label("", "heading", "export.progress_title")
        self.progress_path = _label("", "hint", "export.progress_path", wrap=True)
        self.progress_bar = _named(QProgressBar(), "export.progress")
        self.progress_bar.setFormat("%p%")
        self.progress_text = _label("Preparing…", "", "export.progress_text")
        note = _label("You can keep editing: the export uses the project as it was when you pressed Export.", "hint")
        for widget in (self.progress_title, self.progress_path, self.progress_bar, self.progress_text, note):
            v.addWidget(widget)
        v.addStretch(1)
        # not a default button: Enter must not stop a long export by accident
        self.cancel_button = _button("Cancel Export", "export.cancel", self.cancel_export)
        v.addLayout(_buttons(1, self.cancel_button))
        return page

    def _result_page(self) -> QWidget:
        page, v = _page()
        self.result_title = _label("", "heading", "export.result_title")
        self.result_text = _label("", "", "export.result_text", wrap=True, selectable=True)
        self.result_details = _label("", "hint", "export.result_details", wrap=True)
        for label in (self.result_title, self.result_text, self.result_details):
            v.addWidget(label)
        v.addStretch(1)
        self.show_button = _button("Show in Folder", "export.show_in_folder", self.show_in_folder, auto_default=True)
        done = _button("Close", "export.result_close", self.reject, primary=True, auto_default=True)
        v.addLayout(_buttons(self.show_button, 1, _button("Back to Settings", "export.again", self.back_to_settings),
                             done))
        return page

    def _fill_presets(self) -> None:
        """The presets (greyed out where this ffmpeg lacks their codec), then "Custom"."""
        current = self.preset_combo.currentText()
        self.preset_combo.clear()
        for name, options in self._presets.items():
            self.preset_combo.addItem(name)
            if options.codec not in self._codecs:
                item = self.preset_combo.model().item(self.preset_combo.count() - 1)
                item.setEnabled(False)
                item.setToolTip(f"This ffmpeg has no {CODECS[options.codec]} encoder.")
        self.preset_combo.addItem(CUSTOM)
        if current:
            self.preset_combo.setCurrentText(current)

    def _fill_codecs(self) -> None:
        for codec in self._codecs:
            self.codec_combo.addItem(CODEC_TITLES[codec], codec)

    def _on_codecs_known(self, codecs: list[str]) -> None:
        """ffmpeg's answer is in: offer only what it can encode, then run an export that waited."""
        if codecs != self._codecs:
            chosen = self.codec_combo.currentData()
            self._codecs = codecs
            with self._quietly():
                self.codec_combo.clear()
                self._fill_codecs()
                self._fill_presets()
                self.codec_combo.setCurrentIndex(max(0, self.codec_combo.findData(chosen)))
            self._codec_shown = chosen  # the quality was chosen for this one
            if self.codec_combo.currentData() != chosen:  # not here: keep "looks like the source"
                self._on_codec(self.codec_combo.currentIndex())
        self.refresh()
        if self._start_when_codecs_known:
            self._start_when_codecs_known = False
            self.start_export()

    # --- presets and remembered choices -----------------------------------------------------------
    def _apply_preset(self, name: str) -> None:
        preset = self._presets.get(name)
        if preset is None:
            self.refresh()
            return
        self._set_values(preset_choices(preset))
        self.preset_combo.setCurrentText(name)
        self.refresh()

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Set fields without each change re-checking the form (a preset sets several at once)."""
        before, self._applying = self._applying, True
        try:
            yield
        finally:
            self._applying = before

    def _set_values(self, choices: Choices) -> None:
        with self._quietly():
            index = self.codec_combo.findData(choices.codec)
            if index >= 0:
                self.codec_combo.setCurrentIndex(index)
            self._codec_shown = self.codec_combo.currentData()
            self.crf_spin.setValue(choices.crf)
            self.speed_combo.setCurrentText(choices.speed)
            self._size_follows_project = choices.size is None
            self._set_size(choices.size or (self.project.width, self.project.height))
            self.fit_combo.setCurrentIndex(max(0, self.fit_combo.findData(choices.fit)))
            if not choices.keep_fps:
                self._set_fps(choices.fps)

    def _set_size(self, size: tuple[int, int]) -> None:
        with self._quietly():
            self.width_spin.setValue(size[0])
            self.height_spin.setValue(size[1])

    def _set_fps(self, fps: Fraction | None) -> None:
        # compared in Python: Qt can't compare the Fractions the items hold
        rates = [self.fps_combo.itemData(i) for i in range(self.fps_combo.count())]
        if fps is not None and fps not in rates[1:]:
            self.fps_combo.addItem(f"{rate_text(fps)} fps", fps)
            rates.append(fps)
        self.fps_combo.setCurrentIndex(0 if fps is None else rates.index(fps, 1))

    # --- following the project and the marks ------------------------------------------------------
    def _on_change(self, _change: Change) -> None:
        if self.isVisible() and self.page == "settings":  # a hidden dialog refreshes when shown
            self.refresh()

    def _on_document_replaced(self) -> None:
        self._subscription.follow(self.session.document)
        self._new_document = True
        # a running export has its own copy and keeps its pages; a shown dialog catches up a turn
        # later and a hidden one when shown: never in the turn that swaps the projects
        if not self.runner.running and self.isVisible():
            next_turn(self, self._catch_up_shown)

    def _catch_up_shown(self) -> None:
        if self._new_document and not self.runner.running and self.isVisible():
            self.back_to_settings()

    def _on_marks(self) -> None:
        marks = (self.playhead.in_mark, self.playhead.out_mark)
        if marks != self._marks and self.isVisible() and self.page == "settings":
            self.refresh()

    def _choose_default_range(self) -> None:
        has_marks = self.playhead.in_mark is not None or self.playhead.out_mark is not None
        (self.range_marks if has_marks else self.range_all).setChecked(True)

    # --- reactions to the fields ------------------------------------------------------------------
    def _changed(self, *_args) -> None:
        if not self._applying:
            self.refresh()

    def _on_codec(self, _index: int) -> None:
        codec = self.codec_combo.currentData()
        if not self._applying and codec is not None:
            # the two codecs' CRF scales differ: keep "visually lossless" when that was chosen
            if self._codec_shown in DEFAULT_CRF and self.crf_spin.value() == DEFAULT_CRF[self._codec_shown]:
                with self._quietly():
                    self.crf_spin.setValue(DEFAULT_CRF[codec])
        self._codec_shown = codec
        self._changed()

    def _on_format(self, _index: int) -> None:
        if not self._applying:  # the file name takes the format's suffix (its change re-checks)
            self.out_edit.setText(with_suffix(self.out_edit.text(), self.format_combo.currentData()))

    def _on_size(self, _value: int) -> None:
        if self._applying:
            return
        self._size_follows_project = (self.width_spin.value(), self.height_spin.value()) == (
            self.project.width, self.project.height)
        self.refresh()

    def _use_project_size(self) -> None:
        self._set_size((self.project.width, self.project.height))
        self._size_follows_project = True
        self.refresh()

    def _on_range_kind(self, button, checked: bool) -> None:
        if not checked:
            return
        if button is self.range_custom and not self.in_edit.text():
            try:
                start, end = range_frames(self.project, "marks" if self.range_marks.isEnabled() else "all",
                                          (self.playhead.in_mark, self.playhead.out_mark))
            except ValueError:
                start, end = 0, self.project.duration
            fps = self.project.fps
            self.in_edit.setText(timecode(start, fps))
            self.out_edit_range.setText(timecode(end, fps))
        self._changed()

    def _browse(self) -> None:
        current = self.out_edit.text().strip() or str(default_output(self.project.name, self.folder, {}))
        path, _ = QFileDialog.getSaveFileName(self, "Export to", current, f"MPEG-4 video (*.mp4);;{TIMELINE_FILTERS}")
        if path:
            if not Path(path).suffix:
                path += ".mp4"
            self.out_edit.setText(path)

    # --- checking ---------------------------------------------------------------------------------
    def values(self) -> FormValues:
        """What the settings page's fields say."""
        kind = {self.range_marks: "marks", self.range_custom: "custom"}.get(self.range_group.checkedButton(), "all")
        return FormValues(
            out_text=self.out_edit.text(), codec=self.codec_combo.currentData(), crf=self.crf_spin.value(),
            speed=self.speed_combo.currentText(), width=self.width_spin.value(), height=self.height_spin.value(),
            fit=self.fit_combo.currentData(), fps=self.fps_combo.currentData(), range_kind=kind,
            in_text=self.in_edit.text(), out_range_text=self.out_edit_range.text(),
            preset_name=self.preset_combo.currentText(), c2pa=self.c2pa_check.isChecked(),
            c2pa_prompts=self.c2pa_prompts_check.isChecked())

    def evaluate(self) -> Check:
        """Read every field and say what would be exported, or what must change first."""
        return check_form(self.project, self.values(), marks=(self.playhead.in_mark, self.playhead.out_mark),
                          codecs=self._codecs, folder=self.folder)

    def refresh(self) -> None:
        """Re-read the project, the marks and the fields; update the summary and the Export button."""
        project = self.project
        self._marks = (self.playhead.in_mark, self.playhead.out_mark)
        self.title_label.setText(f"Export “{project.name}”")
        fps = project.fps
        self.range_all.setText(f"Whole cut  ({timecode(0, fps)} – {timecode(project.duration, fps)})")
        has_marks = any(m is not None for m in self._marks)
        self.range_marks.setEnabled(has_marks)
        if has_marks:
            start = self._marks[0] or 0
            end = self._marks[1] if self._marks[1] is not None else project.duration
            self.range_marks.setText(f"In to out marks  ({timecode(start, fps)} – {timecode(end, fps)})")
        else:
            self.range_marks.setText("In to out marks  (set them with I and O)")
            if self.range_marks.isChecked():
                self.range_all.setChecked(True)
        custom = self.range_custom.isChecked()
        self.in_edit.setEnabled(custom)
        self.out_edit_range.setEnabled(custom)
        self.fps_combo.setItemText(0, f"Project rate ({rate_text(fps)} fps)")
        self.project_size_button.setText(f"Project size ({project.width}×{project.height})")
        codec = self.codec_combo.currentData()
        if codec in DEFAULT_CRF:
            self.crf_hint.setText(f"0 best … 51 smallest; {DEFAULT_CRF[codec]} looks like the source")
        if self._size_follows_project:
            self._set_size((project.width, project.height))
        same_aspect = self.width_spin.value() * project.height == self.height_spin.value() * project.width
        self.fit_combo.setEnabled(not same_aspect)
        self.fit_combo.setToolTip("" if not same_aspect else "The export has the project's shape: nothing to fit.")
        self._sync_preset_name()

        check = self._check = self.evaluate()
        for widget in self.findChildren(QWidget):
            if widget.objectName().startswith("export."):
                _set_flag(widget, "invalid", widget.objectName() in check.invalid)
        _show_lines(self.issue_label, check.errors)
        _show_lines(self.warning_label, check.warnings)
        self.export_button.setEnabled(check.ok)
        if check.ok and check.timeline is None:
            options = check.options
            self.summary_label.setText(
                f"{duration_text(check.frames, check.fps)} · {plural(check.frames, 'frame')} · "
                f"{check.width}x{check.height} · {rate_text(check.fps)} fps · "
                f"{CODEC_TITLES[options.codec].split(' ')[0]} CRF {options.quality}")
            self.provenance_label.setText(provenance_note(self.project, options.start or 0, options.end or 0,
                                                          signed=options.c2pa, prompts=options.c2pa_prompts))
        else:
            self.summary_label.setText("Can't export yet:")
            self.provenance_label.setText("")
        self.provenance_label.setVisible(check.ok)
        follow_path(self, check)  # a timeline file (.otio, .xml, ...): its format and summary

    def _sync_preset_name(self) -> None:
        """Show the preset the fields match, or "Custom" once they differ from every preset."""
        fit_matters = self.fit_combo.isEnabled()
        self.preset_combo.setCurrentText(matching_preset(
            self._presets, self.preset_combo.currentText(), codec=self.codec_combo.currentData(),
            crf=self.crf_spin.value(), speed=self.speed_combo.currentText(),
            size=None if self._size_follows_project else (self.width_spin.value(), self.height_spin.value()),
            fit=FitMode.parse(self.fit_combo.currentData()) if fit_matters else None,
            fps=self.fps_combo.currentData()))

    # --- running ----------------------------------------------------------------------------------
    def open_for_export(self) -> None:
        """Show the dialog (or bring it forward): the settings page unless an export is running."""
        self.finish_building()  # asked for before the window had built it all
        fresh, self._checked_since_built = self._checked_since_built, False
        if not self.runner.running and (self.page != "settings" or self._new_document):
            self.back_to_settings()
        elif self.page == "settings" and not fresh:
            self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

    def start_export(self) -> bool:
        """Check, snapshot the project, and start the export on the worker thread; False when refused.

        Pressed before ffmpeg has said which encoders it has (a moment after the editor starts),
        the export starts once it has, if the chosen codec is among them.
        """
        if self.runner.running:
            return False
        if not self.codecs_known:
            self._start_when_codecs_known = True
            self.export_button.setEnabled(False)  # pressed once is enough
            return True
        self.refresh()
        check = self._check
        if not check.ok:
            return False
        if check.timeline is not None:  # the cut for another editor: written at once
            return export_now(self, check)
        options = check.options
        missing = self._missing_media(options.start or 0, options.end or 0)
        if missing:
            listed = "; ".join(missing[:4]) + (f"; and {len(missing) - 4} more" if len(missing) > 4 else "")
            _show_lines(self.issue_label, [f"Media the export needs are missing: {listed}. Put the files back (or "
                                           "relink them from the Media panel), then export again."])
            return False
        self.settings.set_last_export(remembered(
            self.settings.last_export(), options, check.out_path, folder=self.folder,
            size=None if self._size_follows_project else (check.width, check.height)))
        self._job = ExportJob.snapshot(self.project, self.folder, check.out_path, options)
        self.result = None
        self.progress_title.setText(f"Exporting {check.out_path.name}")
        self.progress_path.setText(f"{check.out_path.parent}\n{self.summary_label.text()}")
        self.progress_bar.setRange(0, check.frames)
        self.progress_bar.setValue(0)
        self.progress_text.setText("Preparing…")
        self.cancel_button.setEnabled(True)
        self._show_page(1)
        self.runner.start(self._job)
        return True

    def _missing_media(self, start: int, end: int) -> list[str]:
        """Missing files among those the range shows, each named with its shot."""
        missing = set(check_media(self.project, self.folder))
        named = []
        for clip in clips_in_range(self.project, start, end):
            take = clip.take
            if take is not None and take.media in missing:
                named.append(f"{take.media} (shot “{clip.name or clip.id}”)")
        return named

    def cancel_export(self) -> None:
        if self.runner.running:
            self.runner.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_text.setText("Cancelling…")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setMaximum(total)
        self.progress_bar.setValue(done)
        elapsed = time.monotonic() - self.runner.started_at
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        self.progress_text.setText(f"{done} of {total} frames · {rate:.0f} frames/s · about {clock(left)} left")

    def _on_succeeded(self, result: ExportResult) -> None:
        self.result = result
        size_mb = result.path.stat().st_size / 1e6 if result.path.exists() else 0.0
        details = (f"{plural(result.frames, 'frame')} · {result.width}x{result.height} · {rate_text(result.fps)} fps · "
                   f"{CODEC_TITLES[result.codec].split(' ')[0]} · {size_mb:.1f} MB · took {clock(result.seconds)}")
        if result.signing is not None:  # signed, or why not (the video is kept either way)
            details += "\n" + result.signing.note()
        self._show_result("Export finished", str(result.path), details, can_show=True)
        self.message.emit(f"Exported {result.path.name} ({plural(result.frames, 'frame')})", False)

    def _on_failed(self, text: str) -> None:
        self._show_result("Export failed", text, error=True)
        self.message.emit(f"Export failed: {text.splitlines()[0]}", True)

    def _on_cancelled(self, text: str) -> None:
        self._show_result("Export cancelled", text)
        self.message.emit("Export cancelled", False)

    def _show_result(self, title: str, text: str, details: str = "", *, error: bool = False,
                     can_show: bool = False) -> None:
        self.result_title.setText(title)
        self.result_title.setStyleSheet(f"color: {COLORS.error};" if error else "")
        self.result_text.setText(text)
        _show_lines(self.result_details, [details] if details else [])
        self.show_button.setVisible(can_show)
        self._show_page(2)

    def back_to_settings(self) -> None:
        if self._new_document:  # another project was opened: its own file name and range
            self._new_document = False
            with self._quietly():  # the fields first, then one check (below), not one per field
                self.out_edit.setText(str(default_output(self.project.name, self.folder, self.settings.last_export())))
                self.in_edit.clear()
                self.out_edit_range.clear()
                self._choose_default_range()
        self._show_page(0)
        self.refresh()

    def _show_page(self, index: int) -> None:
        """Switch page and fit the dialog's height to it (a stack is as tall as its tallest page)."""
        for i in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.pages.widget(i).setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(index)
        inner = self.pages.widget(index).layout()
        inner.activate()
        margins = self.layout().contentsMargins()
        width = self.width() - margins.left() - margins.right()
        # wrapped labels (messages) need the height at this width, not their one-line hint
        height = inner.totalHeightForWidth(width) if inner.hasHeightForWidth() else inner.totalSizeHint().height()
        height = max(height, inner.totalMinimumSize().height())
        self.resize(self.width(), height + margins.top() + margins.bottom())

    def folder_url(self) -> QUrl | None:
        """The folder holding the last exported file, as "Show in Folder" opens it."""
        return QUrl.fromLocalFile(str(self.result.path.parent)) if self.result is not None else None

    def show_in_folder(self) -> None:
        url = self.folder_url()
        if url is not None and not QDesktopServices.openUrl(url):
            self.message.emit(f"Could not open {url.toLocalFile()}; the file is {self.result.path}", True)

    # --- closing ----------------------------------------------------------------------------------
    def reject(self) -> None:
        """Close (Esc, the window's X): while an export runs this cancels it instead of hiding it."""
        if self.runner.running:
            self.cancel_export()
            return
        super().reject()

    def shutdown(self) -> None:
        """The window is closing: stop listening, cancel a running export and wait for its thread."""
        self._subscription.stop()
        if self.runner.running:
            self.runner.cancel()
            self.runner.wait()


# --- small builders: the pages are made of these ----------------------------------------------------
def _named(widget, name: str):
    widget.setObjectName(name)
    return widget


def _label(text: str, role: str, name: str = "", *, wrap: bool = False, selectable: bool = False) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _button(text: str, name: str, slot: Callable[[], object], *, primary: bool = False,
            auto_default: bool = False) -> QPushButton:
    """A push button; not an auto-default one unless asked, so Enter means the dialog's default."""
    button = _named(QPushButton(text), name)
    button.setAutoDefault(auto_default)
    if primary:
        button.setProperty("primary", True)
    button.clicked.connect(slot)
    return button


def _spin(name: str, low: int, high: int, on_change: Callable[[int], None], *, step: int = 1) -> QSpinBox:
    spin = _named(QSpinBox(), name)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setMinimumWidth(84)
    spin.valueChanged.connect(on_change)
    return spin


def _combo(name: str, items, on_change: Callable[[int], None]) -> QComboBox:
    """A combo box of (data, title) items."""
    combo = _named(QComboBox(), name)
    for data, title in items:
        combo.addItem(title, data)
    combo.currentIndexChanged.connect(on_change)
    return combo


def _row(*items: QWidget | int, grow: QWidget | None = None) -> QHBoxLayout:
    """A form row: widgets side by side (an int is that much space). `grow` takes the spare
    width; without it the row keeps to the left."""
    row = QHBoxLayout()
    for item in items:
        if isinstance(item, int):
            row.addSpacing(item)
        else:
            row.addWidget(item, 1 if item is grow else 0)
    if grow is None:
        row.addStretch(1)
    return row


def _buttons(*items: QWidget | int) -> QHBoxLayout:
    """A page's button row; an int is a stretch (where the row gives way)."""
    row = QHBoxLayout()
    for item in items:
        if isinstance(item, int):
            row.addStretch(item)
        else:
            row.addWidget(item)
    return row


def _page() -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    v = QVBoxLayout(page)
    v.setContentsMargins(0, 0, 0, 0)
    v.setSpacing(10)
    return page, v


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setContentsMargins(10, 8, 10, 8)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def _show_lines(label: QLabel, lines: list[str]) -> None:
    """A message label shows its lines, and is hidden when there are none."""
    label.setText("\n".join(lines))
    label.setVisible(bool(lines))


def _set_flag(widget: QWidget, name: str, value: object) -> None:
    """Set a style property and re-polish, so the stylesheet's [name=value] rules apply now."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
