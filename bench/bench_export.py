"""Export speed: exporting a project of a 10 s 1080p clip vs the ffmpeg CLI encoding the same frames.

The project holds one source clip of synthetic but camera-like content (a drifting textured
background, moving shapes, grain), written first as H.264 at 1 s GOP like a phone clip. The
subject is `export_project` (decode the clip, render the cut, pipe RGB to ffmpeg). The baseline is
the same ffmpeg command (`encode_command`, identical codec settings) reading the already-decoded
raw RGB frames from a file: the ratio is what Shotline's pipeline costs on top of the encoder.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from statistics import median

import cv2
import numpy as np

from bench.common import Figure
from editor.document.project import Clip, Project, Take, Track
from editor.media.export import ExportOptions, encode_command, export_project
from editor.media.ffmpeg_bin import ffmpeg_exe
from editor.media.video import iter_frames

FPS = 24
GOAL = 1.15


def synth_frames(count: int, width: int = 1920, height: int = 1080, seed: int = 0):
    """Camera-like moving content: textured gradient background panning, shapes moving, grain."""
    rng = np.random.default_rng(seed)
    pad = 256
    yy, xx = np.mgrid[0 : height + pad, 0 : width + pad].astype(np.float32)
    background = np.stack([
        96 + 80 * np.sin(xx / 211.0) * np.cos(yy / 157.0),
        80 + 60 * np.cos(xx / 97.0 + yy / 301.0),
        110 + 90 * np.sin((xx + yy) / 403.0),
    ], axis=-1)
    background += rng.normal(0, 10, background.shape[:2])[..., None]  # fixed texture
    background = np.clip(cv2.GaussianBlur(background, (0, 0), 1.2), 0, 255).astype(np.uint8)
    grain = [rng.integers(-3, 4, (height, width, 1), dtype=np.int16) for _ in range(6)]
    for i in range(count):
        t = i / FPS
        ox = int(pad / 2 + pad / 2 * np.sin(t * 0.7))
        oy = int(pad / 2 + pad / 2 * np.cos(t * 0.5))
        frame = background[oy : oy + height, ox : ox + width].copy()
        cx, cy = int(width * (0.5 + 0.35 * np.sin(t))), int(height * (0.5 + 0.3 * np.cos(t * 1.3)))
        cv2.circle(frame, (cx, cy), 140, (230, 190, 60), -1, cv2.LINE_AA)
        x0 = int((t * 300) % (width + 400)) - 400
        cv2.rectangle(frame, (x0, height // 5), (x0 + 380, height // 5 + 220), (40, 90, 200), -1)
        cv2.putText(frame, f"{i:04d}", (60, height - 80), cv2.FONT_HERSHEY_SIMPLEX, 3, (250, 250, 250), 6)
        yield np.clip(frame.astype(np.int16) + grain[i % len(grain)], 0, 255).astype(np.uint8)


def write_source_clip(path: Path, count: int, width: int = 1920, height: int = 1080) -> Path:
    """The synthetic content as an H.264 file with a 1 s GOP and B-frames, like a phone clip."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", f"{width}x{height}", "-framerate", str(FPS), "-i", "pipe:0",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-g", str(FPS), "-pix_fmt", "yuv420p", str(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    for frame in synth_frames(count, width, height):
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("could not write the benchmark's source clip")
    return path


def one_clip_project(root: Path, name: str, media: str, count: int) -> tuple[Project, Path]:
    """A 1080p project folder at `root` whose one clip is `count` frames of synthetic content."""
    (root / "media").mkdir(parents=True)
    src = write_source_clip(root / "media" / media, count)
    project = Project(name=name, fps=Fraction(FPS), width=1920, height=1080, tracks=[
        Track("v1", "V1", [Clip("c", 0, count, name=name, takes=[Take("t", f"media/{media}", count)])]),
    ])
    return project, src


def measure(quick: bool) -> list[Figure]:
    seconds = 1 if quick else 10
    count = seconds * FPS
    # full: one interleaved pair (a 10 s 1080p encode takes ~40 s on 2 cores); quick: two pairs of
    # 1 s encodes, since a single short pair is mostly process start-up noise
    repeat = 2 if quick else 1
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-export-"))
    try:
        root = work / "Bench.shotline"
        project, src = one_clip_project(root, "Bench", "source.mp4", count)
        options = ExportOptions()  # the default: H.264, CRF 18, preset medium, project size and rate
        # the baseline reads the very frames the export shows, already decoded, from a file
        raw = work / "frames.rgb"
        with raw.open("wb") as fh:
            for frame in iter_frames(src):
                fh.write(frame.tobytes())
        cmd = encode_command(options, 1920, 1080, Fraction(FPS), {"title": "Bench"}, str(raw), work / "base.mp4")

        def subject() -> None:
            export_project(project, root, work / "export.mp4", options)

        def baseline() -> None:
            subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)

        ours, theirs = [], []
        for _ in range(repeat):  # interleaved, so machine noise hits both
            t0 = time.perf_counter()
            baseline()
            theirs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subject()
            ours.append(time.perf_counter() - t0)
        ratio = median(ours) / median(theirs)
        return [
            Figure("export_vs_ffmpeg_ratio", ratio, "x", f"<= {GOAL} ({seconds} s 1080p H.264 CRF 18 medium)",
                   ratio <= GOAL),
            Figure("export_fps", count / median(ours), "fps", "informative", True),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
