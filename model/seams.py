"""Seams between generated frames and the frames they continue: colour matching and cross-fades.

A model that continues a clip drifts in colour (repeated VAE encode/decode shifts it, and each
window samples its own noise), so a long shot made in windows would show a jump at every seam.
The new frames are matched to the context in CIELAB, per channel, by mean and standard deviation
(Reinhard et al., "Color transfer between images", 2001): cheap, stable over a whole window, and
it keeps contrast and texture. Frames made twice (a window's overlap with the previous one) are
cross-faded so the hand-over is gradual.

Frames are RGB uint8 arrays (height, width, 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

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
