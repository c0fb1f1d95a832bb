"""Seams between generated frames and the frames they continue: colour matching and cross-fades.

A model that continues a clip drifts in colour (repeated VAE encode/decode shifts it, and each
window samples its own noise), so a long shot made in windows would show a jump at every seam.
The new frames are matched to the context in CIELAB, per channel, by mean and standard deviation
(Reinhard et al., "Color transfer between images", 2001): cheap, stable over a whole window, and
it keeps contrast and texture. Frames made twice (a window's overlap with the previous one) are
cross-faded so the hand-over is gradual.

`join_to_context` applies this to every engine call that continues known frames (extend,
infill, loop, each window of a long shot): the model's own version of the known frames, which
`model.engines.window.keep_known` keeps aside, is compared pixel for pixel with the known frames,
so its drift is measured exactly and undone by a fitted colour matrix; without one, the mean
colour of the frames either side of the seam is matched. The user's known frames stay bit-exact.

Frames are RGB uint8 arrays (height, width, 3).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from model.request import Action, Pin, Request

# A window's contrast is never stretched or squeezed more than this by the match: a larger gap
# means the content itself changed (a cut, a flash), which colour matching must not undo.
MAX_CONTRAST_CHANGE = 2.0
# Stats are taken on frames scaled so their longer side is at most this: colour statistics don't
# need every pixel, and matching a 720p window stays fast.
STATS_SIDE = 256


@dataclass(frozen=True)
class ColourStats:
    """Mean and standard deviation of L*, a*, b* over a run of frames."""

    mean: np.ndarray  # (3,) float32
    std: np.ndarray  # (3,) float32


def _lab(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame.astype(np.float32) * np.float32(1 / 255), cv2.COLOR_RGB2Lab)


def _small(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    scale = STATS_SIDE / max(h, w)
    if scale >= 1:
        return frame
    return cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def colour_stats(frames: Sequence[np.ndarray]) -> ColourStats:
    """The colour statistics of `frames` taken together."""
    if not frames:
        raise ValueError("Colour statistics need at least one frame.")
    lab = np.concatenate([_lab(_small(f)).reshape(-1, 3) for f in frames])
    return ColourStats(lab.mean(axis=0), lab.std(axis=0))


def match_colour(
    frames: Sequence[np.ndarray], source: ColourStats, target: ColourStats, *, amount: float = 1.0
) -> list[np.ndarray]:
    """Frames whose colours had the statistics `source`, moved to look like `target`.

    `amount` in [0, 1] applies the correction partly (1 = fully).
    """
    full = np.clip(target.std / np.maximum(source.std, 1e-3), 1 / MAX_CONTRAST_CHANGE, MAX_CONTRAST_CHANGE)
    # The full correction is x' = (x - mean_s) * full + mean_t; a partial one moves x that far
    # towards it: x' = x + amount * (full_correction(x) - x) = gain * x + offset.
    gain = 1.0 + amount * (full - 1.0)
    offset = amount * (target.mean - source.mean * full)
    gain32, offset32 = gain.astype(np.float32), offset.astype(np.float32)
    out = []
    for frame in frames:
        lab = _lab(frame) * gain32 + offset32
        lab[..., 0] = np.clip(lab[..., 0], 0.0, 100.0)
        rgb = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
        out.append(np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8))
    return out


def match_to_context(
    new: Sequence[np.ndarray], new_reference: Sequence[np.ndarray], context_reference: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """`new` frames colour-matched so that `new_reference` (part of them, or frames made with them)
    would look like `context_reference` (the frames they continue)."""
    return match_colour(new, colour_stats(new_reference), colour_stats(context_reference))


def crossfade(before: Sequence[np.ndarray], after: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The same span made twice, handed over gradually from `before` to `after`.

    Frame k of n takes (k + 1) / (n + 1) of `after`, so neither end is a hard switch.
    """
    if len(before) != len(after):
        raise ValueError("A cross-fade needs the same number of frames on both sides.")
    n = len(before)
    out = []
    for k, (a, b) in enumerate(zip(before, after, strict=True)):
        w = (k + 1) / (n + 1)
        out.append(cv2.addWeighted(a, 1.0 - w, b, w, 0.0))
    return out


def seam_jump(frames: Sequence[np.ndarray], seam: int) -> float:
    """How visible the seam before frame `seam` is: the change across it over the median change
    between neighbouring frames elsewhere (about 1 when it can't be seen)."""
    diffs = [float(np.abs(frames[i + 1].astype(np.int16) - frames[i]).mean()) for i in range(len(frames) - 1)]
    across = diffs[seam - 1]
    others = [d for i, d in enumerate(diffs) if i != seam - 1]
    return across / max(float(np.median(others)), 1e-6)


# --- joining a request's new frames to its context ------------------------------------------------

# Actions whose frames continue nothing: a generated shot has no context to match (its own
# keyframes are pinned as the model sees fit), and a restyle changes every frame on purpose.
UNJOINED_ACTIONS = (Action.GENERATE, Action.RESTYLE)
# Known frames compared with the model's version of them, nearest the seam first: enough for a
# stable fit, near enough that the drift measured is the drift there.
SEAM_REFERENCE_FRAMES = 8
# Frames compared on each side of a seam when the model's version is not known: neighbours show
# nearly the same thing only close to the seam (the camera and the subject move).
NEIGHBOUR_FRAMES = 4
# The model's version of the known frames measures its colour drift only when it shows the same
# picture (the correlation of the two pictures' brightness, 1 = same); below this the model
# redrew them (a loose condition, an untrained model) and the neighbours are compared instead.
SAME_PICTURE = 0.6
# Side of the thumbnails compared: colour drift is smooth over the picture, and averaging pixels
# keeps texture the model drew a little differently out of the fit.
PICTURE_SIDE = 64
# Frames over which a keyframe's own correction fades into that of the clip the frames continue.
SEAM_FADE_FRAMES = 8


@dataclass(frozen=True)
class ColourCorrection:
    """An affine colour correction in RGB, x' = matrix @ x + offset (values 0..255).

    A 3x3 matrix follows what a VAE round trip does to colour (a cast, contrast, saturation,
    channels leaking into each other). Two corrections mix linearly, the same as blending the two
    corrected pictures: that is how an infill's frames go from one clip's correction to the other's.
    """

    matrix: np.ndarray  # (3, 3) float32
    offset: np.ndarray  # (3,) float32

    @staticmethod
    def none() -> ColourCorrection:
        return ColourCorrection(np.eye(3, dtype=np.float32), np.zeros(3, np.float32))

    @staticmethod
    def fit(source: Sequence[np.ndarray], target: Sequence[np.ndarray]) -> ColourCorrection | None:
        """The correction that best turns each `source` frame into the `target` frame showing the same
        picture (least squares over their thumbnails); None when no sane one fits."""
        xs, ys = [], []
        for s, t in zip(source, target, strict=True):
            xs.append(_thumb(s).reshape(-1, 3))
            ys.append(_thumb(t).reshape(-1, 3))
        x, y = np.concatenate(xs).astype(np.float64), np.concatenate(ys).astype(np.float64)
        # Clipped pixels have lost their true value on one side: they would bend the fit.
        fine = ((x > 1) & (x < 254) & (y > 1) & (y < 254)).all(axis=1)
        if fine.sum() >= 16:
            x, y = x[fine], y[fine]
        a = np.hstack([x, np.ones((len(x), 1))])
        # A light pull towards "no change" keeps a flat picture (no spread to fit a matrix on) to
        # an offset, without biasing a picture that has one.
        ridge = np.diag([len(x), len(x), len(x), 0.0])
        prior = np.vstack([np.eye(3), np.zeros((1, 3))])
        solution = np.linalg.solve(a.T @ a + ridge, a.T @ y + ridge @ prior)  # (4, 3)
        matrix, offset = solution[:3].T, solution[3]
        gains = np.diag(matrix)
        if not np.all((gains > 1 / MAX_CONTRAST_CHANGE) & (gains < MAX_CONTRAST_CHANGE)):
            return None  # not a drift: the pictures differ in more than colour
        return ColourCorrection(matrix.astype(np.float32), offset.astype(np.float32))

    @staticmethod
    def mean_shift(source: Sequence[np.ndarray], target: Sequence[np.ndarray]) -> ColourCorrection:
        """The cast between two runs of frames showing different content, taken from their mean
        colours only (their spread of colours is the content's own)."""
        def mean(frames: Sequence[np.ndarray]) -> np.ndarray:
            return np.mean([_thumb(f).reshape(-1, 3).mean(axis=0) for f in frames], axis=0)

        return ColourCorrection(np.eye(3, dtype=np.float32), (mean(target) - mean(source)).astype(np.float32))

    def mix(self, other: ColourCorrection, t: float) -> ColourCorrection:
        """`t` of the way from this correction to `other`."""
        t32 = np.float32(t)
        return ColourCorrection(self.matrix + t32 * (other.matrix - self.matrix), self.offset + t32 * (other.offset - self.offset))

    @property
    def is_none(self) -> bool:
        return bool(np.all(self.matrix == np.eye(3)) and np.all(self.offset == 0.0))

    def shift_of(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        """How much this correction moves the mean colour of `frames` (R, G, B)."""
        mean = np.mean([_thumb(f).reshape(-1, 3).mean(axis=0) for f in frames], axis=0)
        return self.matrix @ mean + self.offset - mean

    def apply(self, frame: np.ndarray) -> np.ndarray:
        """The frame corrected; with no correction it is returned as it is (bit-exact)."""
        if self.is_none:
            return frame
        m = np.hstack([self.matrix, (self.offset + 0.5)[:, None]]).astype(np.float32)  # +0.5 rounds
        return np.clip(cv2.transform(frame.astype(np.float32), m), 0, 255).astype(np.uint8)


def _thumb(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    scale = min(1.0, PICTURE_SIDE / max(h, w))
    if scale >= 1:
        return frame
    return cv2.resize(frame, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class _Side:
    """How the new frames on one side of a run of known frames are matched to it."""

    at: int  # the seam lies just before this frame
    correction: ColourCorrection
    shift: np.ndarray  # (3,) the mean R, G, B change at the seam
    measured_on: str  # "model" (its own version of the known frames) or "neighbours"
    references: int  # known frames compared


@dataclass
class _Run:
    """Consecutive known frames [start, end) and the seams on either side of them."""

    start: int
    end: int
    before: _Side | None = None  # new frames before `start`
    after: _Side | None = None  # new frames from `end` on


def join_to_context(
    request: Request,
    frames: Sequence[np.ndarray],
    *,
    model_versions: dict[int, np.ndarray] | None = None,
    made_earlier: Collection[Pin] = (),
) -> tuple[list[np.ndarray], list[dict]]:
    """A request's frames with the new ones joined to the known frames they continue.

    Each run of frames pinned at full strength that touches new frames is a seam on that side.
    The new frames are colour-matched to it: the model's own version of the known frames
    (`model_versions`, position -> frame, else `frames.model_versions` as `keep_known` leaves
    it, else the frames at the pinned positions when the engine did not put the known ones back)
    against the known frames measures the model's drift exactly; without one, the new frames
    next to the seam are compared with the known frames next to it. New frames between two runs
    (an infill, a keyframe inside a gap) go linearly from one side's correction to the other's;
    new frames with context on one side only (an extend) take its correction in full.

    The known frames are returned untouched (the same arrays), except the pins in
    `made_earlier`: frames the model made in an earlier window of a long shot, which may be
    cross-faded into this call's colour-matched version of them, so the hand-over is gradual.
    Generate and restyle requests come back as they are. Returns the frames and a record of each
    seam (JSON-able).
    """
    n = request.num_frames
    if len(frames) != n:
        raise ValueError(f"{len(frames)} frames were made for a {n}-frame request.")
    out = list(frames)
    if request.action in UNJOINED_ACTIONS:
        return out, []
    known: dict[int, np.ndarray] = {}
    earlier: set[int] = set()
    for pin in request.context:
        if pin.strength >= 1.0:
            for i, frame in enumerate(pin.frames):
                known[pin.frame + i] = frame
                if any(pin is e for e in made_earlier):
                    earlier.add(pin.frame + i)
    for p, frame in known.items():
        out[p] = frame
    if not known or len(known) == n:
        return out, []
    versions = _model_versions(frames, known, model_versions)
    runs = _known_runs(known)
    for run in runs:
        if run.start > 0:
            run.before = _measure(frames, known, versions, run, side="before", runs=runs)
        if run.end < n:
            run.after = _measure(frames, known, versions, run, side="after", runs=runs)

    # The new frames between two runs go linearly from one side's correction to the other's.
    for left, right in zip(runs, runs[1:], strict=False):
        assert left.after is not None and right.before is not None  # runs are apart, so both seams exist
        lo, hi = left.end, right.start
        for p in range(lo, hi):
            t = (p - lo + 1) / (hi - lo + 1)
            out[p] = left.after.correction.mix(right.before.correction, t).apply(frames[p])
    # Frames beyond the last run (an extend forward) continue the clip at the request's start and
    # take its correction in full. When a keyframe sits nearer to them, they start from the
    # keyframe's correction and fade into the clip's over a few frames, so one picture doesn't
    # recolour the rest of the shot. The same going backward, from the clip at the request's end.
    first, last = runs[0], runs[-1]
    if last.after is not None:
        fade_to = None
        if last is not first:
            fade_to = first.after.correction if first.start == 0 and first.after else ColourCorrection.none()
        for p in range(last.end, n):
            out[p] = _faded(last.after.correction, fade_to, p - last.end + 1).apply(frames[p])
    if first.before is not None:
        fade_to = None
        if last is not first:
            fade_to = last.before.correction if last.end == n and last.before else ColourCorrection.none()
        for p in range(first.start):
            out[p] = _faded(first.before.correction, fade_to, first.start - p).apply(frames[p])

    # The known frames stay untouched, except those made earlier by the model: they are handed
    # over gradually into this call's colour-matched version of them, which weighs most next to
    # the new frames. Only where that version shows the same picture: two different ones would ghost.
    blended: set[int] = set()
    for run in runs:
        length = run.end - run.start
        for p in range(run.start, run.end):
            if p not in earlier or p not in versions:
                continue
            w_after = (p - run.start + 1) / (length + 1) if run.after else 0.0
            w_before = (run.end - p) / (length + 1) if run.before else 0.0
            side = run.after if w_after >= w_before else run.before
            w = max(w_after, w_before)
            if side is None or side.measured_on != "model" or w <= 0.0:
                continue
            theirs = side.correction.apply(versions[p])
            out[p] = cv2.addWeighted(known[p], 1.0 - w, theirs, w, 0.0)
            blended.add(side.at)
    return out, [_describe(side, blended) for run in runs for side in (run.before, run.after) if side]


def _faded(near: ColourCorrection, far: ColourCorrection | None, distance: int) -> ColourCorrection:
    """`near` at the seam, becoming `far` over SEAM_FADE_FRAMES frames (None: `near` throughout)."""
    if far is None:
        return near
    return near.mix(far, min(1.0, distance / (SEAM_FADE_FRAMES + 1)))


def _model_versions(
    frames: Sequence[np.ndarray], known: dict[int, np.ndarray], given: dict[int, np.ndarray] | None
) -> dict[int, np.ndarray]:
    """What the model made at the known positions, where that is known."""
    versions = dict(given if given is not None else getattr(frames, "model_versions", None) or {})
    for p, frame in known.items():
        made = frames[p]
        if p not in versions and made is not frame and not np.array_equal(made, frame):
            versions[p] = made  # the engine left its own version in place
    return {p: f for p, f in versions.items() if p in known}


def same_picture(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> bool:
    """Whether two runs of frames show the same pictures, whatever their colours."""
    return min(_correlation(x, y) for x, y in zip(a, b, strict=True)) >= SAME_PICTURE


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    def grey(frame: np.ndarray) -> np.ndarray:
        g = cv2.cvtColor(_thumb(frame), cv2.COLOR_RGB2GRAY).astype(np.float32)
        return g - g.mean()

    x, y = grey(a), grey(b)
    norm = float(np.sqrt((x * x).sum() * (y * y).sum()))
    # Two flat pictures show the same (nothing); one flat and one not don't.
    return float((x * y).sum()) / norm if norm > 1e-6 else float(np.array_equal(x, y))


def _known_runs(known: dict[int, np.ndarray]) -> list[_Run]:
    runs: list[_Run] = []
    for p in sorted(known):
        if runs and runs[-1].end == p:
            runs[-1].end = p + 1
        else:
            runs.append(_Run(p, p + 1))
    return runs


def _measure(
    frames: Sequence[np.ndarray],
    known: dict[int, np.ndarray],
    versions: dict[int, np.ndarray],
    run: _Run,
    *,
    side: str,
    runs: list[_Run],
) -> _Side:
    """The correction for the new frames on `side` of `run`, and how it was found."""
    after = side == "after"
    at = run.end if after else run.start
    m = min(SEAM_REFERENCE_FRAMES, run.end - run.start)
    ref = range(run.end - m, run.end) if after else range(run.start, run.start + m)  # nearest the seam
    if all(p in versions for p in ref):
        made, real = [versions[p] for p in ref], [known[p] for p in ref]
        correction = ColourCorrection.fit(made, real) if same_picture(made, real) else None
        if correction is not None:
            return _Side(at, correction, correction.shift_of(made), "model", len(ref))
    # The new frames next to the seam (up to the next known frame) against the known ones.
    m = min(NEIGHBOUR_FRAMES, run.end - run.start)
    if after:
        stop = min([r.start for r in runs if r.start >= run.end] + [len(frames)])
        new, ref = range(run.end, min(stop, run.end + m)), range(run.end - m, run.end)
    else:
        stop = max([r.end for r in runs if r.end <= run.start] + [0])
        new, ref = range(max(stop, run.start - m), run.start), range(run.start, run.start + m)
    made = [frames[p] for p in new]
    correction = ColourCorrection.mean_shift(made, [known[p] for p in ref])
    return _Side(at, correction, correction.offset, "neighbours", len(ref))


def _describe(side: _Side, blended: set[int]) -> dict:
    return {
        "at": side.at,
        "kind": "colour+blend" if side.at in blended else "colour",
        "measured_on": side.measured_on,
        "references": side.references,
        "shift": [round(float(v), 2) for v in side.shift],  # mean R, G, B change
        "matrix": [[round(float(v), 4) for v in row] for row in side.correction.matrix],
    }
