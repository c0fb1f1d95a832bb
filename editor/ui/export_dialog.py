"""The Export dialog (F17): choose file, preset, codec, quality, size, rate and range; watch it run.

Three pages in one modeless dialog, as in Premiere's export and Resolve's render panel:
settings (checked on every change; Export stays disabled while anything is wrong, and the
message says what to change), progress (frames, rate, time left, Cancel) and the result (the
file with "Show in Folder", or the media layer's message). The export itself runs on a worker
thread (`export_runner`) from a copy of the project taken when Export is pressed, so the user
may keep editing. Choices are remembered in `Settings.last_export()` for the next export.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
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

from editor.document.document import Change, Document
from editor.document.project import Clip, Project
from editor.document.storage import check_media
from editor.media.errors import MediaError
from editor.media.export import (
    CODECS,
    DEFAULT_CRF,
    X264_PRESETS,
    ExportError,
    ExportOptions,
    ExportResult,
    export_presets,
    plan_export,
)
from editor.media.ffmpeg_bin import has_encoder
from editor.media.fit import FitMode
from editor.ui.export_runner import ExportJob, ExportRunner
from editor.ui.playhead import Playhead
from editor.ui.project_session import ProjectSession
from editor.ui.settings import Settings
from editor.ui.theme import COLORS
from editor.ui.timeline.timecode import duration_text, nominal_fps, timecode

CUSTOM = "Custom"
CODEC_TITLES = {"h264": "H.264", "h265": "H.265 (HEVC)"}
FIT_TITLES = {FitMode.LETTERBOX: "Letterbox (whole picture, black bars)",
              FitMode.CROP: "Crop (fill the frame, trim the edges)",
              FitMode.STRETCH: "Stretch (fill the frame, distort)"}
RATES = (("23.976", Fraction(24000, 1001)), ("24", Fraction(24)), ("25", Fraction(25)),
         ("29.97", Fraction(30000, 1001)), ("30", Fraction(30)), ("48", Fraction(48)), ("50", Fraction(50)),
         ("59.94", Fraction(60000, 1001)), ("60", Fraction(60)))
MP4_SUFFIXES = (".mp4", ".m4v", ".mov")
REMEMBERED_OUTPUTS = 20  # per-project output paths kept in the settings


# --- pure helpers (tested without widgets) -------------------------------------------------------
def parse_time(text: str, fps: Fraction) -> int:
    """A timecode (HH:MM:SS:FF, MM:SS:FF or SS:FF) or seconds ("2.5", "2.5s") as a project frame.

    Raise ValueError with the accepted forms for anything else.
    """
    s = text.strip().lower().removesuffix("s").strip()
    try:
        if ":" in s:
            parts = [int(p) for p in s.split(":")]
            if len(parts) > 4 or any(p < 0 for p in parts):
                raise ValueError
            parts = [0] * (4 - len(parts)) + parts
            hh, mm, ss, ff = parts
            base = nominal_fps(fps)
            if ff >= base:
                raise ValueError
            return ((hh * 60 + mm) * 60 + ss) * base + ff
        seconds = float(s)
        if seconds < 0:
            raise ValueError
        return round(Fraction(seconds) * Fraction(fps))
    except ValueError:
        raise ValueError(f"“{text}” is not a time: type a timecode such as 00:00:02:12 or seconds such as 2.5.") \
            from None


def rate_text(fps: Fraction) -> str:
    """24 -> "24", 24000/1001 -> "23.976"."""
    return f"{float(fps):.3f}".rstrip("0").rstrip(".")


def file_name_for(name: str) -> str:
    """A project name as a file name: characters no file system accepts become "_"."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .") or "Untitled"


def default_output(name: str, folder: Path | None, remembered: dict) -> Path:
    """Where an export goes unless the user says otherwise: this project's last export, else
    beside the project folder, else the last export folder, else the home folder."""
    outputs = remembered.get("outputs") if isinstance(remembered.get("outputs"), dict) else {}
    last_here = outputs.get(str(folder)) if folder is not None else None
    if isinstance(last_here, str) and Path(last_here).parent.is_dir():
        return Path(last_here)
    file_name = f"{file_name_for(name)}.mp4"
    if folder is not None:
        return Path(folder).parent / file_name
    last = remembered.get("folder")
    if isinstance(last, str) and Path(last).is_dir():
        return Path(last) / file_name
    return Path.home() / file_name


def clips_in_range(project: Project, start: int, end: int) -> list[Clip]:
    """Clips of visible tracks that overlap frames [start, end), in track order."""
    return [c for t in project.tracks if not t.hidden for c in t.clips if c.start < end and c.end > start]


def clock(seconds: float) -> str:
    """A wait in the user's words: "0:07", "12:30", "1:02:03"."""
    s = max(0, round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


@dataclass
class Check:
    """What the settings page currently asks for, and whether it can be exported."""

    options: ExportOptions | None = None
    out_path: Path | None = None
    frames: int = 0
    width: int = 0
    height: int = 0
    fps: Fraction = Fraction(24)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)  # object names of the fields at fault

    @property
    def ok(self) -> bool:
        return not self.errors and self.options is not None


# --- the dialog ---------------------------------------------------------------------------------
class ExportDialog(QDialog):
    """Export the open project of `session`; in/out marks come from `playhead`."""

    message = Signal(str, bool)  # a status-bar line for the window: text, is_error

    def __init__(self, session: ProjectSession, playhead: Playhead, settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self._unsubscribe = None
        self._new_document = False  # set when the session opened another project
        self._presets = self._load_presets()
        self._codecs = self._available_codecs()

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._settings_page())
        self.pages.addWidget(self._progress_page())
        self.pages.addWidget(self._result_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self.pages)
        self.setStyleSheet(f'*[invalid="true"] {{ border: 1px solid {COLORS.error}; }}')
        self.resize(600, 0)
        self._show_page(0)

        self._restore(settings.last_export())
        session.document_replaced.connect(self._on_document_replaced)
        playhead.changed.connect(self._on_marks)
        self._follow(session.document)
        self.out_edit.setText(str(default_output(self.project.name, self.folder, settings.last_export())))
        self._choose_default_range()
        self.refresh()

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

    # --- building ---------------------------------------------------------------------------------
    def _settings_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(10)
        self.title_label = _label("", "heading", "export.title")
        v.addWidget(self.title_label)

        output = QGroupBox("Output")
        form = _form(output)
        self.out_edit = QLineEdit()
        self.out_edit.setObjectName("export.path")
        self.out_edit.setPlaceholderText("Film.mp4")
        self.out_edit.setClearButtonEnabled(True)
        self.out_edit.textChanged.connect(self._changed)
        browse = QPushButton("Browse…")
        browse.setObjectName("export.browse")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.out_edit, 1)
        row.addWidget(browse)
        form.addRow("File", row)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("export.preset")
        for name, options in self._presets.items():
            self.preset_combo.addItem(name)
            if options.codec not in self._codecs:
                item = self.preset_combo.model().item(self.preset_combo.count() - 1)
                item.setEnabled(False)
                item.setToolTip(f"This ffmpeg has no {CODECS[options.codec]} encoder.")
        self.preset_combo.addItem(CUSTOM)
        self.preset_combo.activated.connect(lambda _i: self._apply_preset(self.preset_combo.currentText()))
        form.addRow("Preset", self.preset_combo)
        v.addWidget(output)

        video = QGroupBox("Video")
        form = _form(video)
        self.codec_combo = QComboBox()
        self.codec_combo.setObjectName("export.codec")
        for codec in self._codecs:
            self.codec_combo.addItem(CODEC_TITLES[codec], codec)
        self.codec_combo.currentIndexChanged.connect(self._on_codec)
        self._codec_shown = self.codec_combo.currentData()
        form.addRow("Codec", self.codec_combo)
        self.crf_spin = QSpinBox()
        self.crf_spin.setObjectName("export.crf")
        self.crf_spin.setRange(0, 51)
        self.crf_spin.setToolTip("Constant rate factor: lower is better and bigger. 18 (H.264) or 22 (H.265) "
                                 "look the same as the source; +6 about halves the file.")
        self.crf_spin.valueChanged.connect(self._changed)
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("export.speed")
        self.speed_combo.addItems(X264_PRESETS)
        self.speed_combo.setToolTip("Encoder speed: slower presets make smaller files at the same quality.")
        self.speed_combo.currentIndexChanged.connect(self._changed)
        self.crf_spin.setMinimumWidth(84)
        row = QHBoxLayout()
        row.addWidget(self.crf_spin)
        row.addSpacing(6)
        self.crf_hint = _label("", "hint", "export.crf_hint")
        row.addWidget(self.crf_hint)
        row.addStretch(1)
        form.addRow("Quality (CRF)", row)
        self.speed_combo.setMinimumWidth(130)
        row = QHBoxLayout()
        row.addWidget(self.speed_combo)
        row.addSpacing(6)
        row.addWidget(_label("slower makes smaller files", "hint"))
        row.addStretch(1)
        form.addRow("Encoder speed", row)
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin, name in ((self.width_spin, "export.width"), (self.height_spin, "export.height")):
            spin.setObjectName(name)
            spin.setRange(16, 8192)
            spin.setSingleStep(2)  # H.264/H.265 4:2:0 needs even sides
            spin.setMinimumWidth(84)
            spin.valueChanged.connect(self._on_size)
        self.project_size_button = QPushButton("Project size")
        self.project_size_button.setObjectName("export.project_size")
        self.project_size_button.setAutoDefault(False)
        self.project_size_button.clicked.connect(self._use_project_size)
        row = QHBoxLayout()
        row.addWidget(self.width_spin)
        row.addWidget(_label("×", "field"))
        row.addWidget(self.height_spin)
        row.addSpacing(6)
        row.addWidget(self.project_size_button)
        row.addStretch(1)
        form.addRow("Size", row)
        self.fit_combo = QComboBox()
        self.fit_combo.setObjectName("export.fit")
        for mode, title in FIT_TITLES.items():
            self.fit_combo.addItem(title, mode)
        self.fit_combo.currentIndexChanged.connect(self._changed)
        form.addRow("Fit", self.fit_combo)
        self.fps_combo = QComboBox()
        self.fps_combo.setObjectName("export.fps")
        self.fps_combo.addItem("Project rate", None)
        for text, rate in RATES:
            self.fps_combo.addItem(f"{text} fps", rate)
        self.fps_combo.currentIndexChanged.connect(self._changed)
        form.addRow("Frame rate", self.fps_combo)
        v.addWidget(video)

        span = QGroupBox("Range")
        grid = QVBoxLayout(span)
        grid.setContentsMargins(10, 8, 10, 8)
        self.range_all = QRadioButton("Whole cut")
        self.range_all.setObjectName("export.range_all")
        self.range_marks = QRadioButton("In to out marks")
        self.range_marks.setObjectName("export.range_marks")
        self.range_custom = QRadioButton("Custom")
        self.range_custom.setObjectName("export.range_custom")
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
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(_label("From", "field"))
        row.addWidget(self.in_edit)
        row.addWidget(_label("to", "field"))
        row.addWidget(self.out_edit_range)
        row.addStretch(1)
        grid.addLayout(row)
        v.addWidget(span)

        self.summary_label = _label("", "heading", "export.summary")
        v.addWidget(self.summary_label)
        self.provenance_label = _label("", "hint", "export.provenance")
        self.provenance_label.setWordWrap(True)
        v.addWidget(self.provenance_label)
        self.issue_label = _label("", "error", "export.issue")
        self.issue_label.setWordWrap(True)
        self.issue_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.issue_label)
        self.warning_label = _label("", "warning", "export.warning")
        self.warning_label.setWordWrap(True)
        v.addWidget(self.warning_label)
        v.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.setObjectName("export.close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("export.start")
        self.export_button.setProperty("primary", True)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        buttons.addWidget(close)
        buttons.addWidget(self.export_button)
        v.addLayout(buttons)
        return page

    def _progress_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(10)
        self.progress_title = _label("", "heading", "export.progress_title")
        v.addWidget(self.progress_title)
        self.progress_path = _label("", "hint", "export.progress_path")
        self.progress_path.setWordWrap(True)
        v.addWidget(self.progress_path)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("export.progress")
        self.progress_bar.setFormat("%p%")
        v.addWidget(self.progress_bar)
        self.progress_text = _label("Preparing…", "", "export.progress_text")
        v.addWidget(self.progress_text)
        v.addWidget(_label("You can keep editing: the export uses the project as it was when you pressed "
                           "Export.", "hint"))
        v.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel Export")
        self.cancel_button.setObjectName("export.cancel")
        self.cancel_button.setAutoDefault(False)  # Enter must not stop a long export by accident
        self.cancel_button.clicked.connect(self.cancel_export)
        buttons.addWidget(self.cancel_button)
        v.addLayout(buttons)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(10)
        self.result_title = _label("", "heading", "export.result_title")
        v.addWidget(self.result_title)
        self.result_text = _label("", "", "export.result_text")
        self.result_text.setWordWrap(True)
        self.result_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.result_text)
        self.result_details = _label("", "hint", "export.result_details")
        self.result_details.setWordWrap(True)
        v.addWidget(self.result_details)
        v.addStretch(1)
        buttons = QHBoxLayout()
        self.show_button = QPushButton("Show in Folder")
        self.show_button.setObjectName("export.show_in_folder")
        self.show_button.clicked.connect(self.show_in_folder)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        again = QPushButton("Back to Settings")
        again.setObjectName("export.again")
        again.setAutoDefault(False)
        again.clicked.connect(self.back_to_settings)
        done = QPushButton("Close")
        done.setObjectName("export.result_close")
        done.setProperty("primary", True)
        done.clicked.connect(self.reject)
        buttons.addWidget(again)
        buttons.addWidget(done)
        v.addLayout(buttons)
        return page

    # --- presets and remembered choices -----------------------------------------------------------
    @staticmethod
    def _load_presets() -> dict[str, ExportOptions]:
        try:
            return export_presets()
        except ExportError:
            return {}  # the dialog still works with its own fields; the issue line says nothing is lost

    @staticmethod
    def _available_codecs() -> list[str]:
        try:
            return [codec for codec, encoder in CODECS.items() if has_encoder(encoder)]
        except MediaError:
            return []

    def _apply_preset(self, name: str) -> None:
        preset = self._presets.get(name)
        if preset is None:
            self.refresh()
            return
        self._set_values(codec=preset.codec, crf=preset.quality, speed=preset.preset,
                         size=None if preset.width is None else (preset.width, preset.height),
                         fit=FitMode.parse(preset.fit), fps=preset.fps, keep_fps=preset.fps is None)
        self.preset_combo.setCurrentText(name)
        self.refresh()

    def _set_values(self, *, codec: str, crf: int, speed: str, size: tuple[int, int] | None, fit: FitMode,
                    fps: Fraction | None, keep_fps: bool = False) -> None:
        self._applying = True
        try:
            index = self.codec_combo.findData(codec)
            if index >= 0:
                self.codec_combo.setCurrentIndex(index)
            self._codec_shown = self.codec_combo.currentData()
            self.crf_spin.setValue(crf)
            self.speed_combo.setCurrentText(speed)
            self._size_follows_project = size is None
            w, h = size or (self.project.width, self.project.height)
            self.width_spin.setValue(w)
            self.height_spin.setValue(h)
            self.fit_combo.setCurrentIndex(max(0, self.fit_combo.findData(fit)))
            if not keep_fps:
                self._set_fps(fps)
        finally:
            self._applying = False

    def _set_fps(self, fps: Fraction | None) -> None:
        if fps is None:
            self.fps_combo.setCurrentIndex(0)
            return
        for i in range(1, self.fps_combo.count()):
            if self.fps_combo.itemData(i) == fps:
                self.fps_combo.setCurrentIndex(i)
                return
        self.fps_combo.addItem(f"{rate_text(fps)} fps", fps)
        self.fps_combo.setCurrentIndex(self.fps_combo.count() - 1)

    def _restore(self, last: dict) -> None:
        """Last export's choices, else the first preset's."""
        first = next(iter(self._presets.values()), ExportOptions())
        codec = last.get("codec") if last.get("codec") in self._codecs else None
        try:
            size = tuple(int(v) for v in last["size"]) if last.get("size") else None
            fps = Fraction(str(last["fps"])) if last.get("fps") else None
            fit = FitMode.parse(last.get("fit"), FitMode.parse(first.fit))
            crf = int(last["crf"]) if last.get("crf") is not None else None
        except (ValueError, TypeError, KeyError):
            size, fps, fit, crf, codec = None, None, FitMode.parse(first.fit), None, None
        if codec is None:  # nothing remembered (or unusable): start from the first preset
            codec = first.codec if first.codec in self._codecs else (self._codecs or ["h264"])[0]
            self._set_values(codec=codec, crf=first.quality if codec == first.codec else DEFAULT_CRF[codec],
                             speed=first.preset, size=None if first.width is None else (first.width, first.height),
                             fit=FitMode.parse(first.fit), fps=first.fps)
            return
        speed = last.get("speed") if last.get("speed") in X264_PRESETS else first.preset
        self._set_values(codec=codec, crf=crf if crf is not None and 0 <= crf <= 51 else DEFAULT_CRF[codec],
                         speed=speed, size=size if size and len(size) == 2 else None, fit=fit, fps=fps)

    def _remember(self, check: Check) -> None:
        options = check.options
        last = self.settings.last_export()
        outputs = last.get("outputs") if isinstance(last.get("outputs"), dict) else {}
        if self.folder is not None:
            outputs.pop(str(self.folder), None)
            outputs[str(self.folder)] = str(check.out_path)
            outputs = dict(list(outputs.items())[-REMEMBERED_OUTPUTS:])
        self.settings.set_last_export({
            "codec": options.codec, "crf": options.quality, "speed": options.preset,
            "size": None if self._size_follows_project else [check.width, check.height],
            "fps": None if options.fps is None else f"{options.fps.numerator}/{options.fps.denominator}",
            "fit": str(FitMode.parse(options.fit)), "preset_name": options.name,
            "folder": str(check.out_path.parent), "outputs": outputs,
        })

    # --- following the project and the marks ------------------------------------------------------
    def _follow(self, document: Document) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = document.subscribe(self._on_change)

    def _on_change(self, _change: Change) -> None:
        if self.isVisible() and self.page == "settings":  # a hidden dialog refreshes when shown
            self.refresh()

    def _on_document_replaced(self) -> None:
        self._follow(self.session.document)
        self._new_document = True
        if not self.runner.running:  # a running export has its own copy and keeps its pages
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
                self._applying = True
                self.crf_spin.setValue(DEFAULT_CRF[codec])
                self._applying = False
        self._codec_shown = codec
        self._changed()

    def _on_size(self, _value: int) -> None:
        if self._applying:
            return
        self._size_follows_project = (self.width_spin.value(), self.height_spin.value()) == (
            self.project.width, self.project.height)
        self.refresh()

    def _use_project_size(self) -> None:
        self._applying = True
        self.width_spin.setValue(self.project.width)
        self.height_spin.setValue(self.project.height)
        self._applying = False
        self._size_follows_project = True
        self.refresh()

    def _on_range_kind(self, button, checked: bool) -> None:
        if not checked:
            return
        if button is self.range_custom and not self.in_edit.text():
            try:
                start, end = self._range_of(self.range_marks if self.range_marks.isEnabled() else self.range_all)
            except ValueError:
                start, end = 0, self.project.duration
            fps = self.project.fps
            self.in_edit.setText(timecode(start, fps))
            self.out_edit_range.setText(timecode(end, fps))
        self._changed()

    def _browse(self) -> None:
        current = self.out_edit.text().strip() or str(default_output(self.project.name, self.folder, {}))
        path, _ = QFileDialog.getSaveFileName(self, "Export to", current, "MPEG-4 video (*.mp4)")
        if path:
            if not Path(path).suffix:
                path += ".mp4"
            self.out_edit.setText(path)

    # --- checking ---------------------------------------------------------------------------------
    def _range_of(self, button) -> tuple[int, int]:
        """[start, end) project frames of a range choice; ValueError says what is wrong."""
        duration = self.project.duration
        if button is self.range_marks:
            start = self.playhead.in_mark or 0
            end = self.playhead.out_mark if self.playhead.out_mark is not None else duration
            end = min(end, duration)
            if start >= duration:
                raise ValueError("The in mark is past the end of the cut: move it, or export the whole cut.")
            return start, end
        if button is self.range_custom:
            fps = self.project.fps
            start = parse_time(self.in_edit.text(), fps)
            end = parse_time(self.out_edit_range.text(), fps)
            if end <= start:
                raise ValueError("The custom range is empty: its end must come after its start.")
            if start >= duration:
                raise ValueError(f"The custom range starts after the cut ends ({timecode(duration, fps)}).")
            return start, min(end, duration)
        return 0, duration

    def evaluate(self) -> Check:
        """Read every field and say what would be exported, or what must change first."""
        check = Check()
        project = self.project
        fail = check.errors.append

        text = self.out_edit.text().strip()
        if not text:
            fail("Choose the file to export to.")
            check.invalid.add("export.path")
        else:
            out = Path(text).expanduser()
            if not out.suffix:
                out = out.with_name(out.name + ".mp4")
            out = out.absolute()
            check.out_path = out
            if out.suffix.lower() not in MP4_SUFFIXES:
                fail(f"Export writes MP4 video: name the file {out.stem}.mp4.")
                check.invalid.add("export.path")
            elif out.is_dir():
                fail(f"{out} is a folder: add a file name such as {out / 'film.mp4'}.")
                check.invalid.add("export.path")
            elif not out.parent.is_dir():
                fail(f"The folder {out.parent} does not exist: choose another folder or create it first.")
                check.invalid.add("export.path")
            elif out.exists():
                check.warnings.append(f"{out.name} exists; it is replaced only once the export has finished.")

        if not self._codecs:
            fail("This ffmpeg has no H.264 or H.265 encoder: install a full ffmpeg (e.g. `apt install ffmpeg`).")
        w, h = self.width_spin.value(), self.height_spin.value()
        for side, value, name in (("Width", w, "export.width"), ("Height", h, "export.height")):
            if value % 2:
                fail(f"{side} {value} is odd: H.264 and H.265 need even sizes; use {value - 1} or {value + 1}.")
                check.invalid.add(name)

        if project.duration == 0:
            fail("The cut is empty: add clips or shots before exporting.")
        start = end = 0
        try:
            start, end = self._range_of(self.range_group.checkedButton())
        except ValueError as exc:
            fail(str(exc))
            check.invalid.update({"export.range_in", "export.range_out"}
                                 if self.range_custom.isChecked() else set())

        if check.errors:
            return check
        codec = self.codec_combo.currentData()
        options = ExportOptions(
            codec=codec, crf=self.crf_spin.value(), preset=self.speed_combo.currentText(),
            width=None if (w, h) == (project.width, project.height) else w,
            height=None if (w, h) == (project.width, project.height) else h,
            fps=self.fps_combo.currentData(), fit=FitMode.parse(self.fit_combo.currentData()),
            start=start, end=end, name=self.preset_combo.currentText(),
        )
        try:
            plan = plan_export(project, options)
        except ExportError as exc:
            fail(str(exc))
            return check
        check.options, check.frames, check.fps = options, len(plan.sources), plan.fps
        check.width, check.height = plan.width, plan.height
        return check

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
        if self._size_follows_project and (self.width_spin.value(), self.height_spin.value()) != (
                project.width, project.height):
            self._applying = True
            self.width_spin.setValue(project.width)
            self.height_spin.setValue(project.height)
            self._applying = False
        same_aspect = self.width_spin.value() * project.height == self.height_spin.value() * project.width
        self.fit_combo.setEnabled(not same_aspect)
        self.fit_combo.setToolTip("" if not same_aspect else "The export has the project's shape: nothing to fit.")
        self._sync_preset_name()

        check = self.evaluate()
        self._check = check
        for widget in self.findChildren(QWidget):
            if widget.objectName().startswith("export."):
                _set_flag(widget, "invalid", widget.objectName() in check.invalid)
        self.issue_label.setText("\n".join(check.errors))
        self.issue_label.setVisible(bool(check.errors))
        self.warning_label.setText("\n".join(check.warnings))
        self.warning_label.setVisible(bool(check.warnings))
        self.export_button.setEnabled(check.ok)
        if check.ok:
            options = check.options
            self.summary_label.setText(
                f"{duration_text(check.frames, check.fps)} · {check.frames} frames · "
                f"{check.width}x{check.height} · {rate_text(check.fps)} fps · "
                f"{CODEC_TITLES[options.codec].split(' ')[0]} CRF {options.quality}")
            self.provenance_label.setText(self._provenance_note(options.start or 0, options.end or 0))
        else:
            self.summary_label.setText("Can't export yet:")
            self.provenance_label.setText("")
        self.provenance_label.setVisible(check.ok)

    def _sync_preset_name(self) -> None:
        """Show the preset the fields match, or "Custom" once they differ from every preset."""
        current = self.preset_combo.currentText()
        size = None if self._size_follows_project else (self.width_spin.value(), self.height_spin.value())
        values = (self.codec_combo.currentData(), self.crf_spin.value(), self.speed_combo.currentText(), size,
                  self.fit_combo.currentData() if self.fit_combo.isEnabled() else None)

        def matches(p: ExportOptions) -> bool:
            fit = FitMode.parse(p.fit) if self.fit_combo.isEnabled() else None
            psize = None if p.width is None else (p.width, p.height)
            rate_ok = p.fps is None or p.fps == self.fps_combo.currentData()
            return (p.codec, p.quality, p.preset, psize, fit) == values and rate_ok

        names = [n for n, p in self._presets.items() if matches(p)]
        name = current if current in names else (names[0] if names else CUSTOM)
        self.preset_combo.setCurrentText(name)

    def _provenance_note(self, start: int, end: int) -> str:
        clips = clips_in_range(self.project, start, end)
        generated = [c for c in clips if c.take is not None and c.take.generated]
        if not generated:
            return ("The file's metadata says it was made with Shotline; generated shots, when there are any, "
                    "are named there with their model, seed and prompt.")
        shots = "shot is" if len(clips) == 1 else "shots are"
        return (f"{len(generated)} of {len(clips)} {shots} generated: the file's metadata marks it as holding "
                "AI-generated frames and names each generated shot's model, seed and prompt.")

    # --- running ----------------------------------------------------------------------------------
    def open_for_export(self) -> None:
        """Show the dialog (or bring it forward): the settings page unless an export is running."""
        if not self.runner.running and self.page != "settings":
            self.back_to_settings()
        elif self.page == "settings":
            self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

    def start_export(self) -> bool:
        """Check, snapshot the project, and start the export on the worker thread; False when refused."""
        if self.runner.running:
            return False
        self.refresh()
        check = self._check
        if not check.ok:
            return False
        options = check.options
        missing = self._missing_media(options.start or 0, options.end or 0)
        if missing:
            listed = "; ".join(missing[:4]) + (f"; and {len(missing) - 4} more" if len(missing) > 4 else "")
            self.issue_label.setText(f"Media the export needs are missing: {listed}. Put the files back (or "
                                     "relink them from the Media panel), then export again.")
            self.issue_label.setVisible(True)
            return False
        self._remember(check)
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
        details = (f"{result.frames} frames · {result.width}x{result.height} · {rate_text(result.fps)} fps · "
                   f"{CODEC_TITLES[result.codec].split(' ')[0]} · {size_mb:.1f} MB · took {clock(result.seconds)}")
        self._show_result("Export finished", str(result.path), details, can_show=True)
        self.message.emit(f"Exported {result.path.name} ({result.frames} frames)", False)

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
        self.result_details.setText(details)
        self.result_details.setVisible(bool(details))
        self.show_button.setVisible(can_show)
        self._show_page(2)

    def back_to_settings(self) -> None:
        if self._new_document:  # another project was opened: its own file name and range
            self._new_document = False
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
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.runner.running:
            self.runner.cancel()
            self.runner.wait()


def _label(text: str, role: str, name: str = "") -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    if name:
        label.setObjectName(name)
    return label


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setContentsMargins(10, 8, 10, 8)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def _set_flag(widget: QWidget, name: str, value: object) -> None:
    """Set a style property and re-polish, so the stylesheet's [name=value] rules apply now."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
