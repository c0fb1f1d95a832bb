"""Sync of sound and picture over a long export: does the sound drift away from the picture?

A 128x96 video at 30000/1001 fps with a white frame and a click at each whole second (made by
ffmpeg, `bench.sync_media`) goes into a 24 fps project with `new` (conformed, its sound linked
on A1) and is exported whole with `export`; the export is decoded again and each click paired
with its flash. 10 minutes in the full run, 1 minute with --quick.

- `audio_sync_drift_ms`: the worst |click - flash| minus the one frame of quantisation (a flash
  shows on the 24 fps frame that holds its instant, or the next, as the 29.97 fps frames fall),
  over the last 20 pairs against the same over the first 20: what the sound moved away from the
  picture between the start and the end beyond one frame. Goal <= 10 ms.
- `audio_click_drift_ms`: the same question without the frame quantisation: the picture's
  frames are stamped at exact multiples of 1/24 s, so each click should sit at its whole second
  in the export's sound; the mean of (click - whole second) over the last 20 clicks minus that
  over the first 20 (sample-exact). Goal <= 10 ms.
- `audio_sync_export_s`: informative, the export's wall time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

from bench.common import Figure
from bench.sync_media import clicks, flash_click_video, offsets

ROOT = Path(__file__).resolve().parents[1]
FRAME_MS = 1000 / 24
GOAL_MS = 10.0
PAIRS = 20


def _cli(*args: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"main.py {args[0]} failed: {done.stderr.strip()[-400:]}")


def measure(quick: bool) -> list[Figure]:
    seconds = 60 if quick else 600
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-sync-"))
    try:
        video = flash_click_video(work / "ntsc.mp4", "30000/1001", seconds)
        _cli("new", str(work / "Sync"), str(video), "--fps", "24", "--size", "128x96")
        out = work / "export.mp4"
        t0 = time.perf_counter()
        _cli("export", str(work / "Sync.shotline"), "-o", str(out), "--preset", "ultrafast")
        took = time.perf_counter() - t0
        found = offsets(out)
        if len(found) < 2 * PAIRS:
            raise RuntimeError(f"only {len(found)} click/flash pairs found in a {seconds} s export")
        def past_frame(pairs: list[tuple[float, float]]) -> float:
            return max(0.0, max(abs(o) for _, o in pairs) * 1000 - FRAME_MS)

        start, end = past_frame(found[:PAIRS]), past_frame(found[-PAIRS:])
        drift = abs(end - start)
        ticks = clicks(out)
        late = [(t - round(t)) * 1000 for t in ticks]
        click_drift = abs(mean(late[-PAIRS:]) - mean(late[:PAIRS]))
        scope = f"{seconds // 60} min 29.97 fps conformed to 24 fps, {len(found)} pairs"
        return [
            Figure("audio_sync_drift_ms", round(drift, 2), "ms", f"<= {GOAL_MS:g} ({scope}; worst |click - flash| "
                   f"past one frame: {start:.1f} ms at the start, {end:.1f} ms at the end)", drift <= GOAL_MS),
            Figure("audio_click_drift_ms", round(click_drift, 3), "ms", f"<= {GOAL_MS:g} (clicks against the exact "
                   f"seconds of the picture's frames, last {PAIRS} vs first {PAIRS})", click_drift <= GOAL_MS),
            Figure("audio_sync_export_s", round(took, 1), "s", f"informative ({scope}, 128x96, ultrafast)", True),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
