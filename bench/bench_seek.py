"""Preview seek speed: random frames of a 1080p H.264 clip in a project, as the preview fetches them.

The clip is the export benchmark's synthetic camera-like content, encoded like a phone clip
(H.264 High, 1 s GOP, B-frames), placed in a project folder. Its preview proxy is made the way
the editor makes it: by the window's `ProxyBuilder` (its own thread at the lowest CPU priority,
ffmpeg at nice 19), timed from opening the project until the builder is idle, and reported per
10 s of 1080p (`proxy_build_s_per_10s_1080p`; on a busy machine a proxy yields, so this is wall
time on an otherwise idle CPU at best).

`seek_ms_median` / `seek_ms_p95` are the preview's real fetch path: the preview panel's
`FrameDecoder` (CutReader with proxies, the preview's frame cache and decoder pool, fitted to the
960x540 preview size, turned into a QImage) asked for distinct random timeline frames, so no
answer comes from the cache. Measured in the same run: the same seeks straight from the original
file (`VideoReader.read`, no proxy: `seek_ms_median_direct`), the per-frame cost of decoding the
whole clip front to back (the baseline), and a seek in a 1080p lossless take (Ut Video, every
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

from bench.bench_export import FPS, one_clip_project, synth_frames
from bench.common import Figure
from editor.document.document import Document
from editor.document.storage import save_project
from editor.media.cut import CutReader
from editor.media.proxies import existing_proxy
from editor.media.takes import write_take
from editor.media.video import VideoReader

MEDIAN_GOAL_MS = 50.0
P95_GOAL_MS = 120.0
BUILD_TIMEOUT_S = 300


def _reader_times(path: Path, positions: list[int]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds (CPU: all of this process's threads) of each `VideoReader.read`."""
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


def _qt_app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _build_proxies_as_the_editor_does(document: Document) -> float:
    """Seconds from handing the project to a ProxyBuilder until it is idle (its proxies made)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from editor.ui.proxy_builder import ProxyBuilder

    _qt_app()
    builder = ProxyBuilder()
    loop = QEventLoop()
    builder.idle.connect(loop.quit)
    QTimer.singleShot(BUILD_TIMEOUT_S * 1000, loop.quit)
    try:
        t0 = time.perf_counter()
        builder.set_document(document)
        loop.exec()
        seconds = time.perf_counter() - t0
        if builder.failures or not builder.made:
            raise RuntimeError(f"the proxy was not made: {builder.failures or 'timed out'}")
        return seconds
    finally:
        builder.shutdown()
        builder.deleteLater()


def _preview_times(document: Document, frames: list[int]) -> list[float]:
    """Wall milliseconds of each frame fetched by the preview's own decoder (no thread hop)."""
    from editor.ui.player.preview import FrameDecoder, FrameRequest, preview_size

    _qt_app()
    project, folder = document.project, document.folder
    w, h = preview_size(project.width, project.height)
    where = CutReader(project, folder)  # what is shown at a frame: the panel's look-up
    decoder = FrameDecoder(folder)
    images, errors = [], []
    decoder.decoded.connect(lambda _serial, _frame, image: images.append(image))
    decoder.failed.connect(lambda _serial, frame, text: errors.append(f"frame {frame}: {text}"))
    try:
        decoder.decode(FrameRequest(0, 0, where.shown_at(0), w, h))  # the decoder opens as the panel shows
        times = []
        for serial, t in enumerate(frames, 1):
            t0 = time.perf_counter()
            decoder.decode(FrameRequest(serial, t, where.shown_at(t), w, h))
            times.append((time.perf_counter() - t0) * 1000)
        if errors or len(images) != len(frames) + 1:
            raise RuntimeError(f"the preview decoder did not answer every frame: {errors[:3]}")
        return times
    finally:
        decoder.close()


def measure(quick: bool) -> list[Figure]:
    seconds = 4 if quick else 10
    count = seconds * FPS
    seeks = 15 if quick else 60
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-seek-"))
    try:
        root = work / "Seek.shotline"
        project, clip = one_clip_project(root, "Phone", "phone.mp4", count)
        save_project(project, root)
        document = Document(project, root)
        # distinct positions: a repeated one would be answered by a cache, not by a seek
        positions = random.Random(7).sample(range(count), seeks)

        direct, direct_cpu = _reader_times(clip, positions)
        sequential = _sequential_ms(clip)
        build_s = _build_proxies_as_the_editor_does(document)
        assert existing_proxy(root, "media/phone.mp4") is not None
        preview = _preview_times(document, positions)
        # every frame of a take is a keyframe: a seek is one decode. Positions 3 apart, each once,
        # so that no read is answered by the reader's ring of recently decoded frames.
        take_count = 24 if quick else 48
        take = write_take(work / "take.mkv", synth_frames(take_count), FPS)
        take_positions = list(range(0, take_count, 3))
        random.Random(7).shuffle(take_positions)
        take_times, _ = _reader_times(take, take_positions)

        med, p95 = median(preview), float(np.percentile(preview, 95))
        direct_med, direct_p95 = median(direct), float(np.percentile(direct, 95))
        return [
            Figure("seek_ms_median", med, "ms",
                   f"< {MEDIAN_GOAL_MS:.0f} (preview fetch, 1080p H.264 1 s GOP, with its proxy)", med < MEDIAN_GOAL_MS),
            Figure("seek_ms_p95", p95, "ms", f"< {P95_GOAL_MS:.0f}", p95 < P95_GOAL_MS),
            Figure("proxy_build_s_per_10s_1080p", build_s * 10 / seconds, "s",
                   "informative (the editor's background builder, lowest CPU priority)", True),
            Figure("seek_ms_median_direct", direct_med, "ms",
                   f"informative (VideoReader on the original, no proxy; p95 {direct_p95:.0f} ms)", True),
            # CPU time is the decoding work itself, whatever else the machine is doing
            Figure("seek_cpu_ms_median_direct", median(direct_cpu), "ms", "informative (all decoder threads)", True),
            Figure("sequential_ms_per_frame", sequential, "ms", "baseline (decoding the clip front to back)", True),
            Figure("seek_vs_sequential_ratio", med / sequential, "x",
                   f"informative (direct: {direct_med / sequential:.1f}x)", True),
            Figure("seek_ms_median_take", median(take_times), "ms", "informative (1080p lossless take, Ut Video)", True),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
