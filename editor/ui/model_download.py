"""Settings > Models > Download: get a model from the Hugging Face Hub without leaving Shotline.

The dialog lists the models Shotline drives (model.catalog) with their sizes and GPU memory;
any other diffusers repository can be typed in. The download goes to the Hugging Face cache
(where Shotline finds models by itself) or to a folder the user chooses. It runs on a thread of
its own (never the GUI thread): the size is asked from the Hub and the disk checked first, then
progress shows in the dialog; Cancel stops it within one chunk and keeps the files already
fetched, so downloading the same model again fetches only the rest. `downloaded(folder, chosen_folder)` says where the
model is when it is complete.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.ui.background import gui_caller
from editor.ui.threads import gc_guard
from model.catalog import CATALOG


def catalog_html() -> str:
    """The first-run explanation: which models Shotline drives, their size and memory, how to get them."""
    rows = "".join(
        f"<tr><td><b>{e.title}</b>{'' if e.driven else ' <i>(not driven by this version)</i>'}<br>"
        f"<small>{e.repo_id}</small></td><td>≈ {e.download_gb:g} GB</td><td>{e.vram}</td></tr>"
        for e in CATALOG)
    return ("<p><b>No video model is set up yet.</b> Shotline runs local diffusers model folders on your GPU:</p>"
            "<table cellspacing='0' cellpadding='3'><tr><th align='left'>Model</th><th align='left'>Download</th>"
            f"<th align='left'>GPU memory</th></tr>{rows}</table>"
            "<p>Press <b>Download…</b> to fetch one (into your Hugging Face cache or a folder you choose), or "
            "download it yourself (<code>hf download &lt;repo&gt;</code>) and press <b>Add folder…</b>. Models "
            "already in your Hugging Face cache are found by themselves. Infill and Loop work without a model "
            "(optical-flow interpolation).</p>")


class DownloadModelDialog(QDialog):
    downloaded = Signal(str, bool)  # the model's folder; True when it is in a folder the user chose
    state_changed = Signal(str)  # "sizing", "ready", "downloading", "done", "cancelled", "failed"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Download a model")
        self.setObjectName("download_model_dialog")
        self.resize(900, 420)
        self._cancel = threading.Event()
        self._running = False
        self._asked = 0  # which size question is the latest
        self.state = "ready"
        v = QVBoxLayout(self)
        self.models = QTreeWidget()
        self.models.setObjectName("download.catalog")
        self.models.setHeaderLabels(["Model", "Download", "GPU memory", "Good for"])
        self.models.setRootIsDecorated(False)
        self.models.setColumnWidth(0, 250)
        self.models.setColumnWidth(1, 80)
        self.models.setColumnWidth(2, 260)
        self.models.setMinimumHeight(120)
        for e in CATALOG:
            note = e.note if e.driven else "needs a Shotline that drives it"
            item = QTreeWidgetItem([e.title, f"≈ {e.download_gb:g} GB", e.vram, note])
            item.setToolTip(3, note)
            item.setData(0, Qt.ItemDataRole.UserRole, e.repo_id)
            item.setToolTip(0, e.repo_id)
            item.setDisabled(not e.driven)
            self.models.addTopLevelItem(item)
        self.models.currentItemChanged.connect(self._picked)
        v.addWidget(self.models, 1)
        v.addWidget(self._hint("Sizes and GPU memory are approximate; the exact download size is asked from "
                               "the Hub before anything is written. Any other diffusers model can be typed in."))
        form = QFormLayout()
        self.repo = QLineEdit()
        self.repo.setObjectName("download.repo")
        self.repo.setPlaceholderText("organisation/name of a diffusers model on the Hugging Face Hub")
        self.repo.textChanged.connect(lambda: self._ask_size())
        form.addRow("Repository", self.repo)
        where = QWidget()
        wl = QHBoxLayout(where)
        wl.setContentsMargins(0, 0, 0, 0)
        self.to_cache = QRadioButton("Hugging Face cache")
        self.to_cache.setObjectName("download.to_cache")
        self.to_cache.setToolTip("Shared with other Hugging Face tools; Shotline finds models there by itself.")
        self.to_folder = QRadioButton("Folder:")
        self.to_folder.setObjectName("download.to_folder")
        group = QButtonGroup(self)
        group.addButton(self.to_cache)
        group.addButton(self.to_folder)
        self.to_cache.setChecked(True)
        self.folder = QLineEdit()
        self.folder.setObjectName("download.folder")
        self.folder.setPlaceholderText("the model's own folder, e.g. ~/Models/LTX-Video")
        self.folder.textEdited.connect(lambda: self.to_folder.setChecked(True))
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_folder)
        for w in (self.to_cache, self.to_folder):
            wl.addWidget(w)
            w.toggled.connect(lambda: self._ask_size())
        wl.addWidget(self.folder, 1)
        wl.addWidget(choose)
        form.addRow("Save to", where)
        v.addLayout(form)
        self.size_label = QLabel("")
        self.size_label.setObjectName("download.size")
        self.size_label.setProperty("role", "hint")
        self.size_label.setWordWrap(True)
        v.addWidget(self.size_label)
        self.progress = QProgressBar()
        self.progress.setObjectName("download.progress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("")
        v.addWidget(self.progress)
        self.status = QLabel("")
        self.status.setObjectName("download.status")
        self.status.setWordWrap(True)
        v.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = QPushButton("Download")
        self.start_button.setObjectName("download.start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setObjectName("download.cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for b in (self.start_button, self.cancel_button, close):
            buttons.addWidget(b)
        v.addLayout(buttons)
        self._post = gui_caller(self)
        first = next((i for i in range(self.models.topLevelItemCount()) if not self.models.topLevelItem(i).isDisabled()), 0)
        self.models.setCurrentItem(self.models.topLevelItem(first))

    @staticmethod
    def _hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "hint")
        label.setWordWrap(True)
        return label

    # --- choosing -----------------------------------------------------------------------------
    def _picked(self, item: QTreeWidgetItem | None, _old=None) -> None:
        if item is not None and not self._running:
            self.repo.setText(item.data(0, Qt.ItemDataRole.UserRole))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Download the model into")
        if folder:
            self.folder.setText(folder)
            self.to_folder.setChecked(True)

    def destination(self) -> Path | None:
        """The chosen folder, or None for the Hugging Face cache."""
        if self.to_cache.isChecked():
            return None
        text = self.folder.text().strip()
        return Path(text).expanduser() if text else None

    def _inputs(self) -> tuple[str, Path | None] | None:
        repo = self.repo.text().strip()
        if not repo:
            self._say("Choose a model above or type a repository (organisation/name).", error=True)
            return None
        if self.to_folder.isChecked() and self.destination() is None:
            self._say("Choose the folder to download into, or the Hugging Face cache.", error=True)
            return None
        return repo, self.destination()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("role", "error" if error else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    # --- the size, asked in the background --------------------------------------------------------
    def _ask_size(self) -> None:
        """How much the model needs where it would go (asks the Hub, off the GUI thread)."""
        if self._running:
            return
        self._asked += 1
        asked = self._asked
        repo, where = self.repo.text().strip(), self.destination()
        if not repo or (self.to_folder.isChecked() and where is None):
            self.size_label.setText("")
            return
        self.size_label.setText("Asking the Hub for the size…")
        self._set_state("sizing")

        def work() -> str:
            from model.download import DownloadError, gigabytes, plan_download

            try:
                plan = plan_download(repo, local_dir=where)
            except DownloadError as exc:
                return str(exc)
            if not plan.missing_bytes:
                return f"{len(plan.files)} files, {gigabytes(plan.total_bytes)}: already downloaded there."
            done = plan.total_bytes - plan.missing_bytes
            part = f" ({gigabytes(done)} already there)" if done else ""
            return f"{len(plan.files)} files, {gigabytes(plan.missing_bytes)} to download{part}."

        def then(text: str) -> None:
            if asked == self._asked and not self._running:
                self.size_label.setText(text)
                self._set_state("ready")

        self._background(work, then)

    def _background(self, work, then) -> None:
        """`work()` on a thread of its own (it may wait on the network for long), `then` on the GUI thread."""
        gc_guard.acquire()  # Python's collector must not run on that thread (see gc_guard)
        post = self._post  # to this dialog, while it exists
        released = gui_caller(QCoreApplication.instance())  # the count is kept even if the dialog is gone

        def run() -> None:
            try:
                result = work()
            except Exception as exc:  # handed to `then`, which says it: never lost on the thread
                result = exc
            released(gc_guard.release)
            post(lambda: then(result))

        threading.Thread(target=run, name="shotline-model-download", daemon=True).start()

    # --- downloading --------------------------------------------------------------------------
    def start(self) -> None:
        if self._running:
            return
        inputs = self._inputs()
        if inputs is None:
            return
        repo, where = inputs
        self._running = True
        self._cancel.clear()
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.repo.setEnabled(False)
        self.models.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self._say(f"Checking {repo} and the free disk space…")
        self._set_state("downloading")
        post, cancel = self._post, self._cancel
        latest = [0.0]

        def progress(done: int, total: int) -> None:  # download threads
            import time

            now = time.monotonic()
            if done < total and now - latest[0] < 0.1:
                return  # ten updates a second are plenty
            latest[0] = now
            post(lambda: self._progress(done, total))

        def work():
            from model.download import download_model

            return download_model(repo, local_dir=where, progress=progress, cancelled=cancel.is_set)

        self._background(work, lambda result: self._finished(repo, where, result))

    def _progress(self, done: int, total: int) -> None:
        from model.download import gigabytes

        if not self._running:
            return
        self.progress.setValue(int(1000 * done / total) if total else 1000)
        self.progress.setFormat(f"{gigabytes(done)} of {gigabytes(total)}")
        self._say(f"Downloading {self.repo.text().strip()}…")

    def _finished(self, repo: str, where: Path | None, result) -> None:
        from model.download import DownloadCancelled, DownloadError

        self._running = False
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.repo.setEnabled(True)
        self.models.setEnabled(True)
        if isinstance(result, DownloadCancelled):
            self._say(f"{result}", error=False)
            self._set_state("cancelled")
        elif isinstance(result, DownloadError):
            self._say(str(result), error=True)
            self._set_state("failed")
        elif isinstance(result, BaseException):
            self._say(f"The download stopped: {type(result).__name__}: {result}", error=True)
            self._set_state("failed")
        else:
            self.progress.setValue(1000)
            self._say(f"{repo} is ready in {result}.")
            self.downloaded.emit(str(result), where is not None)
            self._set_state("done")

    def cancel(self) -> None:
        """Stop the download within one chunk; the files already fetched stay for next time."""
        if self._running:
            self._cancel.set()
            self._say("Cancelling…")

    @property
    def running(self) -> bool:
        return self._running

    def done(self, result: int) -> None:  # closing the dialog never leaves a download behind
        self.cancel()
        super().done(result)
