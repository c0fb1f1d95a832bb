"""Speed and quality of the no-model interpolation engine on a 1280x720 panning scene."""

from __future__ import annotations

import time
from fractions import Fraction
from statistics import median

import cv2
import numpy as np

from bench.common import Figure
from model.engines.base import Hooks
from model.engines.interpolate import InterpolateEngine
from model.request import Action, Pin, Request

W, H = 1280, 720


def _scene(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A picture with detail at every scale, like a photograph."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((height, width, 3), np.float32)
    for cell in (128, 64, 32, 16, 8, 4):
        base = rng.standard_normal((height // cell + 2, width // cell + 2, 3)).astype(np.float32)
        up = cv2.resize(base, (width + 2 * cell, height + 2 * cell), interpolation=cv2.INTER_CUBIC)
        acc += cell * up[cell : cell + height, cell : cell + width]
    acc = (acc - acc.mean()) / acc.std() * 50 + 128
    return np.clip(acc, 0, 255).astype(np.uint8)


def _panning(n: int, dx: int) -> list[np.ndarray]:
    big = _scene(W + dx * n + 16, H + 16)
    return [big[8 : 8 + H, 8 + i * dx : 8 + i * dx + W].copy() for i in range(n)]


def measure(quick: bool) -> list[Figure]:
    gap = 24 if quick else 48
    n = gap + 2
    truth = _panning(n, dx=2)
    request = Request(
        Action.INFILL, n, Fraction(24), W, H,
        context=(Pin(0, (truth[0],), label="tail"), Pin(n - 1, (truth[-1],), label="head")),
    )
    engine = InterpolateEngine()
    times, frames = [], []
    for _ in range(1 if quick else 3):
        t0 = time.perf_counter()
        frames = engine.run(request, Hooks())
        times.append(time.perf_counter() - t0)
    fps = gap / median(times)

    # Quality against the baseline a user would otherwise get: a cross-fade of the two ends.
    def err(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())

    ours, fade = [], []
    for i in range(1, n - 1, max(1, gap // 6)):
        t = i / (n - 1)
        blend = cv2.addWeighted(truth[0], 1 - t, truth[-1], t, 0)
        ours.append(err(frames[i], truth[i]))
        fade.append(err(blend, truth[i]))
    ratio = float(np.mean(ours) / np.mean(fade))
    return [
        Figure("interpolate_fps_720p", fps, "frames/s", ">= 15 on a 2-core CPU", fps >= 15),
        Figure(
            "interpolate_error_vs_crossfade", ratio, "x",
            f"<= 0.2 (mean error {np.mean(ours):.2f} vs cross-fade {np.mean(fade):.2f}, {gap * 2} px pan)",
            ratio <= 0.2,
        ),
    ]


if __name__ == "__main__":
    for fig in measure(quick=False):
        print(fig.line())
