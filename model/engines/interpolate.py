"""Frame interpolation with no model: fills a gap or joins a loop by optical flow between known frames.

For each run of unknown frames, the last known frame before it (A) and the first known frame
after it (B) are matched by dense optical flow (OpenCV DIS) in both directions, at a reduced
resolution for speed. An in-between frame at time t is A warped forward and B warped backward,
blended by time; where the forward-backward check says a pixel of one side is hidden in the
other (occlusion) or comes from outside the picture, the other side is trusted instead, so moving
edges don't ghost. Two frames that show different things (a cut, not motion) are dissolved
instead of warped. Known frames are copied through untouched, so the frames the user has stay
exactly as they were; keyframes inside a gap split it into pieces joined one after the other.

It can only join frames it is given, so it supports infill and loop and refuses the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from model.engines.base import Engine, Hooks, Limits
from model.request import Action, Request

# Flow is computed on frames whose longer side is at most this many pixels: DIS at this size
# follows motions of tens of pixels and costs a few milliseconds, and a smooth flow field loses
# little when it is upsampled.
FLOW_SIDE = 480
# A forward-backward flow disagreement (in flow pixels) up to this is noise; above twice this
# the pixel is taken as hidden on the other side.
OCCLUSION_PX = 1.0
# When most of each picture is "hidden" in the other, the two frames show different things (a
# cut, not motion) and warping would smear one into the other: they are cross-faded instead.
UNRELATED_HIDDEN = 0.6


@dataclass(frozen=True)
class _Flows:
    """Both flows between two frames, at flow resolution, plus how each side is hidden."""

    ab: np.ndarray  # (h, w, 2) float32: where each pixel of A moves to in B
    ba: np.ndarray  # (h, w, 2): where each pixel of B moves to in A
    hidden_a: np.ndarray  # (h, w) float32 in [0, 1]: A's pixel is not visible in B
    hidden_b: np.ndarray  # (h, w): B's pixel is not visible in A


class FramePair:
    """Two known frames and the flows between them; `at(t)` makes the frame at time t in (0, 1)."""

    def __init__(self, a: np.ndarray, b: np.ndarray, *, flow_side: int = FLOW_SIDE) -> None:
        if a.shape != b.shape or a.ndim != 3 or a.shape[2] != 3:
            raise ValueError("Both frames must be RGB images of the same size.")
        self.a = np.ascontiguousarray(a)
        self.b = np.ascontiguousarray(b)
        self.height, self.width = a.shape[:2]
        longest = max(self.height, self.width)
        scale = min(1.0, flow_side / longest)
        self.flow_w = max(8, round(self.width * scale))
        self.flow_h = max(8, round(self.height * scale))
        # Per-axis factor from flow pixels to full-size pixels.
        self._sx = self.width / self.flow_w
        self._sy = self.height / self.flow_h
        self._flows = self._compute_flows()
        # True when A and B show different things, so the in-between frames are a dissolve.
        self.unrelated = bool(
            self._flows.hidden_a.mean() > UNRELATED_HIDDEN and self._flows.hidden_b.mean() > UNRELATED_HIDDEN
        )
        self._grid_small = _grid(self.flow_w, self.flow_h)
        self._grid_full = _grid(self.width, self.height)

    def _small_gray(self, img: np.ndarray) -> np.ndarray:
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        if (self.flow_w, self.flow_h) != (self.width, self.height):
            gray = cv2.resize(gray, (self.flow_w, self.flow_h), interpolation=cv2.INTER_AREA)
        return gray

    def _compute_flows(self) -> _Flows:
        ga, gb = self._small_gray(self.a), self._small_gray(self.b)
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        ab = dis.calc(ga, gb, None)
        ba = dis.calc(gb, ga, None)
        grid = _grid(self.flow_w, self.flow_h)
        return _Flows(ab, ba, _hidden(ab, ba, grid), _hidden(ba, ab, grid))

    def at(self, t: float) -> np.ndarray:
        """The frame a fraction t of the way from A to B (t=0 is A, t=1 is B)."""
        if t <= 0.0:
            return self.a.copy()
        if t >= 1.0:
            return self.b.copy()
        if self.unrelated:
            return cv2.addWeighted(self.a, 1.0 - t, self.b, t, 0.0)
        f = self._flows
        # Flow from the in-between frame back to A and on to B, from both measured flows
        # (Jiang et al., "Super SloMo", 2018, eq. 4): exact for steady motion, and it uses both
        # directions so either side's errors are halved.
        to_a = (-(1.0 - t) * t) * f.ab + (t * t) * f.ba
        to_b = ((1.0 - t) ** 2) * f.ab + (-t * (1.0 - t)) * f.ba
        small_a = self._grid_small + to_a
        small_b = self._grid_small + to_b

        # Occlusion-aware weights, at flow resolution: a pixel of A that is hidden in B (or a
        # sample from outside the picture) can't be matched on the B side, so A is trusted there,
        # and the other way round.
        hidden_a = cv2.remap(f.hidden_a, small_a, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        hidden_b = cv2.remap(f.hidden_b, small_b, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        outside_a = _outside(small_a, self.flow_w, self.flow_h)
        outside_b = _outside(small_b, self.flow_w, self.flow_h)
        trust_a = (1.0 - t) * (1.0 - hidden_b) * (1.0 - outside_a) + 1e-3 * (1.0 - t)
        trust_b = t * (1.0 - hidden_a) * (1.0 - outside_b) + 1e-3 * t
        weight_a = trust_a / (trust_a + trust_b)

        # Upsample the maps to full size; flow vectors scale with the picture.
        full_a = self._full_map(to_a)
        full_b = self._full_map(to_b)
        warped_a = cv2.remap(self.a, full_a, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        warped_b = cv2.remap(self.b, full_b, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        wa = self._full(weight_a.astype(np.float32))
        return cv2.blendLinear(warped_a, warped_b, wa, 1.0 - wa)

    def _full(self, small: np.ndarray) -> np.ndarray:
        if (self.flow_w, self.flow_h) == (self.width, self.height):
            return small
        return cv2.resize(small, (self.width, self.height), interpolation=cv2.INTER_LINEAR)

    def _full_map(self, flow: np.ndarray) -> np.ndarray:
        # Scale the vectors while the field is small (cheaper than at full size), then upsample.
        small = flow.astype(np.float32, copy=False)
        if self._sx != 1.0 or self._sy != 1.0:
            small = small * np.array([self._sx, self._sy], np.float32)
        return cv2.add(self._full(small), self._grid_full)


def _grid(width: int, height: int) -> np.ndarray:
    """(h, w, 2) float32 pixel coordinates (x, y), the identity map for cv2.remap."""
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return np.dstack([xs, ys])


def _hidden(fwd: np.ndarray, bwd: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """How surely each pixel is hidden on the other side: the forward-backward flow disagreement."""
    back = cv2.remap(bwd, grid + fwd, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    err = np.linalg.norm(fwd + back, axis=2)
    hidden = np.clip((err - OCCLUSION_PX) / OCCLUSION_PX, 0.0, 1.0).astype(np.float32)
    # The check is noisy pixel by pixel; a small blur makes the blend weights smooth.
    return cv2.GaussianBlur(hidden, (0, 0), 1.0)


def _outside(coords: np.ndarray, width: int, height: int) -> np.ndarray:
    x, y = coords[..., 0], coords[..., 1]
    return ((x < 0) | (x > width - 1) | (y < 0) | (y > height - 1)).astype(np.float32)


def fill_between_known(
    num_frames: int,
    known: dict[int, np.ndarray],
    *,
    on_frame: Callable[[int, np.ndarray], None] | None = None,
    on_pair: Callable[[int, int, FramePair], None] | None = None,
    flow_side: int = FLOW_SIDE,
) -> list[np.ndarray]:
    """All `num_frames` frames: known ones copied, each run of unknown ones interpolated.

    A run between known frames p and q is made from the pair (p, q); frames before the first or
    after the last known frame repeat it (an infill or loop always has known frames at both ends).
    `on_frame(i, frame)` is called after each frame made; it may raise (e.g. Cancelled) to stop.
    `on_pair(p, q, pair)` is called for each pair of known frames joined.
    """
    positions = sorted(p for p in known if 0 <= p < num_frames)
    if not positions:
        raise ValueError("Interpolation needs a known frame inside the frames asked for.")
    out: list[np.ndarray | None] = [None] * num_frames
    for p in positions:
        out[p] = known[p].copy()

    def made(i: int, frame: np.ndarray) -> None:
        out[i] = frame
        if on_frame is not None:
            on_frame(i, frame)

    for i in range(positions[0]):
        made(i, known[positions[0]].copy())
    for p, q in zip(positions, positions[1:], strict=False):
        if q - p < 2:
            continue
        pair = FramePair(known[p], known[q], flow_side=flow_side)
        if on_pair is not None:
            on_pair(p, q, pair)
        for i in range(p + 1, q):
            made(i, pair.at((i - p) / (q - p)))
    for i in range(positions[-1] + 1, num_frames):
        made(i, known[positions[-1]].copy())
    return out  # type: ignore[return-value]


def known_frames(request: Request) -> dict[int, np.ndarray]:
    """The frames a request pins, by position; where pins overlap, the stronger one wins.

    With no model nothing can loosen a frame, so a pin below full strength is kept as given too.
    """
    known: dict[int, np.ndarray] = {}
    for pin in sorted(request.context, key=lambda p: p.strength):
        for offset, frame in enumerate(pin.frames):
            known[pin.frame + offset] = frame
    return known


class InterpolateEngine(Engine):
    """The engine for the model path "interpolate": infill and loop by optical flow, no weights."""

    kind = "interpolate"
    title = "Frame interpolation (no model)"
    needs_model = False
    ACTIONS = (Action.INFILL, Action.LOOP)

    def __init__(self, *, flow_side: int = FLOW_SIDE) -> None:
        super().__init__()
        self.flow_side = flow_side

    def supports(self, action: Action) -> str | None:
        if action in self.ACTIONS:
            return None
        return f"{action.title} needs a video model; add one in Settings > Models."

    @property
    def limits(self) -> Limits:
        # Any frame count and size: flow works on whatever it is given, so one window holds a
        # whole 60 s shot and long shots are never split.
        return Limits(frame_step=1, size_multiple=1, max_frames=10_000, min_frames=1)

    def run(self, request: Request, hooks: Hooks) -> list[np.ndarray]:
        self.check(request)
        known = known_frames(request)
        total = frames_to_make(request.num_frames, known)
        self.last_parameters = {
            "engine": self.kind,
            "flow": "OpenCV DIS (medium preset), both directions, occlusion-aware blend",
            "flow_side": self.flow_side,
            "occlusion_px": OCCLUSION_PX,
            "frames_made": total,
            "dissolved": [],  # [first, last] known frames that showed different things (a cut)
        }
        hooks.start()
        done = 0

        def on_frame(_i: int, frame: np.ndarray) -> None:
            nonlocal done
            done += 1
            if hooks.wants_preview(done, total):
                hooks.preview(frame)
            hooks.step(done, total)  # raises Cancelled when the user cancelled

        def on_pair(p: int, q: int, pair: FramePair) -> None:
            if pair.unrelated:
                self.last_parameters["dissolved"].append([p, q])

        return fill_between_known(
            request.num_frames, known, on_frame=on_frame, on_pair=on_pair, flow_side=self.flow_side
        )


def frames_to_make(num_frames: int, known: dict[int, np.ndarray]) -> int:
    """How many frames fill_between_known will make (the progress total)."""
    return num_frames - len({p for p in known if 0 <= p < num_frames})
