"""The Settings rows of issue 11: Speed (step cache, compile), VAE tiling, 8-bit weights, the prompt
enhancer and the latent upsampler, added to the Device tab's form.

Kept apart from the dialog so the dialog stays about folders, device and defaults. The local
text models are looked for in the Hugging Face cache on the background pool (reading configs
only), so opening Settings never loads torch.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from editor.ui.background import run_in_background
from editor.ui.settings import VAE_TILING, VAE_TILING_TITLES, Settings
from model.quantize import TITLES as QUANTIZE_TITLES
from model.speed import CACHES, OFFERED

NO_ENHANCER = "None (the video model's own, when it has one)"


def _combo(name: str, titles: dict[str, str], current: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for key, title in titles.items():
        combo.addItem(title, key)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class ExtrasForm:
    """Rows on `form`; `save()` writes them to `settings` (when the dialog is accepted)."""

    def __init__(self, settings: Settings, form: QFormLayout, *, owner: QObject) -> None:
        self.settings = settings
        self.speed_combo = _combo("settings.speed", {k: CACHES[k] for k in OFFERED}, settings.speed_cache())
        self.speed_combo.setToolTip("A step cache skips work between denoising steps; a model that refuses "
                                    "one runs without it, and the take's record says so.")
        form.addRow("Speed", self.speed_combo)
        self.compile_check = QCheckBox("Compile the transformer's blocks (NVIDIA GPUs; the first job takes longer)")
        self.compile_check.setObjectName("settings.compile")
        self.compile_check.setChecked(settings.compile_blocks())
        form.addRow("", self.compile_check)
        self.tiling_combo = _combo("settings.vae_tiling", {k: VAE_TILING_TITLES[k] for k in VAE_TILING},
                                   settings.vae_tiling())
        form.addRow("VAE tiling", self.tiling_combo)
        self.quantize_combo = _combo("settings.quantize", QUANTIZE_TITLES, settings.quantize())
        self.quantize_combo.setToolTip('8-bit weights need torchao: pip install "shotline[cuda]"')
        form.addRow("Weights", self.quantize_combo)

        self.enhancer_combo = QComboBox()
        self.enhancer_combo.setObjectName("settings.enhancer")
        self.enhancer_combo.addItem(NO_ENHANCER, None)
        chosen = settings.enhancer()
        if chosen:
            self.enhancer_combo.addItem(chosen, chosen)
            self.enhancer_combo.setCurrentIndex(1)
        pick = QPushButton("Folder…")
        pick.clicked.connect(self._pick_enhancer)
        row = QHBoxLayout()
        row.addWidget(self.enhancer_combo, 1)
        row.addWidget(pick)
        form.addRow("Prompt enhancer", _wrap(row))
        self.upsampler_edit = QLineEdit(settings.upsampler() or "")
        self.upsampler_edit.setObjectName("settings.upsampler")
        self.upsampler_edit.setPlaceholderText("none: Upscale resizes, then refines at full size")
        browse = QPushButton("Folder…")
        browse.clicked.connect(self._pick_upsampler)
        row = QHBoxLayout()
        row.addWidget(self.upsampler_edit, 1)
        row.addWidget(browse)
        form.addRow("Latent upsampler", _wrap(row))
        hint = QLabel("The prompt enhancer is any downloaded text model (e.g. Qwen2.5-1.5B-Instruct); text "
                      "models in the Hugging Face cache are listed. The latent upsampler (e.g. "
                      "Lightricks/ltxv-spatial-upscaler-0.9.7) doubles a draft's size before its final pass.")
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        form.addRow(hint)
        run_in_background(_text_models, self._add_found, owner=owner)

    def _add_found(self, models: list[tuple[str, str]]) -> None:
        for path, title in models:
            if self.enhancer_combo.findData(path) < 0:
                self.enhancer_combo.addItem(title, path)

    def _pick_enhancer(self) -> None:
        folder = QFileDialog.getExistingDirectory(None, "Choose a text model folder")
        if folder:
            if self.enhancer_combo.findData(folder) < 0:
                self.enhancer_combo.addItem(folder, folder)
            self.enhancer_combo.setCurrentIndex(self.enhancer_combo.findData(folder))

    def _pick_upsampler(self) -> None:
        folder = QFileDialog.getExistingDirectory(None, "Choose a latent upsampler folder")
        if folder:
            self.upsampler_edit.setText(folder)

    def save(self) -> None:
        s = self.settings
        s.set_speed_cache(self.speed_combo.currentData())
        s.set_compile_blocks(self.compile_check.isChecked())
        s.set_vae_tiling(self.tiling_combo.currentData())
        s.set_quantize(self.quantize_combo.currentData())
        s.set_enhancer(self.enhancer_combo.currentData())
        s.set_upsampler(self.upsampler_edit.text().strip() or None)


def _wrap(layout: QHBoxLayout) -> QWidget:
    layout.setContentsMargins(0, 0, 0, 0)
    widget = QWidget()
    widget.setLayout(layout)
    return widget


def _text_models() -> list[tuple[str, str]]:
    from model.enhance import find_text_models

    return [(m.path, m.title) for m in find_text_models()]
