"""The window a model makes: a request's frames and size snapped to the model's grid, and back.

A model makes `frame_step * k + 1` frames whose sides are multiples of `size_multiple`. The
window is the smallest such clip that holds the request. The request's picture is scaled to fit
the window keeping its shape and the rest is filled by mirroring its edges (a letterbox the model
can't mistake for black bars); on the way back the picture is cut out and scaled to the asked
size. In time, request frame p sits at window frame p + offset: 0 normally, so the extra frames
fall after the end, but when only the end of the clip is known (extend backward) the window ends
where the request ends, so the known frames keep their place next to the new ones.

No torch here: it is plain geometry on numpy frames, tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from model.engines.base import EngineError, Limits
from model.request import Request


@dataclass(frozen=True)
class Window:
    frames: int  # window length, on the model's frame grid
    width: int
    height: int
    offset: int  # window frame of request frame 0
    box: tuple[int, int, int, int]  # x, y, w, h of the request's picture inside the window
    request_frames: int
    request_width: int
    request_height: int

    def position(self, request_frame: int) -> int:
        return request_frame + self.offset

    def to_window(self, frame: np.ndarray) -> np.ndarray:
        """A request-size RGB frame as the window sees it (scaled, edges mirrored to fill)."""
        x, y, w, h = self.box
        if frame.shape[1] != w or frame.shape[0] != h:
            frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA if w < frame.shape[1] else cv2.INTER_CUBIC)
        if (w, h) == (self.width, self.height):
            return np.ascontiguousarray(frame)
        return cv2.copyMakeBorder(
            frame, y, self.height - h - y, x, self.width - w - x, cv2.BORDER_REFLECT_101
            if min(h, w) > max(y, self.height - h - y, x, self.width - w - x) else cv2.BORDER_REPLICATE
        )

    def from_window(self, frame: np.ndarray) -> np.ndarray:
        """A window frame cut back to the request's picture and size."""
        x, y, w, h = self.box
        frame = frame[y : y + h, x : x + w]
        if (w, h) != (self.request_width, self.request_height):
            frame = cv2.resize(
                frame, (self.request_width, self.request_height),
                interpolation=cv2.INTER_AREA if self.request_width < w else cv2.INTER_CUBIC,
            )
        return np.ascontiguousarray(frame)

    def cut(self, window_frames: list[np.ndarray]) -> list[np.ndarray]:
        """The request's frames out of the window's frames (the window may have been made longer)."""
        if len(window_frames) < self.offset + self.request_frames:
            raise EngineError(
                f"The model made {len(window_frames)} frames where {self.offset + self.request_frames} were "
                "needed; try a shorter shot."
            )
        picked = window_frames[self.offset : self.offset + self.request_frames]
        return [self.from_window(f) for f in picked]

    def describe(self) -> dict:
        return {
            "frames": self.frames, "width": self.width, "height": self.height,
            "offset": self.offset, "box": list(self.box),
        }


def plan_window(request: Request, limits: Limits) -> Window:
    """The smallest window on the model's grid that holds `request`; EngineError when it can't."""
    frames = limits.window_frames(request.num_frames)
    if frames > limits.max_frames:
        raise EngineError(
            f"{request.num_frames} frames is more than this model makes in one go ({limits.max_frames}); "
            "the shot is made in overlapping windows instead."
        )
    width = _ceil_to(request.width, limits.size_multiple)
    height = _ceil_to(request.height, limits.size_multiple)
    if max(width, height) > limits.max_side:
        raise EngineError(f"{request.width}x{request.height} is larger than this model can make; choose a smaller size.")
    scale = min(width / request.width, height / request.height)
    w = min(width, max(1, round(request.width * scale)))
    h = min(height, max(1, round(request.height * scale)))
    box = ((width - w) // 2, (height - h) // 2, w, h)
    starts = {p.frame for p in request.context}
    ends = {p.end for p in request.context}
    only_end_known = bool(request.context) and request.num_frames in ends and 0 not in starts
    offset = frames - request.num_frames if only_end_known else 0
    return Window(frames, width, height, offset, box, request.num_frames, request.width, request.height)


class KeptFrames(list):
    """Made frames with the known ones put back; `model_versions` (position -> frame) keeps what the
    model made at those positions, which `model.seams` compares with the known frames to measure
    the model's colour drift exactly."""

    def __init__(self, frames: list[np.ndarray], model_versions: dict[int, np.ndarray]) -> None:
        super().__init__(frames)
        self.model_versions = model_versions


def keep_known(frames: list[np.ndarray], request: Request) -> KeptFrames:
    """The made frames with every frame the user pinned at full strength put back untouched."""
    out = list(frames)
    versions: dict[int, np.ndarray] = {}
    for pin in request.context:
        if pin.strength >= 1.0:
            for i, known in enumerate(pin.frames):
                versions[pin.frame + i] = frames[pin.frame + i]
                out[pin.frame + i] = known
    return KeptFrames(out, versions)


def _ceil_to(value: int, multiple: int) -> int:
    return max(multiple, -(-value // multiple) * multiple)
