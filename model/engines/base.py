"""The engine interface: one adapter per way of making frames, from a Request to exactly its frames.

An engine turns a `model.request.Request` into frames. Every engine, whether it wraps a
diffusers pipeline (LTX-Video condition, Wan VACE) or needs no model at all (optical-flow
infill), follows the same life cycle, driven by `model.runner.Runner`:

    engine = engine_for(info)            # model.engines.registry; cheap, loads nothing
    engine.supports(Action.INFILL)       # None = yes, else the reason in the user's words
    engine.load(placement)               # weights onto the device (no-op without a model)
    frames = engine.run(request, hooks)  # exactly request.num_frames frames, request size
    engine.unload()                      # frees memory; load() may be called again

Contract of `run`:
- returns a list of exactly `request.num_frames` RGB uint8 arrays of shape
  (request.height, request.width, 3), whatever window the model needs internally;
- context frames pinned at strength 1.0 are returned untouched at their positions;
- calls `hooks.step(i, total)` after each step (progress, cancel), and may call
  `hooks.preview(rgb)` with a cheap RGB picture of the work in progress;
- raises `Cancelled` (from `hooks.step`) when the user cancels, without decoding anything,
  and `EngineError` for a request it can't make, with a message that says what to change;
- fills `engine.last_parameters` with the JSON-able settings it really used (window size,
  pipeline arguments), so the take's record says how it was made.

No torch here: the editor reads engine capabilities without importing it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from model.request import Action, Request, RequestError

if TYPE_CHECKING:
    from model.devices import Placement


class Cancelled(Exception):
    """The user cancelled the job; nothing was decoded or returned."""


class EngineError(RequestError):
    """The engine can't make this request; the message says what to change."""


@dataclass(frozen=True)
class Limits:
    """What a model can make, read from the loaded pipeline (never hard-coded per family).

    `frame_step`: a window holds `frame_step * k + 1` frames (LTX 8, Wan 4; 1 = any count).
    `size_multiple`: the window's sides are multiples of this (LTX 32, Wan 16).
    `max_frames`: the longest window worth asking for in one go; longer shots are made in
    overlapping windows by `model.longshot`. `native_fps` is the rate the model was trained at.
    """

    frame_step: int = 1
    size_multiple: int = 1
    max_frames: int = 10_000
    min_frames: int = 1
    native_fps: float = 24.0
    max_side: int = 8192

    def window_frames(self, num_frames: int) -> int:
        """The smallest frame count on the model's grid that holds `num_frames`."""
        n = max(num_frames, self.min_frames)
        k = -(-(n - 1) // self.frame_step)  # ceil((n - 1) / step)
        return self.frame_step * k + 1

    def window_side(self, side: int) -> int:
        """The smallest side the model accepts that holds `side` (a multiple of `size_multiple`)."""
        m = self.size_multiple
        return max(m, -(-side // m) * m)

    def describe(self) -> dict:
        return {
            "frame_step": self.frame_step,
            "size_multiple": self.size_multiple,
            "max_frames": self.max_frames,
            "min_frames": self.min_frames,
            "native_fps": self.native_fps,
            "max_side": self.max_side,
        }


def _nothing(*_args: Any) -> None:
    return None


def _never() -> bool:
    return False


@dataclass
class Hooks:
    """How a running job reports back: progress, previews and cancel, all optional.

    The one type for these from the engine up to the editor's job thread: the runner, long
    shots, `editor.generation.run_job` and the UI worker all pass a Hooks along, and a cancel
    is always `Cancelled`.

    `on_progress(step, total, seconds_per_step)`, `on_preview(rgb_uint8)`,
    `should_cancel() -> bool` is polled once per step.
    Engines call `step()` after every sampling step and `preview()` when `wants_preview()`.
    """

    on_progress: Callable[[int, int, float], None] = _nothing
    on_preview: Callable[[np.ndarray], None] = _nothing
    should_cancel: Callable[[], bool] = _never
    preview_every: int = 4
    _started: float = field(default=0.0, repr=False)
    _steps_seen: int = field(default=0, repr=False)

    def start(self) -> None:
        """Mark the start of sampling; seconds per step are measured from here."""
        self._started = time.perf_counter()
        self._steps_seen = 0

    def step(self, step: int, total: int) -> None:
        """Report that `step` of `total` steps is done; raise Cancelled when the user cancelled."""
        if not self._started:
            self.start()
        self._steps_seen += 1
        per_step = (time.perf_counter() - self._started) / self._steps_seen
        self.on_progress(step, total, per_step)
        if self.should_cancel():
            raise Cancelled("Cancelled.")

    def wants_preview(self, step: int, total: int) -> bool:
        """True when a preview should be made after `step` (not after the last one)."""
        return (
            self.on_preview is not _nothing
            and step < total
            and self.preview_every > 0
            and step % self.preview_every == 0
        )

    def preview(self, rgb: np.ndarray) -> None:
        self.on_preview(rgb)

    def paced(self, preview_every: int) -> Hooks:
        """The same callbacks, with previews every `preview_every` steps and a fresh step clock."""
        return Hooks(self.on_progress, self.on_preview, self.should_cancel, preview_every=preview_every)


class Engine:
    """Base of every engine. Subclasses set `kind`/`title`, implement `supports`, `limits`, `run`."""

    kind: str = "engine"
    title: str = "Engine"
    # engines that need nothing loaded (e.g. optical-flow interpolation) leave this False
    needs_model: bool = True

    def __init__(self) -> None:
        self.last_parameters: dict = {}

    def supports(self, action: Action) -> str | None:
        """None when this engine can make `action`, else the reason in the user's words."""
        raise NotImplementedError

    @property
    def limits(self) -> Limits:
        """Frame grid, size multiple and window length of the loaded model."""
        return Limits()

    @staticmethod
    def limits_from_configs(vae: dict, transformer: dict) -> Limits:
        """The limits the loaded model will have, from its folder's VAE and transformer configs.

        `model.models` calls this while inspecting a folder (JSON only, nothing loaded), so the UI
        shows a model's grid before it is loaded; an engine with a grid overrides it with the same
        rule its `limits` applies to the loaded pipeline.
        """
        return Limits()

    @property
    def loaded(self) -> bool:
        return True

    def load(self, placement: Placement | None = None) -> None:
        """Put the weights on the device; engines without a model do nothing."""

    def unload(self) -> None:
        """Free the memory `load` took; `load` may be called again later."""

    def check(self, request: Request) -> None:
        """Raise EngineError when this engine can't make `request` (validates it first)."""
        request.validate()
        reason = self.supports(request.action)
        if reason is not None:
            raise EngineError(reason)

    def run(self, request: Request, hooks: Hooks) -> list[np.ndarray]:
        """Exactly `request.num_frames` RGB frames at the request's size; see the module doc."""
        raise NotImplementedError
