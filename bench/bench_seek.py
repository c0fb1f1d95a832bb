"""Preview seek speed: random frames of a 1080p H.264 clip, against decoding it front to back.

The clip is the export benchmark's synthetic camera-like content, encoded like a phone clip
(H.264 High, 1 s GOP, B-frames). A seek is `VideoReader.read(i)` on an open reader (the preview
keeps decoders open), at random positions; the baseline is the per-frame cost of decoding the
whole clip sequentially. Also measured: the same seeks through the clip's preview proxy (what
the preview reads once a proxy is made), and a seek in a 1080p lossless take (Ut Video, every
frame a keyframe), the format generated shots are stored in.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from pathlib import Path
from statistics import median

import numpy as np

from bench.bench_export import FPS, synth_frames, write_source_clip
from bench.common import Figure
from editor.media.proxies import build_proxy
from editor.media.takes import write_take
from editor.media.video import VideoReader

MEDIAN_GOAL_MS = 50.0
P95_GOAL_MS = 120.0


def _seek_times(path: Path, positions: list[int]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds (CPU: all of this process's threads) of each read."""
    with VideoReader(path) as reader:
        reader.read(0)
        wall, cpu = [], []
        for i in positions:
            t0, c0 = time.perf_counter(), time.process_time()
            reader.read(i)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        return wall, cpu


def _sequential_ms(path: Path) -> float:
    with VideoReader(path) as reader:
        t0 = time.perf_counter()
        n = sum(1 for _ in reader.iter_frames())
        return (time.perf_counter() - t0) * 1000 / n


def measure(quick: bool) -> list[Figure]:
    count = (4 if quick else 10) * FPS
    seeks = 15 if quick else 60
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-seek-"))
    try:
        clip = write_source_clip(work / "clip.mp4", count)
        rng = random.Random(7)
        positions = [rng.randrange(count) for _ in range(seeks)]
        times, cpu = _seek_times(clip, positions)
        sequential = _sequential_ms(clip)
        # every frame of a take is a keyframe: a seek is one decode. Positions 3 apart, each once,
        # so that no read is answered by the reader's ring of recently decoded frames.
        take_count = 24 if quick else 48
        take = write_take(work / "take.mkv", synth_frames(take_count), FPS)
        take_positions = list(range(0, take_count, 3))
        rng.shuffle(take_positions)
        take_times, _ = _seek_times(take, take_positions)
        # the same clip through its preview proxy (540p MJPEG, every frame a keyframe)
        (work / "cache").mkdir()
        proxy = build_proxy(work, clip)
        proxy_times, _ = _seek_times(proxy, positions)
        med, p95 = median(times), float(np.percentile(times, 95))
        return [
            Figure("seek_ms_median", med, "ms", f"< {MEDIAN_GOAL_MS:.0f} (1080p H.264, 1 s GOP)", med < MEDIAN_GOAL_MS),
            Figure("seek_ms_p95", p95, "ms", f"< {P95_GOAL_MS:.0f}", p95 < P95_GOAL_MS),
            # CPU time is the decoding work itself, whatever else the machine is doing
            Figure("seek_cpu_ms_median", median(cpu), "ms", "informative (all decoder threads)", True),
            Figure("seek_vs_sequential_ratio", med / sequential, "x",
                   f"informative (sequential decode {sequential:.1f} ms/frame)", True),
            Figure("seek_ms_median_proxy", median(proxy_times), "ms",
                   f"< {MEDIAN_GOAL_MS:.0f} (the clip's 540p preview proxy)", median(proxy_times) < MEDIAN_GOAL_MS),
            Figure("seek_ms_median_take", median(take_times), "ms", "informative (1080p lossless take, Ut Video)", True),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
