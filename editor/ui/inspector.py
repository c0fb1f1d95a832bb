"""The inspector: the settings of whatever is selected, edited in place through document edits.

One page per kind of selection: a shot (draft or clip: prompt, negative prompt, length, seed,
steps, guidance, model, cast; for clips also the source, the takes with a switch, and the
generation record), a gap (length, Infill), a clip's end (Extend) and a keyframe (frame,
strength). Fields commit when editing finishes; a refused edit puts the field back and the
reason goes to the status bar.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.document.document import Change, Document
from editor.document.edits import (
    CloseGap,
    Edit,
    EditRefused,
    MoveKeyframe,
    RemoveKeyframe,
    RenameClip,
    SetClipLength,
    SetKeyframeStrength,
    SetShotSettings,
    SwitchTake,
)
from editor.document.gap_sampling import SetGapSampling, asked_of_gap
from editor.document.media_paths import locate_media
from editor.document.plans import InfillGap, make_plan
from editor.document.project import Clip, Keyframe, Project
from editor.document.recipe import recipe_of
from editor.document.timecode import duration_text, timecode
from editor.generation import INTERPOLATE, GenerationError, model_for, verbs
from editor.generation.verbs import Options
from editor.ui.enhance_box import EnhanceBox, shot_model
from editor.ui.following import FollowsDocument
from editor.ui.icons import icon
from editor.ui.inspector_recipe import TakeTools, VariationsBox
from editor.ui.inspector_sampling import GapKey, GapSettings, SamplingFields
from editor.ui.inspector_sound import SoundPage
from editor.ui.project_settings_dialog import model_name
from editor.ui.selection import GapRef, Selection
from editor.ui.take_record import describe_record
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.ui.wheel_guard import guard_wheel
from editor.words import plural

KEYFRAME_THUMB_H = 90
TAKE_THUMB_H = 54
TAKE_CELL_W, TAKE_CELL_H = 150, TAKE_THUMB_H + 52  # a thumbnail and three lines of words
MODEL_TIP = "The video model for this shot; the project's default is set in File ▸ Project Settings"


class PromptEdit(QPlainTextEdit):
    """A prompt box that commits when it loses focus or on Ctrl+Enter (Enter makes a new line).
    Tab moves to the next field, as in every other form field (a prompt has no use for tabs)."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.committed.emit(self.toPlainText())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.committed.emit(self.toPlainText())
            return
        super().keyPressEvent(event)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def action_button(action: QAction | None, primary: bool = False) -> QToolButton:
    """A button that mirrors a window action: its text, icon, enabled state and the reason tooltip."""
    button = QToolButton()
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    if action is not None:
        button.setDefaultAction(action)
    button.setProperty("primary" if primary else "role", True if primary else "action")
    return button


def reason_label(action: QAction | None) -> QLabel:
    """A line under an action's button saying what it will do, or why it is greyed out."""
    label = _hint("")
    label.setObjectName("inspector.reason")
    if action is not None:
        def update() -> None:
            label.setText(action.statusTip())
            label.setProperty("role", "hint" if action.isEnabled() else "warning")
            label.style().unpolish(label)
            label.style().polish(label)

        action.changed.connect(update)
        update()
    return label


class TakesGrid(QListWidget):
    """The takes as a grid of thumbnails, as tall as its rows need (up to three, then it scrolls)."""

    def fit_rows(self) -> None:
        width = self.viewport().width() if self.isVisible() else 2 * TAKE_CELL_W
        per_row = max(1, width // TAKE_CELL_W)
        rows = max(1, min(3, -(-self.count() // per_row)))
        self.setFixedHeight(rows * TAKE_CELL_H + 2 * self.frameWidth() + 4)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_rows()


class Inspector(FollowsDocument, QWidget):
    """Follows the shared selection; every change goes through `Document.request`."""

    message = Signal(str)
    queue_plans = Signal(object)  # list[GenerationPlan]: variations, a stale take made again
    compare_takes = Signal(str, str, str)  # clip id, take A id, take B id: play them side by side
    gap_asked = Signal()  # a gap page field was changed: the Infill's estimate follows (infill_options)
    # the shot's prompt is being typed (not committed yet): Generate's state follows (typed_prompt)
    prompt_typed = Signal()

    def __init__(self, document: Document, selection: Selection, *, actions: dict[str, QAction] | None = None,
                 thumbnails: ThumbnailProvider | None = None, models: list[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self._selection = selection
        self._actions = actions or {}
        self._thumbnails = thumbnails
        self._models = models or []
        self._loading = False
        self._shot_clip: str | None = None  # the clip the shot page's fields show and commit to
        self._gap_settings = GapSettings()  # the gap page's Seed/Steps/Guidance, per gap

        self.stack = QStackedWidget(self)
        self.empty_page = self._build_empty()
        self.shot_page = self._build_shot()
        self.gap_page = self._build_gap()
        self.keyframe_page = self._build_keyframe()
        self.end_page = self._build_end()
        self.sound_page = SoundPage(self._request)  # a sound clip (editor.ui.inspector_sound)
        for page in (self.empty_page, self.shot_page, self.gap_page, self.keyframe_page, self.end_page,
                     self.sound_page):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        # the wheel scrolls the panel; a field takes it only once clicked or tabbed into
        guard_wheel(*self.findChildren(QAbstractSpinBox), *self.findChildren(QComboBox))
        selection.changed.connect(self.refresh)
        if thumbnails is not None:
            thumbnails.ready.connect(self._refresh_keyframe_picture)
            thumbnails.ready.connect(self._refresh_take_pictures)
        self.set_document(document)

    # --- wiring -------------------------------------------------------------------------------
    def set_document(self, document: Document) -> None:
        if self._subscription is not None and self._subscription.document is not None:
            self.commit_pending()  # typed for the project being left
        self._shot_clip = None
        self.enhance_box.forget()  # expanded prompts belong to the project they were made in
        self._gap_settings.clear()
        super().set_document(document)

    def show_document(self) -> None:
        self.refresh()

    def commit_pending(self) -> None:
        """Commit what was typed into the shot page's text fields and not committed yet (they
        commit when they lose focus) to the clip it was typed for. The page calls this before it
        shows another clip, so text typed for one clip never lands on another; the window calls
        it before closing or switching projects, so typing is never lost."""
        self._commit_gaps()
        clip_id = self._shot_clip
        found = self._find(clip_id) if clip_id is not None and not self._loading else None
        if found is None:
            return
        clip = found[1]
        fields = {f: box.toPlainText() for f, box in (("prompt", self.prompt_edit),
                                                      ("negative_prompt", self.negative_edit))
                  if box.toPlainText() != getattr(clip.shot, f)}
        self._shot_clip = None  # the edit's refresh must not commit it again
        if fields:
            self._request(SetShotSettings(clip_id=clip_id, **fields))
        if self.name_edit.text() != clip.name:
            self._request(RenameClip(clip_id=clip_id, name=self.name_edit.text()))

    def set_models(self, models: list[str]) -> None:
        self._models = list(models)
        self.refresh()

    @property
    def page(self) -> str:
        """Which page shows: empty, shot, gap, keyframe, end or sound."""
        widget = self.stack.currentWidget().widget()
        return {id(self.empty_page): "empty", id(self.shot_page): "shot", id(self.gap_page): "gap",
                id(self.keyframe_page): "keyframe", id(self.end_page): "end",
                id(self.sound_page): "sound"}[id(widget)]

    def _show(self, page: QWidget) -> None:
        for i in range(self.stack.count()):
            if self.stack.widget(i).widget() is page:
                self.stack.setCurrentIndex(i)

    def _request(self, edit: Edit) -> bool:
        try:
            self.document.request(edit)
        except EditRefused as exc:
            self.message.emit(str(exc))
            self.refresh()  # put the field back to what the document holds
            return False
        return True

    def _on_change(self, change: Change) -> None:
        self.refresh()

    # --- pages --------------------------------------------------------------------------------
    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        return form

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(12, 12, 12, 12)
        v.setSpacing(10)
        return page, v

    def _build_empty(self) -> QWidget:
        page, v = self._page()
        v.addWidget(_heading("Nothing selected"))
        v.addWidget(_hint("Click a shot to edit its prompt and settings, a gap between two clips to "
                          "infill it, a clip's edge to extend it, or a keyframe to change its strength."))
        self.model_hint = _hint("")
        self.model_hint.setObjectName("inspector.model_hint")
        v.addWidget(self.model_hint)
        v.addStretch(1)
        return page

    def _build_shot(self) -> QWidget:
        page, v = self._page()
        self.shot_title = _heading("")
        self.shot_kind = _hint("")
        v.addWidget(self.shot_title)
        v.addWidget(self.shot_kind)
        form = self._form()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("inspector.name")
        self.name_edit.editingFinished.connect(self._commit_name)
        form.addRow("Name", self.name_edit)
        self.timing_label = QLabel()
        form.addRow("Starts", self.timing_label)
        self.length_spin = QDoubleSpinBox()
        self.length_spin.setObjectName("inspector.length")
        self.length_spin.setDecimals(2)
        self.length_spin.setRange(0.04, 60.0)
        self.length_spin.setSingleStep(0.5)
        self.length_spin.setSuffix(" s")
        self.length_spin.editingFinished.connect(self._commit_length)
        form.addRow("Length", self.length_spin)
        v.addLayout(form)

        v.addWidget(_heading("Prompt"))
        self.prompt_edit = self._prompt_box("inspector.prompt", 96, "prompt",
                                            "What happens in this shot: subject, action, setting, camera, light")
        v.addWidget(self.prompt_edit)
        self.negative_edit = self._prompt_box("inspector.negative", 48, "negative_prompt",
                                              "Negative prompt (empty: the project's default)")
        v.addWidget(self.negative_edit)
        self.enhance_box = EnhanceBox(prompt=self.prompt_edit.toPlainText, shot=lambda: self._shot_clip,
                                      model=lambda clip_id: shot_model(self.document.project, clip_id))
        self.enhance_box.use_requested.connect(
            lambda clip_id, text: self._request(SetShotSettings(clip_id=clip_id, prompt=text)))
        v.addWidget(self.enhance_box)
        self.generate_button = action_button(self._actions.get(verbs.GENERATE.action_id), primary=True)
        self.generate_button.setObjectName("inspector.generate")
        v.addWidget(self.generate_button)
        v.addWidget(reason_label(self._actions.get(verbs.GENERATE.action_id)))
        stages = QHBoxLayout()  # draft then final (editor.document.drafts)
        for verb in verbs.TWO_STAGE:
            stages.addWidget(action_button(self._actions.get(verb.action_id)))
        v.addLayout(stages)

        form = self._form()
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("inspector.seed")
        self.seed_spin.setRange(-1, 2**31 - 1)
        self.seed_spin.setSpecialValueText("random")
        self.seed_spin.editingFinished.connect(
            lambda: self._commit_shot(seed=None if self.seed_spin.value() < 0 else self.seed_spin.value()))
        form.addRow("Seed", self.seed_spin)
        self.steps_spin = QSpinBox()
        self.steps_spin.setObjectName("inspector.steps")
        self.steps_spin.setRange(0, 500)
        self.steps_spin.setSpecialValueText("project default")
        self.steps_spin.editingFinished.connect(
            lambda: self._commit_shot(steps=self.steps_spin.value() or None))
        form.addRow("Steps", self.steps_spin)
        self.guidance_spin = QDoubleSpinBox()
        self.guidance_spin.setObjectName("inspector.guidance")
        self.guidance_spin.setRange(0.0, 30.0)
        self.guidance_spin.setSingleStep(0.5)
        self.guidance_spin.setSpecialValueText("project default")
        self.guidance_spin.editingFinished.connect(
            lambda: self._commit_shot(guidance=self.guidance_spin.value() or None))
        form.addRow("Guidance", self.guidance_spin)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("inspector.model")
        self.model_combo.setToolTip(MODEL_TIP)
        self.model_combo.activated.connect(
            lambda _i: self._commit_shot(model=self.model_combo.currentData()))
        form.addRow("Model", self.model_combo)
        v.addLayout(form)

        v.addWidget(_heading("Cast"))
        self.cast_list = QListWidget()
        self.cast_list.setObjectName("inspector.cast")
        self.cast_list.setMaximumHeight(90)
        self.cast_list.itemChanged.connect(self._commit_cast)
        self.cast_empty = _hint("No cast members in this project yet.")
        v.addWidget(self.cast_list)
        v.addWidget(self.cast_empty)
        # Paste Recipe and Variations (editor.ui.inspector_recipe): for any shot, a draft too
        self.variations_box = VariationsBox(self._request, lambda: self.document, self._clip_id)
        self.variations_box.message.connect(self.message)
        self.variations_box.queue_plans.connect(self.queue_plans)
        v.addWidget(self.variations_box)


        self.takes_box = QWidget()
        tv = QVBoxLayout(self.takes_box)
        tv.setContentsMargins(0, 6, 0, 0)
        tv.setSpacing(6)
        tv.addWidget(_heading("Source"))
        self.source_label = _hint("")
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tv.addWidget(self.source_label)
        tv.addWidget(_heading("Takes"))
        self.takes_list = TakesGrid()
        self.takes_list.setObjectName("inspector.takes")
        # a grid of thumbnails, so variations can be told apart at a glance; Ctrl+click picks two
        self.takes_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.takes_list.setIconSize(QSize(TAKE_THUMB_H * 16 // 9, TAKE_THUMB_H))
        self.takes_list.setGridSize(QSize(TAKE_CELL_W, TAKE_CELL_H))
        self.takes_list.setWordWrap(True)
        self.takes_list.setMovement(QListWidget.Movement.Static)
        self.takes_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.takes_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.takes_list.setFixedHeight(TAKE_CELL_H + 8)
        self.takes_list.itemDoubleClicked.connect(lambda _item: self._switch_take())
        self.takes_list.currentRowChanged.connect(self._show_record)
        self.takes_list.itemSelectionChanged.connect(self._load_take_tools)
        tv.addWidget(self.takes_list)
        row = QHBoxLayout()
        self.switch_button = QPushButton("Use this take")
        self.switch_button.setObjectName("inspector.switch_take")
        self.switch_button.clicked.connect(self._switch_take)
        row.addWidget(self.switch_button)
        row.addStretch(1)
        tv.addLayout(row)
        self.take_tools = TakeTools(self._request, lambda: self.document)
        self.take_tools.message.connect(self.message)
        self.take_tools.queue_plans.connect(self.queue_plans)
        self.take_tools.compare.connect(self.compare_takes)
        tv.addWidget(self.take_tools)
        # the stale notice goes at the top of the page, where it is seen
        v.insertWidget(2, self.take_tools.stale_box)
        tv.addWidget(_heading("Recipe"))
        self.record_label = QLabel()
        self.record_label.setObjectName("inspector.record")
        self.record_label.setWordWrap(True)
        self.record_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.record_label.setProperty("role", "hint")
        tv.addWidget(self.record_label)
        v.addWidget(self.takes_box)
        v.addStretch(1)
        return page

    def _build_gap(self) -> QWidget:
        page, v = self._page()
        v.addWidget(_heading("Gap"))
        self.gap_label = _hint("")
        v.addWidget(self.gap_label)
        v.addWidget(_hint("Infill makes frames that join the clip before to the clip after, passing "
                          "through any keyframes pinned in the gap."))
        # a gap has no shot: what is asked here is kept with the project (on the clip after the
        # gap, editor.document.gap_sampling) and goes with the Infill
        form = self._form()
        self.gap_sampling = SamplingFields(form, "inspector.gap", self)
        for field in ("seed", "steps", "guidance"):
            # as typed (not only when the field is left): clicking Infill doesn't take the focus
            getattr(self.gap_sampling, field).valueChanged.connect(lambda _v, f=field: self._ask_gap(f))
        self.gap_sampling.edited.connect(lambda field, _value: self._commit_gap(field))  # one undo step
        v.addLayout(form)
        self.gap_sampling_note = _hint("")
        self.gap_sampling_note.setObjectName("inspector.gap_sampling_note")
        v.addWidget(self.gap_sampling_note)
        self.infill_button = action_button(self._actions.get(verbs.INFILL.action_id), primary=True)
        self.infill_button.setObjectName("inspector.infill")
        v.addWidget(self.infill_button)
        v.addWidget(reason_label(self._actions.get(verbs.INFILL.action_id)))
        close = action_button(None)  # looks like the action buttons around it
        close.setText("Close Gap")
        close.setIcon(icon("ripple"))
        close.setObjectName("inspector.close_gap")
        close.setToolTip("Move the later clips left so the gap disappears")
        close.clicked.connect(self._close_gap)
        v.addWidget(close)
        add = action_button(self._actions.get("edit.add_shot"))
        v.addWidget(add)
        v.addStretch(1)
        return page

    def _build_keyframe(self) -> QWidget:
        page, v = self._page()
        v.addWidget(_heading("Keyframe"))
        self.keyframe_picture = QLabel()
        self.keyframe_picture.setMinimumHeight(KEYFRAME_THUMB_H)
        self.keyframe_picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keyframe_picture.setStyleSheet("background: #000; border-radius: 3px;")
        v.addWidget(self.keyframe_picture)
        self.keyframe_source = _hint("")
        v.addWidget(self.keyframe_source)
        form = self._form()
        self.keyframe_frame = QSpinBox()
        self.keyframe_frame.setObjectName("inspector.keyframe_frame")
        self.keyframe_frame.setRange(0, 10**7)
        self.keyframe_frame.editingFinished.connect(self._commit_keyframe_frame)
        form.addRow("Frame", self.keyframe_frame)
        self.keyframe_strength = QDoubleSpinBox()
        self.keyframe_strength.setObjectName("inspector.keyframe_strength")
        self.keyframe_strength.setRange(0.0, 1.0)
        self.keyframe_strength.setSingleStep(0.05)
        self.keyframe_strength.setDecimals(2)
        self.keyframe_strength.editingFinished.connect(self._commit_keyframe_strength)
        form.addRow("Strength", self.keyframe_strength)
        v.addLayout(form)
        v.addWidget(_hint("Strength 1 keeps the picture exactly; lower lets the model drift from it."))
        remove = QPushButton("Remove keyframe")
        remove.setObjectName("inspector.remove_keyframe")
        remove.clicked.connect(self._remove_keyframe)
        v.addWidget(remove)
        v.addStretch(1)
        return page

    def _build_end(self) -> QWidget:
        page, v = self._page()
        self.end_title = _heading("")
        v.addWidget(self.end_title)
        self.end_hint = _hint("")
        v.addWidget(self.end_hint)
        form = self._form()
        self.end_model_combo = QComboBox()
        self.end_model_combo.setObjectName("inspector.end_model")
        self.end_model_combo.setToolTip(MODEL_TIP)
        self.end_model_combo.activated.connect(lambda _i: self._commit_end_model())
        form.addRow("Model", self.end_model_combo)
        self.end_sampling = SamplingFields(form, "inspector.end", self)  # kept on the clip's shot
        self.end_sampling.edited.connect(self._commit_end_sampling)
        v.addLayout(form)
        self.extend_forward_button = action_button(self._actions.get(verbs.EXTEND_FORWARD.action_id), primary=True)
        self.extend_backward_button = action_button(self._actions.get(verbs.EXTEND_BACKWARD.action_id), primary=True)
        self.extend_forward_reason = reason_label(self._actions.get(verbs.EXTEND_FORWARD.action_id))
        self.extend_backward_reason = reason_label(self._actions.get(verbs.EXTEND_BACKWARD.action_id))
        v.addWidget(self.extend_forward_button)
        v.addWidget(self.extend_forward_reason)
        v.addWidget(self.extend_backward_button)
        v.addWidget(self.extend_backward_reason)
        v.addStretch(1)
        return page

    # --- refresh ------------------------------------------------------------------------------
    def refresh(self) -> None:
        doc = self.document
        if doc is None:
            return
        sel = self._selection
        if self._shot_clip is not None and (sel.kind != "clips" or sel.clip != self._shot_clip):
            self.commit_pending()  # another clip or page is about to show
        self._commit_gaps(keep=_gap_key(sel.gap) if sel.kind == "gap" and sel.gap is not None else None)
        self._loading = True
        try:
            kind = sel.kind
            if kind == "clips" and sel.clip is not None and self._find(sel.clip):
                self._load_shot(self._find(sel.clip)[1])
                self._show(self.shot_page)
            elif kind == "clips" and sel.clip is not None and self._find_sound(sel.clip):
                self.sound_page.load(doc.project, *self._find_sound(sel.clip))
                self._show(self.sound_page)
            elif kind == "clips":
                self._load_empty(f"{plural(len(sel.clips), 'clip')} selected")
                self._show(self.empty_page)
            elif kind == "gap":
                self._load_gap()
                self._show(self.gap_page)
            elif kind == "keyframe" and self._keyframe() is not None:
                self._load_keyframe()
                self._show(self.keyframe_page)
            elif kind == "clip_end" and self._find(sel.clip_end.clip_id):
                self._load_end()
                self._show(self.end_page)
            else:
                self._load_empty()
                self._show(self.empty_page)
            if self.page != "shot":
                self._shot_clip = None
        finally:
            self._loading = False

    def _find_sound(self, clip_id: str):
        try:
            return self.document.project.find_audio_clip(clip_id)
        except KeyError:
            return None

    def _find(self, clip_id: str):
        try:
            return self.document.project.find_clip(clip_id)
        except KeyError:
            return None

    def _load_empty(self, title: str | None = None) -> None:
        heading = self.empty_page.findChild(QLabel)
        if heading is not None:
            heading.setText(title or "Nothing selected")
        if not self._models and not self.document.project.defaults.model:
            self.model_hint.setText("No video model is set up yet. Open File ▸ Settings ▸ Models to download one or add "
                                    "a local diffusers model folder (LTX-2, LTX-Video 0.9.5+ or Wan 2.1 VACE); the "
                                    "project then uses it (File ▸ Project Settings). Infill and Loop work "
                                    "without one.")
            self.model_hint.show()
        else:
            self.model_hint.hide()

    def _load_shot(self, clip: Clip) -> None:
        project = self.document.project
        fps = project.fps
        take = clip.take
        if take is None:
            kind = "Draft shot: no media yet; Generate makes its first take"
        elif take.generated:
            kind = f"Generated clip · take {clip.active_take + 1} of {len(clip.takes)}"
        elif take.is_still:
            kind = "Still image"
        else:
            kind = f"Video clip · take {clip.active_take + 1} of {len(clip.takes)}"
        self.shot_title.setText(clip.name or "Shot")
        self.shot_kind.setText(kind)
        self.enhance_box.follow(clip.id)
        if not (clip.id == self._shot_clip and self.name_edit.hasFocus()):
            self.name_edit.setText(clip.name)
        self.timing_label.setText(f"{timecode(clip.start, fps)}  ·  {plural(clip.length, 'frame')} ({duration_text(clip.length, fps)})")
        self.length_spin.setValue(float(clip.length / fps))
        resizable = take is None or take.is_still
        self.length_spin.setEnabled(resizable)
        self.length_spin.setToolTip("" if resizable else "A video clip's length changes by trimming its edges "
                                                         "on the timeline, or by extending it.")
        s = clip.shot
        # a box being typed in keeps its text while the same clip is refreshed; another clip's
        # text always replaces it (what was typed was committed to its clip first)
        same = clip.id == self._shot_clip
        self._shot_clip = clip.id
        if not (same and self.prompt_edit.hasFocus()):
            self.prompt_edit.setPlainText(s.prompt)
        if not (same and self.negative_edit.hasFocus()):
            self.negative_edit.setPlainText(s.negative_prompt)
        self.seed_spin.setValue(-1 if s.seed is None else min(s.seed, 2**31 - 1))
        self.steps_spin.setValue(s.steps or 0)
        self.guidance_spin.setValue(s.guidance or 0.0)
        self._fill_models(self.model_combo, s.model)
        self.cast_list.clear()
        for member in project.cast:
            item = QListWidgetItem(f"{member.name} — {member.description}" if member.description else member.name)
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if member.id in s.cast else Qt.CheckState.Unchecked)
            self.cast_list.addItem(item)
        self.cast_list.setVisible(bool(project.cast))
        self.cast_empty.setVisible(not project.cast)
        self.takes_box.setVisible(take is not None)
        if take is None:
            self.take_tools.load(None, [])  # no take: no stale notice
        if take is not None:
            where = locate_media(self.document.folder, take.media)
            offline = where.offline_reason
            self.source_label.setText(str(where.path or take.media) + (f"  ({offline})" if offline else ""))
            self.takes_list.clear()
            for i, t in enumerate(clip.takes):
                how = "generated" if t.generated else "still" if t.is_still else "imported"
                recipe = recipe_of(t)
                seed = recipe.seed if recipe is not None else None
                extra = f" · seed {seed}" if seed is not None else ""
                # `shotline import` labels its takes "import": the file's name says more
                name = t.label if t.label and t.label != "import" else Path(t.media).name
                text = f"Take {i + 1} · {how}{extra} · {name}"
                item = QListWidgetItem(("● " if i == clip.active_take else "○ ") + text)
                item.setToolTip(text)
                self.takes_list.addItem(item)
            self._refresh_take_pictures()
            self.takes_list.fit_rows()
            self.takes_list.setCurrentRow(clip.active_take)
            self._show_record(clip.active_take)
            self._load_take_tools()

    def _refresh_take_pictures(self) -> None:
        """The takes grid's thumbnails (each take's middle frame), as they arrive."""
        found = self._find(self._shot_clip) if self._shot_clip else None
        if found is None or self._thumbnails is None:
            return
        clip = found[1]
        for i, t in enumerate(clip.takes[:self.takes_list.count()]):
            item = self.takes_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == t.media:
                continue  # its picture is in already
            pix = self._thumbnails.get(t.media, 0 if t.is_still else max(0, t.frames // 2), TAKE_THUMB_H)
            if pix is not None:
                item.setIcon(QIcon(pix))
                item.setData(Qt.ItemDataRole.UserRole, t.media)

    def _load_take_tools(self) -> None:
        """The take tools follow the picked takes (the current one first)."""
        found = self._find(self._shot_clip) if self._shot_clip else None
        if found is None:
            self.take_tools.load(None, [])
            return
        clip = found[1]
        rows = sorted(i.row() for i in self.takes_list.selectedIndexes())
        current = self.takes_list.currentRow()
        if current in rows:
            rows.remove(current)
            rows.insert(0, current)
        self.take_tools.load(clip, [clip.takes[r] for r in rows if 0 <= r < len(clip.takes)])

    def _fill_models(self, combo: QComboBox, chosen: str | None) -> None:
        """The project's default first ("Project default (<name>)"), then the model folders."""
        combo.clear()
        combo.addItem(f"Project default ({model_name(self.document.project.defaults.model)})", None)
        for m in dict.fromkeys([*self._models, *([chosen] if chosen else [])]):
            combo.addItem(model_name(m), m)
            combo.setItemData(combo.count() - 1, m, Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)

    def _show_record(self, row: int) -> None:
        sel = self._selection.clip
        found = self._find(sel) if sel else None
        if found is None or not 0 <= row < len(found[1].takes):
            self.record_label.setText("")
            return
        clip = found[1]
        take = clip.takes[row]
        self.switch_button.setEnabled(row != clip.active_take)
        if not take.record:
            self.record_label.setText("Imported media: no generation record.")
            self.record_label.setToolTip("")
            return
        headline, rows = describe_record(take.record, take.frames)
        lines = [_html(headline)] + [f"<b>{label}</b>: {_html(text)}" for label, text in rows]
        self.record_label.setText("<br>".join(lines))
        # the whole record stays one hover away, for bug reports and the curious
        self.record_label.setToolTip(json.dumps(take.record, indent=1, default=str)[:2000])

    def _load_gap(self) -> None:
        gap = self._selection.gap
        project = self.document.project
        track = project.track(gap.track_id)
        self.gap_label.setText(
            f"On {track.name}: {plural(gap.length, 'frame')} ({duration_text(gap.length, project.fps)}) from "
            f"{timecode(gap.start, project.fps)} to {timecode(gap.end, project.fps)}.")
        # the fields show what the Infill will use: what was asked here, else the clip beside it
        found = next((g for g in project.gaps(gap.track_id) if g.start == gap.start), None)
        beside = found and self._find(found.before or found.after or "")
        shot = beside[1].shot if beside else None
        asked = self._gap_asked(gap)
        self.gap_sampling.load(asked.get("seed", shot.seed if shot else None),
                               asked.get("steps", shot.steps if shot else None),
                               asked.get("guidance", shot.guidance if shot else None))
        if _interpolated(project, gap):
            self.gap_sampling.set_enabled(False, INTERPOLATION_NOTE)
            self.gap_sampling_note.setText(INTERPOLATION_NOTE)
            self.gap_sampling_note.show()
        else:
            self.gap_sampling.set_enabled(True)
            self.gap_sampling_note.hide()

    def _keyframe(self) -> tuple[Clip | None, Keyframe] | None:
        ref = self._selection.keyframe
        if ref is None:
            return None
        project = self.document.project
        if ref.clip_id is not None:
            found = self._find(ref.clip_id)
            if found is None:
                return None
            k = next((k for k in found[1].keyframes if k.id == ref.keyframe_id), None)
            return (found[1], k) if k else None
        for t in project.tracks:
            for k in t.keyframes:
                if k.id == ref.keyframe_id:
                    return None, k
        return None

    def _load_keyframe(self) -> None:
        clip, k = self._keyframe()
        self.keyframe_frame.setMaximum(clip.length - 1 if clip is not None else 10**7)
        self.keyframe_frame.setValue(k.frame)
        self.keyframe_frame.setSuffix(f" of {clip.name or 'the shot'}" if clip is not None else " (timeline)")
        self.keyframe_strength.setValue(k.strength)
        self.keyframe_source.setText(Path(k.image).name)
        self._refresh_keyframe_picture()

    def _refresh_keyframe_picture(self) -> None:
        found = self._keyframe() if self._selection.kind == "keyframe" else None
        if found is None or self._thumbnails is None:
            return
        pix: QPixmap | None = self._thumbnails.get(found[1].image, 0,
                                                   KEYFRAME_THUMB_H)
        if pix is not None:
            self.keyframe_picture.setPixmap(pix)

    def _load_end(self) -> None:
        end = self._selection.clip_end
        clip = self._find(end.clip_id)[1]
        forward = end.side == "end"
        self.end_title.setText(f"{'End' if forward else 'Start'} of {clip.name or 'the clip'}")
        self.end_hint.setText("Extend forward makes new frames after the clip's last frame, continuing its motion."
                              if forward else
                              "Extend backward makes new frames before the clip's first frame, leading into it.")
        self.extend_forward_button.setVisible(forward)
        self.extend_forward_reason.setVisible(forward)
        self.extend_backward_button.setVisible(not forward)
        self.extend_backward_reason.setVisible(not forward)
        self._fill_models(self.end_model_combo, clip.shot.model)
        self.end_sampling.load(clip.shot.seed, clip.shot.steps, clip.shot.guidance)

    # --- commits ------------------------------------------------------------------------------
    def _clip_id(self) -> str | None:
        return self._shot_clip  # the clip the fields were filled from, not what is selected now

    def _commit_name(self) -> None:
        cid = self._clip_id()
        if self._loading or cid is None:
            return
        found = self._find(cid)
        if found and self.name_edit.text() != found[1].name:
            self._request(RenameClip(clip_id=cid, name=self.name_edit.text()))

    def _commit_length(self) -> None:
        cid = self._clip_id()
        if self._loading or cid is None:
            return
        found = self._find(cid)
        fps = self.document.project.fps
        frames = max(1, self.document.project.seconds_to_frames(self.length_spin.value()))
        if found and frames != found[1].length:
            self._request(SetClipLength(clip_id=cid, length=frames))
        elif found:
            self.length_spin.setValue(float(found[1].length / fps))

    def _commit_end_model(self) -> None:
        end = self._selection.clip_end
        found = None if self._loading or end is None else self._find(end.clip_id)
        model = self.end_model_combo.currentData()
        if found and found[1].shot.model != model:
            self._request(SetShotSettings(clip_id=end.clip_id, model=model))

    def _commit_end_sampling(self, field: str, value: int | float | None) -> None:
        """The clip-end page's Seed/Steps/Guidance go to the clip's shot, as its Model does."""
        end = self._selection.clip_end
        found = None if self._loading or end is None else self._find(end.clip_id)
        if found and getattr(found[1].shot, field) != value:
            self._request(SetShotSettings(clip_id=end.clip_id, **{field: value}))

    def _ask_gap(self, field: str) -> None:
        gap = self._selection.gap
        if not self._loading and gap is not None and self.page == "gap":
            self._gap_settings.set(_gap_key(gap), field, self.gap_sampling.value(field))
            self.gap_asked.emit()

    def _commit_gap(self, field: str, gap: GapRef | None = None) -> None:
        """What was typed in the gap page's `field` goes to the project as one undoable edit (only
        when it was typed: leaving a field untouched changes nothing)."""
        gap = gap or self._selection.gap
        if gap is None or self._loading:
            return
        typed, value = self._gap_settings.take(_gap_key(gap), field)
        stored = asked_of_gap(self.document.project, gap.track_id, gap.start)
        if typed and (field not in stored or stored[field] != value):
            self._request(SetGapSampling(track_id=gap.track_id, frame=gap.start, field=field, value=value))

    def _commit_gaps(self, keep: GapKey | None = None) -> None:
        """Commit what was typed for gaps other than `keep` (the one still being edited)."""
        if self._loading or self.document is None:
            return
        for key in self._gap_settings.gaps():
            if key != keep:
                for field in self._gap_settings.get(key):
                    self._commit_gap(field, GapRef(*key))

    def _gap_asked(self, gap: GapRef) -> dict[str, int | float | None]:
        """What is asked of `gap`: kept with the project, then typed and not committed yet."""
        return {**asked_of_gap(self.document.project, gap.track_id, gap.start),
                **self._gap_settings.get(_gap_key(gap))}

    def infill_options(self) -> Options:
        """What the gap page asks of the selected gap's Infill (Seed/Steps/Guidance)."""
        gap = self._selection.gap
        return GapSettings.options(self._gap_asked(gap) if gap else {}, self.document.project.defaults)

    def finish_editing(self) -> None:
        """A number being typed in a field counts now: a field commits when it loses focus, and
        clicking a toolbar or Inspector button (Generate, Infill, Extend) doesn't take focus."""
        box = self.focusWidget()
        if box is not None and isinstance(box.parentWidget(), QAbstractSpinBox):
            box = box.parentWidget()  # its line edit had the focus
        if isinstance(box, QAbstractSpinBox) and box.hasFocus():
            box.interpretText()
            box.editingFinished.emit()
        if isinstance(box, PromptEdit) and box.hasFocus():
            box.committed.emit(box.toPlainText())  # a typed prompt counts too (one undo step)

    def typed_prompt(self) -> str | None:
        """The prompt typed for the one selected shot and not committed yet (it commits when its
        box is left), or None: Generate's state and reason follow the text as it is typed."""
        cid = self._shot_clip
        if cid is None or self._loading or cid != self._selection.clip or self.page != "shot":
            return None
        found = self._find(cid)
        text = self.prompt_edit.toPlainText()
        return text if found is not None and text != found[1].shot.prompt else None

    def _prompt_box(self, name: str, height: int, field: str, placeholder: str) -> PromptEdit:
        """A prompt box that commits its text to the shot's `field` (one undo step per commit)."""
        box = PromptEdit()
        box.setObjectName(name)
        box.setPlaceholderText(placeholder)
        box.setFixedHeight(height)
        box.committed.connect(lambda text: self._commit_shot(**{field: text}))
        if field == "prompt":
            box.textChanged.connect(lambda: None if self._loading else self.prompt_typed.emit())
        return box

    def _commit_shot(self, **fields) -> None:
        cid = self._clip_id()
        if self._loading or cid is None:
            return
        found = self._find(cid)
        if found is None:
            return
        shot = found[1].shot
        changed = {k: v for k, v in fields.items() if getattr(shot, k) != v}
        if changed:
            self._request(SetShotSettings(clip_id=cid, **changed))

    def _commit_cast(self, _item: QListWidgetItem) -> None:
        if self._loading:
            return
        ids = tuple(self.cast_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.cast_list.count())
                    if self.cast_list.item(i).checkState() == Qt.CheckState.Checked)
        cid = self._clip_id()
        found = self._find(cid) if cid else None
        if found and tuple(found[1].shot.cast) != ids:
            self._request(SetShotSettings(clip_id=cid, cast=ids))

    def _switch_take(self) -> None:
        cid = self._clip_id()
        found = self._find(cid) if cid else None
        row = self.takes_list.currentRow()
        if found and 0 <= row < len(found[1].takes) and row != found[1].active_take:
            self._request(SwitchTake(clip_id=cid, take_id=found[1].takes[row].id))

    def _close_gap(self) -> None:
        gap = self._selection.gap
        if gap is not None:
            self._request(CloseGap(track_id=gap.track_id, frame=gap.start))

    def _commit_keyframe_frame(self) -> None:
        found = None if self._loading else self._keyframe()
        if found and self.keyframe_frame.value() != found[1].frame:
            self._request(MoveKeyframe(keyframe_id=found[1].id, frame=self.keyframe_frame.value()))

    def _commit_keyframe_strength(self) -> None:
        found = None if self._loading else self._keyframe()
        if found and abs(self.keyframe_strength.value() - found[1].strength) > 1e-6:
            self._request(SetKeyframeStrength(keyframe_id=found[1].id, strength=self.keyframe_strength.value()))

    def _remove_keyframe(self) -> None:
        found = self._keyframe()
        if found:
            self._request(RemoveKeyframe(keyframe_id=found[1].id))


INTERPOLATION_NOTE = ("This gap is filled by the built-in interpolation, which uses no seed, steps or "
                      "guidance; choose a video model (File ▸ Project Settings, or the clip beside it) "
                      "for these to apply.")


def _gap_key(gap: GapRef) -> GapKey:
    return gap.track_id, gap.start, gap.length


def _interpolated(project: Project, gap: GapRef) -> bool:
    """Whether the built-in interpolation (no seed, steps, guidance) would fill `gap`."""
    try:
        return model_for(make_plan(project, InfillGap(track_id=gap.track_id, frame=gap.start), seed=0)) == INTERPOLATE
    except (EditRefused, GenerationError):
        return False  # it can't be filled as it is; its reason shows under the Infill button


def _html(value: object) -> str:
    text = str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
