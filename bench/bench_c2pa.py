"""What signing an export's Content Credentials (C2PA) costs: signed vs unsigned export of the same cut.

The project is bench_export's: one 1080p clip of camera-like synthetic content (10 s; 2 s with
--quick), exported with preset ultrafast so the file is big for its encode time (signing hashes and
copies the whole file, so a bigger file is the harder case). Signed and unsigned exports run
interleaved in this process. The figure with the goal is what signing adds inside the signed
export, timed there: preparing (certificate, manifest) plus the signing step (hash, sign, embed,
rename). On a shared machine the two exports' wall times differ by seconds of noise, so their
difference (best of each) is printed beside it as a check, not as the figure.

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

            signed, plain, added = [], [], []
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
                added.append(result.signing.prepare_seconds + result.signing.seconds)
                size = result.path.stat().st_size
        cost = median(added)
        what = f"{seconds} s 1080p H.264 ultrafast, {size / 1e6:.0f} MB"
        return [
            Figure("c2pa_signing_added_s", cost, "s", f"<= {GOAL_S} ({what}; prepare + sign inside the export)",
                   cost <= GOAL_S),
            Figure("c2pa_signed_minus_unsigned_s", min(signed) - min(plain), "s",
                   "informative (best signed export minus best unsigned; machine noise included)", True),
            Figure("c2pa_signed_vs_unsigned_ratio", min(signed) / min(plain), "x", "informative", True),
            Figure("c2pa_first_use_s", first_use, "s", "informative (key and certificate made once)", True),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
