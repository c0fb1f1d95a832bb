"""The Inspector's "Enhance prompt": a short prompt expanded by a local model, shown editable before queueing.

The shot's own prompt is never replaced behind the user's back: the expanded text appears in
its own box, where it can be edited, then either queued as this shot's next take ("Generate
with this prompt": the take's recipe keeps both prompts and names the enhancer, and the box
closes once the job is queued) or made the
shot's prompt ("Use as prompt", an ordinary undoable edit). The model runs on the background
pool (`model.enhance` loads the enhancer, generates, and lets it go), so the window never
waits; a result that arrives after the user moved to another shot is kept for the shot it was
made for and shown again when that shot is.

A shot that starts from an image (a keyframe, or a still it animates) hands that image to the
video model's enhancer (`editor.generation.enhance_image`), and when the job queue has the same
model loaded its text encoder is borrowed rather than loaded twice (`model.enhance_share`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from editor.ui.background import run_in_background


def _nothing() -> None:
    return None


def shot_model(project: Any, clip_id: str) -> str | None:
    """The model folder a shot is generated with: its own, else the project's."""
    try:
        clip = project.find_clip(clip_id)[1]
    except KeyError:
        return None
    return clip.shot.model or project.defaults.model


class EnhanceBox(QWidget):
    """"Enhance prompt" for the shot the Inspector shows (see the module doc)."""

    # clip id, the prompt to use, the recipe's enhancement record (original, enhanced, enhancer)
    queue_requested = Signal(str, str, dict)
    use_requested = Signal(str, str)  # clip id, the new prompt for the shot
    finished = Signal()  # an enhancement ended (its text or its message is shown)

    def __init__(self, *, prompt: Callable[[], str], shot: Callable[[], str | None],
                 model: Callable[[str], str | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prompt, self._shot, self._model = prompt, shot, model
        self._text_model: Callable[[], str | None] = _nothing
        self._device: Callable[[], str | None] = _nothing
        self._image: Callable[[str], Any] = lambda _clip_id: None
        self._runner: Callable[[], Any] = _nothing
        self._results: dict[str, dict] = {}  # clip id -> its last enhancement record
        self._running: str | None = None  # the clip an enhancement runs for
        self._shown: str | None = None
        self._epoch = 0  # a new project (forget) makes the enhancements still running moot
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(6)
        self.button = QPushButton("Enhance prompt")
        self.button.setObjectName("inspector.enhance")
        self.button.setToolTip("Expand the prompt with the video model's own enhancer, or the local text model "
                               "chosen in Settings ▸ Device ▸ Prompt enhancer; you see and edit the result first.")
        self.button.clicked.connect(self.start)
        v.addWidget(self.button)
        self.status = QLabel("")
        self.status.setObjectName("inspector.enhance_status")
        self.status.setWordWrap(True)
        self.status.setProperty("role", "hint")
        self.status.hide()
        v.addWidget(self.status)
        self.result = QPlainTextEdit()
        self.result.setObjectName("inspector.enhanced")
        self.result.setFixedHeight(110)
        self.result.hide()
        v.addWidget(self.result)
        self.actions = QWidget()
        row = QHBoxLayout(self.actions)
        row.setContentsMargins(0, 0, 0, 0)
        self.generate_button = QPushButton("Generate with this prompt")
        self.generate_button.setObjectName("inspector.enhanced_generate")
        self.generate_button.clicked.connect(self._queue)
        self.use_button = QPushButton("Use as prompt")
        self.use_button.setObjectName("inspector.enhanced_use")
        self.use_button.clicked.connect(self._use)
        discard = QPushButton("Discard")
        discard.setObjectName("inspector.enhanced_discard")
        discard.clicked.connect(self._discard)
        row.addWidget(self.generate_button)
        row.addWidget(self.use_button)
        row.addWidget(discard)
        row.addStretch(1)
        self.actions.hide()
        v.addWidget(self.actions)

    def configure(self, *, text_model: Callable[[], str | None], device: Callable[[], str | None],
                  image: Callable[[str], Any] | None = None, runner: Callable[[], Any] | None = None) -> None:
        """Where the local text model (Settings), the device, a shot's first image (clip id -> file
        or None) and the job queue's runner (whose loaded pipeline may lend its parts) come from."""
        self._text_model, self._device = text_model, device
        if image is not None:
            self._image = image
        if runner is not None:
            self._runner = runner

    def forget(self) -> None:
        """Another project is shown: the last one's expanded prompts are not offered for it (clip
        ids repeat across projects, e.g. one imported from another's exported cut), and one still
        running is dropped when it ends."""
        self._results.clear()
        self._epoch += 1
        self._running = None
        self.follow(None)

    @property
    def running(self) -> bool:
        return self._running is not None

    def follow(self, clip_id: str | None) -> None:
        """The Inspector shows `clip_id` now: show its enhancement, if it has one."""
        self._shown = clip_id
        record = self._results.get(clip_id) if clip_id else None
        self.result.setVisible(record is not None)
        self.actions.setVisible(record is not None)
        if record is not None:
            self.result.setPlainText(record["enhanced"])
        if self._running is None or self._running != clip_id:
            self.status.setVisible(False)
        self.button.setEnabled(self._running is None)

    def start(self) -> None:
        """Enhance the shown shot's prompt in the background."""
        clip_id = self._shot()
        prompt = self._prompt().strip()
        if clip_id is None or self._running is not None:
            return
        if not prompt:
            self._say("Write a short prompt first; the enhancer expands it.", error=True)
            return
        model, text_model, device = self._model(clip_id), self._text_model(), self._device()
        image, runner = self._image(clip_id), self._runner()
        self._running = clip_id
        self.button.setEnabled(False)
        self._say("Enhancing the prompt… (the first time loads the text model)")

        def work() -> Any:
            from model.enhance import enhance
            from model.enhance_share import shared_parts

            return enhance(prompt, model_folder=model, text_model=text_model, device=device, image=image,
                           shared=shared_parts(runner, model))

        epoch = self._epoch
        run_in_background(work, lambda made: self._done(clip_id, made, epoch),
                          failed=lambda e: self._failed(clip_id, e, epoch), owner=self)

    def _done(self, clip_id: str, made: Any, epoch: int | None = None) -> None:
        if epoch is not None and epoch != self._epoch:
            return  # made for the project shown before
        self._running = None
        self._results[clip_id] = made.record()
        title = made.enhancer.get("title") or Path(str(made.enhancer.get("path"))).name
        looked = f", looking at {made.enhancer['image']}" if made.enhancer.get("image") else ""
        self.follow(self._shown)
        if self._shown == clip_id:
            self._say(f"Expanded by {title}{looked}. Edit it if you like, then generate with it or use it as "
                      "the prompt.")
        self.finished.emit()

    def _failed(self, clip_id: str, error: BaseException, epoch: int | None = None) -> None:
        if epoch is not None and epoch != self._epoch:
            return
        self._running = None
        self.button.setEnabled(True)
        from model.enhance import EnhanceError

        text = str(error) if isinstance(error, EnhanceError | ValueError | OSError) else (
            f"The prompt could not be enhanced ({type(error).__name__}: {error}).")
        if self._shown == clip_id:
            self._say(text, error=True)
        self.finished.emit()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("role", "warning" if error else "hint")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.show()

    def _record(self) -> tuple[str, str, dict] | None:
        clip_id = self._shown
        record = self._results.get(clip_id) if clip_id else None
        text = self.result.toPlainText().strip()
        if record is None or not text:
            return None
        return clip_id, text, {**record, "used": text, "edited": text != record["enhanced"]}

    def _queue(self) -> None:
        found = self._record()
        if found is not None:
            self.queue_requested.emit(*found)

    def sent(self, clip_id: str) -> None:
        """A take of `clip_id` was queued with its expanded prompt: the box closes (the take's recipe
        keeps both prompts), so the shot doesn't go on offering an expansion already used, and the
        next Enhance starts from the shot's prompt as it is then."""
        self._results.pop(clip_id, None)
        self.follow(self._shown)
        if self._shown == clip_id:
            self._say("Queued a take with the expanded prompt; its recipe keeps both prompts (see Jobs).")

    def _use(self) -> None:
        found = self._record()
        if found is not None:
            self.use_requested.emit(found[0], found[1])
            self._discard()

    def _discard(self) -> None:
        if self._shown is not None:
            self._results.pop(self._shown, None)
        self.follow(self._shown)
