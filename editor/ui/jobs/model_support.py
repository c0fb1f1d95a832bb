"""What each model folder can make, read off the GUI thread and cached for the generation controller.

Asking whether a verb can run (every menu, toolbar button and tooltip does) must never touch the
disk: `answer()` returns the cached `ModelInfo` (or why the folder can't be used), or None while
the folder is being read on the shared background pool. A cached answer older than
`MODEL_RECHECK_S` is checked again in the background, so a model swapped on disk is noticed
without a restart; `changed()` is called whenever an answer arrives or differs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject

from editor.generation import INTERPOLATE
from model.models import interpolate_info
from model.request import Action

# A model folder's cached answer is checked again, off the GUI thread, when it is older than
# this and asked for.
MODEL_RECHECK_S = 5.0


class ModelSupport:
    """The cache of model-folder answers of one generation controller (GUI thread only)."""

    def __init__(self, changed: Callable[[], None], *, owner: QObject) -> None:
        self._changed = changed
        self._owner = owner  # background answers are dropped once it is deleted
        # model folder -> (when checked, model_index.json mtime, ModelInfo or why it can't be used)
        self._answers: dict[str, tuple[float, float, Any]] = {}
        self._reading: dict[str, list[Callable[[], None]]] = {}  # folder -> what waits for it
        self.revision = 0  # bumped when a model folder's answer arrives or changes
        self.closed = False

    def answer(self, model: str) -> Any:
        """What `model` can make (a ModelInfo, or why it can't be used), None when not read yet."""
        if model == INTERPOLATE:
            return interpolate_info()
        cached = self._answers.get(model)
        if cached is None:
            return None
        if time.monotonic() - cached[0] > MODEL_RECHECK_S:
            self.read(model)
        return cached[2]

    def refusal(self, model: str, action: Action) -> str | None:
        """Why `model` can't make `action` (its folder must have been read); None when it can."""
        return refusal(self.answer(model), action)

    def read(self, model: str, then: Callable[[], None] | None = None) -> None:
        """Read `model`'s folder on the background pool (once at a time); then `then()`."""
        from editor.ui.background import run_in_background

        waiting = self._reading.get(model)
        if waiting is not None:
            if then is not None:
                waiting.append(then)
            return
        self._reading[model] = [then] if then is not None else []
        cached = self._answers.get(model)
        stamp = cached[1] if cached is not None else None
        run_in_background(lambda: _read_model_folder(model, stamp),
                          lambda answer: self._arrived(model, answer),
                          failed=lambda error: self._arrived(model, (-2.0, f"The model folder {model} can't be "
                                                                     f"read ({error}); check it, or choose another.")),
                          owner=self._owner)

    def _arrived(self, model: str, answer: tuple[float, Any] | None) -> None:
        waiting = self._reading.pop(model, [])
        if self.closed:
            return
        cached = self._answers.get(model)
        if answer is None and cached is not None:  # unchanged on disk: only the check time moves
            self._answers[model] = (time.monotonic(), cached[1], cached[2])
        elif answer is not None:
            self._answers[model] = (time.monotonic(), *answer)
            self.revision += 1
            self._changed()
        for then in waiting:
            then()


def refusal(support: Any, action: Action) -> str | None:
    """Why a model (its ModelInfo, or why it can't be used at all) can't make `action`; None when it can."""
    if isinstance(support, str):
        return support
    return support.supports(action)


def _read_model_folder(model: str, known_stamp: float | None) -> tuple[float, Any] | None:
    """Background pool: (model_index.json's mtime, ModelInfo or why the folder can't be used);
    None when the folder is unchanged since `known_stamp`."""
    from model.models import ModelError, inspect_model

    try:
        stamp = Path(model, "model_index.json").stat().st_mtime
    except OSError:
        stamp = -1.0
    if stamp == known_stamp:
        return None
    if stamp < 0:
        return stamp, f"The model folder {model} is missing; choose another model for this shot or project."
    try:
        return stamp, inspect_model(model)
    except ModelError as exc:
        return stamp, str(exc)
