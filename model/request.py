"""What to make: one generation request, validated before it is queued.

Every user action (generate, animate, extend, infill, loop, restyle, long shot) is the same
request: make `num_frames` frames at this fps and size; these frames are already known at these
positions (the *context*); this is the prompt. Engines turn a request into a pipeline call.

Frames are RGB uint8 numpy arrays of shape (height, width, 3) at the request's size.
No torch here: the editor builds requests without importing it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

MAX_SECONDS = 60


class Action(enum.StrEnum):
    """The user action a request came from; engines declare which ones they support."""

    GENERATE = "generate"
    ANIMATE = "animate"
    EXTEND_FORWARD = "extend_forward"
    EXTEND_BACKWARD = "extend_backward"
    INFILL = "infill"
    LOOP = "loop"
    RESTYLE = "restyle"

    @property
    def title(self) -> str:
        return {
            "generate": "Generate shot",
            "animate": "Animate still",
            "extend_forward": "Extend forward",
            "extend_backward": "Extend backward",
            "infill": "Infill gap",
            "loop": "Loop",
            "restyle": "Restyle",
        }[self.value]


class RequestError(ValueError):
    """A request that cannot be made; the message says what to change."""


@dataclass(frozen=True, eq=False)
class Pin:
    """Known frames pinned at a position of the clip to be made.

    `frames` is one frame (a keyframe or still) or a run of consecutive frames (a clip's tail or
    head) that occupy positions frame .. frame + len(frames) - 1. `strength` 1.0 keeps them;
    below 1.0 lets the model change them (restyle, soft keyframes).
    """

    frame: int
    frames: tuple[np.ndarray, ...]
    strength: float = 1.0
    label: str = ""  # where it came from, in the user's words ("tail of Shot 2"), for records

    @property
    def end(self) -> int:
        """One past the last position this pin covers."""
        return self.frame + len(self.frames)


@dataclass(frozen=True, eq=False)
class CastRef:
    """A reusable character or style reference: an image and a description."""

    name: str
    image: np.ndarray
    description: str = ""


@dataclass(frozen=True, eq=False)
class Request:
    action: Action
    num_frames: int
    fps: Fraction
    width: int
    height: int
    prompt: str = ""
    negative_prompt: str = ""
    seed: int = 0
    steps: int = 30
    guidance: float = 3.0
    context: tuple[Pin, ...] = ()
    cast: tuple[CastRef, ...] = ()
    # extra engine settings the user chose (e.g. decode_timestep); recorded with the take
    options: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return float(self.num_frames / self.fps)

    def validate(self) -> Request:
        """Raise RequestError with a message a user understands; return self when fine."""
        if not isinstance(self.action, Action):
            raise RequestError(f"Unknown action {self.action!r}.")
        if not isinstance(self.fps, Fraction) or self.fps <= 0:
            raise RequestError("The frame rate must be a positive number, e.g. 24 or 30000/1001.")
        if self.num_frames < 1:
            raise RequestError("Ask for at least one frame.")
        if self.num_frames > MAX_SECONDS * self.fps + 1:
            raise RequestError(
                f"{self.seconds:.1f} s is longer than the {MAX_SECONDS} s a shot can be; split it into shots."
            )
        if self.width < 16 or self.height < 16 or self.width > 8192 or self.height > 8192:
            raise RequestError(f"A size of {self.width}x{self.height} can't be made; use 16..8192 per side.")
        if self.steps < 1 or self.steps > 500:
            raise RequestError("Steps must be between 1 and 500.")
        if self.seed < 0 or self.seed >= 2**63:
            raise RequestError("The seed must be a whole number from 0 to 2^63-1.")
        for pin in self.context:
            if not pin.frames:
                raise RequestError(f"The context {pin.label or 'pin'} holds no frames.")
            if pin.frame < 0 or pin.end > self.num_frames:
                raise RequestError(
                    f"The context {pin.label or 'pin'} at frame {pin.frame} (+{len(pin.frames)}) "
                    f"falls outside the {self.num_frames} frames asked for."
                )
            if not 0.0 <= pin.strength <= 1.0:
                raise RequestError("A keyframe's strength must be between 0 and 1.")
            for img in pin.frames:
                _check_frame(img, self.width, self.height, pin.label or "context")
        for ref in self.cast:
            if not (isinstance(ref.image, np.ndarray) and ref.image.ndim == 3 and ref.image.shape[2] == 3):
                raise RequestError(f"The cast image of {ref.name} is not an RGB image.")
        if self.action in (Action.ANIMATE, Action.EXTEND_FORWARD, Action.EXTEND_BACKWARD,
                           Action.INFILL, Action.LOOP, Action.RESTYLE) and not self.context:
            raise RequestError(f"{self.action.title} needs frames to start from; none were given.")
        if self.action in (Action.INFILL, Action.LOOP):
            starts = [p.frame for p in self.context]
            ends = [p.end for p in self.context]
            if 0 not in starts or self.num_frames not in ends:
                raise RequestError(f"{self.action.title} needs known frames at both its start and its end.")
        return self

    def describe(self) -> dict:
        """The request as plain JSON-able data (frames summarised), for records and the journal."""
        return {
            "action": self.action.value,
            "num_frames": self.num_frames,
            "fps": f"{self.fps.numerator}/{self.fps.denominator}",
            "width": self.width,
            "height": self.height,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "steps": self.steps,
            "guidance": self.guidance,
            "context": [
                {"frame": p.frame, "count": len(p.frames), "strength": p.strength, "label": p.label}
                for p in self.context
            ],
            "cast": [{"name": c.name, "description": c.description} for c in self.cast],
            "options": dict(self.options),
        }


def _check_frame(img: np.ndarray, width: int, height: int, label: str) -> None:
    if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise RequestError(f"The {label} frames must be RGB images.")
    if img.shape[0] != height or img.shape[1] != width:
        raise RequestError(
            f"The {label} frames are {img.shape[1]}x{img.shape[0]} but the request is {width}x{height}."
        )
