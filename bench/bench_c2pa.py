"""What signing an export's Content Credentials (C2PA) costs: signed vs unsigned export of the same cut.

The project is bench_export's: one 1080p clip of camera-like synthetic content (10 s; 2 s with
--quick), exported with preset ultrafast so the file is big for its encode time (signing hashes and
copies the whole file, so a bigger file is the harder case). Signed and unsigned exports run
interleaved in this process; the figure is the difference of their medians. The signing step
alone (hash, sign, embed, rename) is reported beside it from the export's own timing.

The signing certificate is made in a temporary config folder, never the user's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from statistics import median

from bench.bench_export import FPS, one_clip_project
from bench.common import Figure
from editor.media.export import ExportOptions, export_project

GOAL_S = 1.0


@contextmanager
def private_config(folder: Path):
    before = os.environ.get("SHOTLINE_CONFIG_DIR")
    os.environ["SHOTLINE_CONFIG_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SHOTLINE_CONFIG_DIR", None)
        else:
            os.environ["SHOTLINE_CONFIG_DIR"] = before


def measure(quick: bool) -> list[Figure]:
    seconds = 2 if quick else 10
    repeat = 2 if quick else 3
    count = seconds * FPS
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-c2pa-"))
    try:
        with private_config(work / "config"):
            root = work / "Bench.shotline"
            project, _ = one_clip_project(root, "Bench", "source.mp4", count)
            signed_opts = ExportOptions(preset="ultrafast")
            plain_opts = ExportOptions(preset="ultrafast", c2pa=False)
            from editor.media.c2pa_identity import load_identity

            t0 = time.perf_counter()
            load_identity()  # first use: makes the key and certificate
            first_use = time.perf_counter() - t0
            export_project(project, root, work / "warm.mp4", signed_opts)  # imports c2pa, warms the caches

            signed, plain, steps = [], [], []
            size = 0
            for _ in range(repeat):  # interleaved, so machine noise hits both
                t0 = time.perf_counter()
                export_project(project, root, work / "plain.mp4", plain_opts)
                plain.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                result = export_project(project, root, work / "signed.mp4", signed_opts)
                signed.append(time.perf_counter() - t0)
                if not result.signing.signed:
                    raise RuntimeError(result.signing.note())
                steps.append(result.signing.seconds)
                size = result.path.stat().st_size
        delta = median(signed) - median(plain)
        what = f"{seconds} s 1080p H.264 ultrafast, {size / 1e6:.0f} MB"
        return [
            Figure("c2pa_signing_added_s", delta, "s", f"<= {GOAL_S} ({what}; signed minus unsigned export)",
                   delta <= GOAL_S),
            Figure("c2pa_sign_step_s", median(steps), "s", "informative (hash, sign, embed, rename)", True),
            Figure("c2pa_first_use_s", first_use, "s", "informative (key and certificate made once)", True),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
