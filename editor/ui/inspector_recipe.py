"""The Inspector's recipe tools: reuse a take's seed, copy and paste recipes, variations, compare
two takes, and the stale notice with its one-click "make again".

Two widgets the shot page holds: `TakeTools` under the takes grid (what concerns the take picked
in it) and `VariationsBox` (any shot, a draft too). Every change is a document edit through the
Inspector's `request` (undoable); every job goes out as plans through `queue_plans`, which the
window hands to the generation controller. The logic is `editor.generation.recipes`; this file
is buttons and words.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.document.context_fingerprint import content_tokens, stale_reasons
from editor.document.document import Document
from editor.document.edits import Edit, EditRefused
from editor.document.project import Clip, Take
from editor.document.recipe import recipe_of
from editor.generation.recipes import (
    MAX_VARIATIONS,
    can_regenerate,
    parse_seeds,
    paste_recipe,
    recipe_from_text,
    recipe_text,
    regenerate_plan,
    reuse_seed,
    variation_plans,
)

STALE_STYLE = ("QFrame#inspector\\.stale { border: 1px solid #d68c1e; border-radius: 4px; "
               "background: rgba(214, 140, 30, 40); }")


def _button(text: str, name: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setToolTip(tip)
    return b


class TakeTools(QWidget):
    """Buttons for the take picked in the takes grid, and the stale notice of that take."""

    message = Signal(str)
    queue_plans = Signal(object)  # list[GenerationPlan]
    compare = Signal(str, str, str)  # clip id, take A id, take B id

    def __init__(self, request: Callable[[Edit], bool], document: Callable[[], Document | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._request = request
        self._document = document
        self._clip: Clip | None = None
        self._picked: list[Take] = []  # the takes selected in the grid (the current one first)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(6)

        row = QHBoxLayout()
        self.compare_button = _button("Compare", "inspector.compare",
                                      "Play two takes side by side in the preview: pick one (compared with the "
                                      "take in use) or two with Ctrl+click")
        self.compare_button.clicked.connect(self._compare)
        self.reuse_seed_button = _button("Reuse Seed", "inspector.reuse_seed",
                                         "Make this shot's next take with the seed of the picked take")
        self.reuse_seed_button.clicked.connect(self._reuse_seed)
        self.copy_button = _button("Copy Recipe", "inspector.copy_recipe",
                                   "Copy how the picked take was made (prompt, seed, steps, guidance, model, cast) "
                                   "to paste onto another shot")
        self.copy_button.clicked.connect(self._copy)
        for b in (self.compare_button, self.reuse_seed_button, self.copy_button):
            row.addWidget(b)
        row.addStretch(1)
        v.addLayout(row)

        self.stale_box = QFrame()
        self.stale_box.setObjectName("inspector.stale")
        self.stale_box.setStyleSheet(STALE_STYLE)
        sv = QVBoxLayout(self.stale_box)
        sv.setContentsMargins(8, 6, 8, 6)
        title = QLabel("<b>⚠ Stale:</b> what this take was made from has changed since.")
        title.setWordWrap(True)
        sv.addWidget(title)
        self.stale_label = QLabel()
        self.stale_label.setObjectName("inspector.stale_reasons")
        self.stale_label.setWordWrap(True)
        sv.addWidget(self.stale_label)
        self.regenerate_button = _button("Make Again with the New Context", "inspector.regenerate",
                                         "Queue the same recipe (prompt, seed, steps, model) conditioned on the "
                                         "context as it is now; it lands as a new take")
        self.regenerate_button.clicked.connect(self._regenerate)
        sv.addWidget(self.regenerate_button)
        v.addWidget(self.stale_box)
        self.stale_box.hide()

    @property
    def reasons(self) -> list[str]:
        return self.stale_label.text().split("\n") if not self.stale_box.isHidden() else []

    def load(self, clip: Clip | None, picked: list[Take]) -> None:
        self._clip, self._picked = clip, list(picked)
        take = picked[0] if picked else None
        recipe = recipe_of(take) if take is not None else None
        self.reuse_seed_button.setEnabled(recipe is not None and recipe.seed is not None)
        self.copy_button.setEnabled(recipe is not None)
        others = [t for t in picked if clip is not None and t is not clip.take]
        self.compare_button.setEnabled(clip is not None and (len(picked) == 2 or len(others) == 1))
        doc = self._document()
        reasons: list[str] = []
        if clip is not None and take is not None and doc is not None:
            reasons = stale_reasons(doc.project, clip.id, take, content_tokens(doc.folder))
        self.stale_box.setVisible(bool(reasons))
        self.stale_label.setText("\n".join(reasons))
        why = can_regenerate(take) if take is not None and reasons else None
        self.regenerate_button.setEnabled(not why)
        self.regenerate_button.setToolTip(why or "Queue the same recipe conditioned on the context as it is now; "
                                                 "it lands as a new take")

    def _pair(self) -> tuple[Take, Take] | None:
        clip, picked = self._clip, self._picked
        if clip is None:
            return None
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1 and clip.take is not None and picked[0] is not clip.take:
            return clip.take, picked[0]
        return None

    def _compare(self) -> None:
        pair = self._pair()
        if pair is None:
            self.message.emit("Pick a take to compare with the one in use, or Ctrl+click two takes.")
            return
        self.compare.emit(self._clip.id, pair[0].id, pair[1].id)

    def _reuse_seed(self) -> None:
        if self._clip is None or not self._picked:
            return
        try:
            edit = reuse_seed(self._clip.id, self._picked[0])
        except EditRefused as exc:
            self.message.emit(str(exc))
            return
        if self._request(edit):
            self.message.emit(f"The next take of this shot uses seed {edit.seed}.")

    def _copy(self) -> None:
        recipe = recipe_of(self._picked[0]) if self._picked else None
        if recipe is None:
            self.message.emit("Imported media has no recipe to copy.")
            return
        QGuiApplication.clipboard().setText(recipe_text(recipe))
        self.message.emit("Recipe copied: select another shot and use Paste Recipe.")

    def _regenerate(self) -> None:
        doc = self._document()
        if doc is None or self._clip is None or not self._picked:
            return
        try:
            plan = regenerate_plan(doc.project, self._clip.id, self._picked[0], files=content_tokens(doc.folder))
        except EditRefused as exc:
            self.message.emit(str(exc))
            return
        self.queue_plans.emit([plan])


class VariationsBox(QWidget):
    """Paste Recipe, and Variations: several takes of this shot at once, by seed or by prompt."""

    message = Signal(str)
    queue_plans = Signal(object)  # list[GenerationPlan]

    def __init__(self, request: Callable[[Edit], bool], document: Callable[[], Document | None],
                 clip_id: Callable[[], str | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._request = request
        self._document = document
        self._clip_id = clip_id
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(6)
        self.paste_button = _button("Paste Recipe", "inspector.paste_recipe",
                                    "Give this shot the prompt, seed, steps, guidance, model and cast of a copied "
                                    "recipe (one undo step)")
        self.paste_button.clicked.connect(self._paste)
        row = QHBoxLayout()
        row.addWidget(self.paste_button)
        row.addStretch(1)
        v.addLayout(row)
        heading = QLabel("Variations")
        heading.setProperty("role", "heading")
        v.addWidget(heading)
        self.variation_text = QPlainTextEdit()
        self.variation_text.setObjectName("inspector.variation_text")
        self.variation_text.setPlaceholderText("Empty: new random seeds. Or seeds (1 2 3), or prompts, one per line")
        self.variation_text.setFixedHeight(54)
        self.variation_text.setTabChangesFocus(True)
        v.addWidget(self.variation_text)
        row = QHBoxLayout()
        self.variation_count = QSpinBox()
        self.variation_count.setObjectName("inspector.variation_count")
        self.variation_count.setRange(2, MAX_VARIATIONS)
        self.variation_count.setValue(4)
        self.variation_count.setSuffix(" takes")
        self.variation_count.setToolTip("How many takes with new random seeds (when no seeds or prompts are typed)")
        row.addWidget(self.variation_count)
        self.variations_button = _button("Queue Variations", "inspector.variations",
                                         "Queue several takes of this shot at once; they appear in its takes grid")
        self.variations_button.clicked.connect(self._variations)
        row.addWidget(self.variations_button, 1)
        v.addLayout(row)

    def _paste(self) -> None:
        doc, clip_id = self._document(), self._clip_id()
        if doc is None or clip_id is None:
            return
        try:
            recipe = recipe_from_text(QGuiApplication.clipboard().text())
            edit = paste_recipe(doc.project, clip_id, recipe)
        except EditRefused as exc:
            self.message.emit(str(exc))
            return
        if self._request(edit):
            self.message.emit("Recipe pasted: Generate makes this shot's next take with it.")

    def plans(self):
        """The variation plans for what is typed; EditRefused says what to fix."""
        doc, clip_id = self._document(), self._clip_id()
        if doc is None or clip_id is None:
            raise EditRefused("Select a shot first.")
        text = self.variation_text.toPlainText().strip()
        seeds: list[int] = []
        prompts: list[str] = []
        if text:
            try:
                seeds = parse_seeds(text)
            except EditRefused:
                if text.replace(",", " ").split()[0].lstrip("-").isdigit() and "\n" not in text:
                    raise  # it looked like seeds: say which word is not one
                prompts = text.splitlines()
        return variation_plans(doc.project, clip_id, count=self.variation_count.value(), seeds=seeds,
                               prompts=prompts, files=content_tokens(doc.folder))

    def _variations(self) -> None:
        try:
            plans = self.plans()
        except EditRefused as exc:
            self.message.emit(str(exc))
            return
        self.queue_plans.emit(plans)
