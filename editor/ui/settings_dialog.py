"""The Settings dialog: model folders (and what was recognised in them), device, memory mode, defaults.

Models are recognised from their JSON files only (`model.models`), so opening this dialog never
loads torch or any weights; the folders and the Hugging Face cache are read on the background
pool. A folder that can't be used is listed with the reason and the fix.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.document import limits
from editor.ui.background import run_in_background
from editor.ui.elided import fit_columns
from editor.ui.proof_settings import ProofOfOriginTab
from editor.ui.settings import (
    DEVICE_TITLES,
    DEVICES,
    MEMORY_MODE_TITLES,
    MEMORY_MODES,
    EditorDefaults,
    Settings,
)
from editor.ui.settings_extras import ExtrasForm
from editor.ui.theme import COLORS
from model.catalog import catalog_text

NO_MODEL_HELP = catalog_text()  # Help > How to Add a Model (plain text)


def recognised_models(folders: list[str]) -> list[tuple[str, str, str, str | None]]:
    """(name, kind, actions, error) for every model found in `folders` and the Hugging Face cache."""
    from model.models import scan_folders, scan_hf_cache

    rows = []
    for found in scan_folders(folders) + scan_hf_cache():
        if found.info is not None:
            info = found.info
            actions = ", ".join(a.title for a in info.actions)
            rows.append((info.title, found.path, actions, None))
        else:
            rows.append((found.path.rstrip("/").split("/")[-1], found.path, "", found.error))
    return rows


class SettingsDialog(QDialog):
    models_listed = Signal()  # the recognised models are shown for the folders listed now

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scan = 0  # which look for models is the latest
        self.setWindowTitle("Settings")
        self.setObjectName("settings_dialog")
        self.resize(760, 600)
        self.settings = settings
        tabs = QTabWidget(self)
        tabs.addTab(self._models_tab(), "Models")
        tabs.addTab(self._device_tab(), "Device")
        tabs.addTab(self._defaults_tab(), "Defaults")
        self.proof_tab = ProofOfOriginTab()
        tabs.addTab(self.proof_tab, "Proof of origin")
        self.tabs = tabs
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.refresh_models()

    # --- models -------------------------------------------------------------------------------
    def _models_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(QLabel("Model folders"))
        self.folder_list = QListWidget()
        self.folder_list.setObjectName("settings.folders")
        self.folder_list.addItems(self.settings.model_folders())
        self.folder_list.setMaximumHeight(110)
        v.addWidget(self.folder_list)
        row = QHBoxLayout()
        add = QPushButton("Add folder…")
        add.setObjectName("settings.add_folder")
        add.clicked.connect(self._add_folder_dialog)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_folder)
        download = QPushButton("Download…")
        download.setObjectName("settings.download")
        download.setToolTip("Get a model from the Hugging Face Hub (LTX-Video, LTX-2, Wan VACE)")
        download.clicked.connect(self.open_download)
        row.addWidget(add)
        row.addWidget(remove)
        row.addWidget(download)
        row.addStretch(1)
        v.addLayout(row)
        # a folder with no model in it says so (it was listed as if it held one)
        self.folder_note = QLabel()
        self.folder_note.setObjectName("settings.folder_note")
        self.folder_note.setWordWrap(True)
        self.folder_note.setStyleSheet(f"color: {COLORS.error}")
        self.folder_note.hide()
        v.addWidget(self.folder_note)
        v.addWidget(QLabel("Recognised models"))
        self.model_tree = QTreeWidget()
        self.model_tree.setObjectName("settings.models")
        self.model_tree.setHeaderLabels(["Model", "Can make", "Folder"])
        self.model_tree.setRootIsDecorated(False)
        self.model_tree.setColumnWidth(0, 230)
        self.model_tree.setColumnWidth(1, 260)
        v.addWidget(self.model_tree, 1)
        from editor.ui.model_download import catalog_html

        self.model_help = QLabel(catalog_html())  # the first-run page: which models, how big, how to get them
        self.model_help.setTextFormat(Qt.TextFormat.RichText)
        self.model_help.setObjectName("settings.model_help")
        self.model_help.setWordWrap(True)
        self.model_help.setProperty("role", "hint")
        self.model_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.model_help)
        # spare room goes below, not around the folder list: the list stays put when the models
        # list appears or the first-run page hides (it jumped up after Add folder)
        v.addStretch(0)
        return page

    def open_download(self) -> None:
        """Settings > Models > Download: the model shows in the list when it is complete."""
        from editor.ui.model_download import DownloadModelDialog

        self.download_dialog = DownloadModelDialog(self)
        self.download_dialog.downloaded.connect(self._downloaded)
        self.download_dialog.open()

    def _downloaded(self, folder: str, chosen: bool) -> None:
        if chosen:
            self.add_folder(folder)  # a folder of the user's: listed (and saved with OK)
        else:
            self.refresh_models()  # the Hugging Face cache is always looked at

    def folders(self) -> list[str]:
        return [self.folder_list.item(i).text() for i in range(self.folder_list.count())]

    def add_folder(self, folder: str) -> None:
        if folder and folder not in self.folders():
            self.folder_list.addItem(folder)
            self.refresh_models()

    def _add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a model folder")
        self.add_folder(folder)

    def _remove_folder(self) -> None:
        for item in self.folder_list.selectedItems():
            self.folder_list.takeItem(self.folder_list.row(item))
        self.refresh_models()

    def refresh_models(self) -> None:
        """Look for models in the folders and the Hugging Face cache, on the background pool
        (reading every model's configs can take a while); `models_listed` follows."""
        self._scan += 1
        scan, folders = self._scan, self.folders()
        run_in_background(lambda: recognised_models(folders), lambda rows: self._show_models(scan, rows), owner=self)

    def _show_models(self, scan: int, rows: list[tuple[str, str, str, str | None]]) -> None:
        if scan != self._scan:
            return  # the folders changed while this list was made: a newer one is coming
        self.model_tree.clear()
        usable = 0
        for name, path, actions, error in rows:
            item = QTreeWidgetItem([name, actions if error is None else error, path])
            if error is not None:
                item.setForeground(0, QColor(COLORS.error))
                item.setForeground(1, QColor(COLORS.error))
                item.setToolTip(1, error)
            else:
                usable += 1
            self.model_tree.addTopLevelItem(item)
        self._mark_empty_folders([path for _name, path, _actions, _error in rows])
        fit_columns(self.model_tree)  # and a tooltip with each cell's full text, as a cell may be elided
        self.model_help.setVisible(usable == 0)
        self.model_tree.setVisible(bool(rows))  # empty, it only takes the first-run page's room
        self.models_listed.emit()

    def _mark_empty_folders(self, found: list[str]) -> None:
        """Folders of the list in which no model was found: shown in red, and one line saying
        what to pick instead."""
        places = {Path(p).expanduser().resolve() for p in found}
        empty = []
        for i in range(self.folder_list.count()):
            item = self.folder_list.item(i)
            folder = Path(item.text()).expanduser().resolve()
            holds = folder in places or any(p.parent == folder for p in places)
            item.setForeground(QColor(COLORS.error) if not holds else self.folder_list.palette().text().color())
            item.setToolTip("" if holds else "No model found in this folder")
            if not holds:
                empty.append(item.text())
        if empty:
            self.folder_note.setText(f"No model found in {', '.join(empty)}: add the folder that holds a "
                                     "model's model_index.json (or the folder above it), or Remove it.")
        self.folder_note.setVisible(bool(empty))

    # --- device -------------------------------------------------------------------------------
    def _device_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.device_combo = _choices("settings.device", DEVICES, DEVICE_TITLES, self.settings.device())
        form.addRow("Run models on", self.device_combo)
        self.memory_combo = _choices("settings.memory", MEMORY_MODES, MEMORY_MODE_TITLES, self.settings.memory_mode())
        form.addRow("GPU memory", self.memory_combo)
        hint = QLabel("Automatic keeps the whole model on the GPU when it fits and offloads parts of it to "
                      "the CPU when it doesn't. Pausing the job queue frees the GPU memory at once.")
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        form.addRow(hint)
        from editor.ui.where_jobs_run import WhereJobsRun

        self.where_jobs_run = WhereJobsRun(self.settings.farm_address(), form, lanes=self.settings.farm_lanes())
        self.extras = ExtrasForm(self.settings, form, owner=self)  # speed, tiling, weights, enhancer, upsampler
        return page

    # --- defaults -----------------------------------------------------------------------------
    def _defaults_tab(self) -> QWidget:
        d = self.settings.defaults()
        page = QWidget()
        form = QFormLayout(page)
        self.fps_spin = QSpinBox()
        self.fps_spin.setRange(1, 120)
        self.fps_spin.setValue(d.fps)
        self.fps_spin.setSuffix(" fps")
        form.addRow("New project frame rate", self.fps_spin)
        size = QHBoxLayout()
        self.width_spin = QSpinBox()
        self.width_spin.setRange(limits.MIN_FRAME_SIDE, limits.MAX_FRAME_LONG_SIDE)
        self.width_spin.setValue(d.width)
        self.height_spin = QSpinBox()
        self.height_spin.setRange(limits.MIN_FRAME_SIDE, limits.MAX_FRAME_LONG_SIDE)
        self.height_spin.setValue(d.height)
        size.addWidget(self.width_spin)
        size.addWidget(QLabel("×"))
        size.addWidget(self.height_spin)
        size.addStretch(1)
        form.addRow("New project size", size)
        self.shot_spin = self._seconds(d.shot_seconds)
        form.addRow("New draft shot length", self.shot_spin)
        self.still_spin = self._seconds(d.still_seconds)
        form.addRow("Dropped still length", self.still_spin)
        self.extend_spin = self._seconds(d.extend_seconds)
        form.addRow("Extend by", self.extend_spin)
        self.autosave_edits = QSpinBox()
        self.autosave_edits.setRange(1, 1000)
        self.autosave_edits.setValue(d.autosave_every_edits)
        self.autosave_edits.setSuffix(" edits")
        form.addRow("Autosave every", self.autosave_edits)
        self.autosave_seconds = QSpinBox()
        self.autosave_seconds.setRange(5, 3600)
        self.autosave_seconds.setValue(d.autosave_every_s)
        self.autosave_seconds.setSuffix(" s")
        form.addRow("… and every", self.autosave_seconds)
        return page

    def _seconds(self, value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(0.1, 60.0)
        spin.setDecimals(1)
        spin.setSuffix(" s")
        spin.setValue(value)
        return spin

    # --- saving -------------------------------------------------------------------------------
    def accept(self) -> None:
        if not self.proof_tab.save():  # a certificate that can't sign: say why, stay open
            self.tabs.setCurrentWidget(self.proof_tab)
            return
        s = self.settings
        problem = self.where_jobs_run.error()
        if problem:  # nothing is saved until the address can be used
            self.where_jobs_run.show_problem(problem)
            return
        s.set_farm_address(self.where_jobs_run.value() or "")
        if self.where_jobs_run.lanes is not None:
            s.set_farm_lanes(self.where_jobs_run.lanes.value())
        s.set_model_folders(self.folders())
        s.set_device(self.device_combo.currentData())
        s.set_memory_mode(self.memory_combo.currentData())
        self.extras.save()
        s.set_defaults(EditorDefaults(
            fps=self.fps_spin.value(), width=self.width_spin.value(), height=self.height_spin.value(),
            shot_seconds=self.shot_spin.value(), still_seconds=self.still_spin.value(),
            extend_seconds=self.extend_spin.value(), autosave_every_edits=self.autosave_edits.value(),
            autosave_every_s=self.autosave_seconds.value()))
        s.sync()
        super().accept()


def _choices(name: str, choices: tuple[str, ...], titles: dict[str, str], current: str) -> QComboBox:
    """A combo box of a setting's choices, by their titles, on the current one."""
    combo = QComboBox()
    combo.setObjectName(name)
    for choice in choices:
        combo.addItem(titles[choice], choice)
    combo.setCurrentIndex(choices.index(current))
    return combo
