"""Editor window figures: timeline repaint with 1,000 clips, start-up time, torch-free start, idle memory.

- timeline_1000_paint_ms: a full repaint of the timeline view (1600x420) showing a project of
  1,000 clips on 4 tracks, zoomed to fit (every clip on screen), median of repeated repaints.
- timeline_1000_paint_zoomed_ms: the same project at a working zoom, where clips show their
  filmstrips (thumbnails already in memory) and names.
- startup_s: wall time of `python main.py screenshot DEMO` (start, open the demo, render, write
  a PNG, exit); startup_over_python_s subtracts `python -c pass` measured in the same run. A
  second start, as users see it: the first run fills the thumbnail cache and writes the
  modules' bytecode (into the run's own pycache folder, even where PYTHONDONTWRITEBYTECODE is
  set, which would otherwise make every start compile every module from source).
- startup_imports_torch: 1 when torch (or diffusers/transformers) was imported (`-X importtime`).
- idle_rss_mb: resident memory of the editor with the demo open, idle.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, quiet_qt_messages

ROOT = Path(__file__).resolve().parents[1]


def _paint_figures(quick: bool) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from editor.document.document import Document
    from editor.document.samples import sample_project
    from editor.ui.playhead import Playhead
    from editor.ui.selection import Selection
    from editor.ui.theme import apply_theme
    from editor.ui.timeline import TimelineView
    from editor.ui.timeline.thumbnails import ThumbnailProvider

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    project = sample_project(tracks=4, clips_per_track=250)
    assert sum(len(t.clips) for t in project.tracks) == 1000

    def picture(media: str, frame: int, height: int) -> np.ndarray:
        # a real RGB picture per (media, frame), so painting blits real pixmaps
        w = round(height * 16 / 9)
        img = np.zeros((height, w, 3), np.uint8)
        img[..., 0] = (frame * 7) % 255
        img[..., 1] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
        img[..., 2] = hash(media) % 255
        return img

    thumbs = ThumbnailProvider(picture)
    selection, playhead = Selection(), Playhead()
    view = TimelineView(Document(project), selection, playhead, thumbnails=thumbs)
    view.resize(1600, 420)
    view.show()
    app.processEvents()
    selection.set_clips([project.tracks[1].clips[3].id])
    repeat = 15 if quick else 60

    def median_repaint_ms() -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            view.viewport().repaint()
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    view.zoom_to_fit()
    app.processEvents()
    fit_ms = median_repaint_ms()
    view.set_zoom(6.0)
    view.horizontalScrollBar().setValue(int(view.geo.px_per_frame * 6000))
    for _ in range(3):  # let the thumbnails of this stretch load, as they would in use
        view.viewport().repaint()
        thumbs.wait(10000)
        app.processEvents()
    zoomed_ms = median_repaint_ms()
    thumbs.shutdown()
    view.close()
    view.deleteLater()
    app.processEvents()
    return [
        Figure("timeline_1000_paint_ms", round(fit_ms, 2), "ms", "< 16", fit_ms < 16),
        Figure("timeline_1000_paint_zoomed_ms", round(zoomed_ms, 2), "ms", "< 16", zoomed_ms < 16),
    ]


def _run(args: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return time.perf_counter() - t0, out


RSS_CODE = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from editor.ui.theme import apply_theme
app = QApplication([])
apply_theme(app)
from editor.ui.main_window import MainWindow
w = MainWindow(restore_layout=False, ask=False)
w.resize(1600, 1000)
w.show()
w.open_demo()
w.settle()
for _ in range(20):
    app.processEvents()
rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]
print(int(rss) / 1024)
w.shutdown()
"""


def _process_figures(quick: bool) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SHOTLINE_CONFIG_DIR": str(Path(tmp) / "cfg"),
               "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        shot = [sys.executable, "main.py", "screenshot", "DEMO", "-o", str(Path(tmp) / "shot.png")]
        _run(shot, env)  # first run copies the demo, fills the thumbnail cache, compiles: the rest are second starts
        n = 2 if quick else 5
        starts, bases = [], []
        for _ in range(n):
            bases.append(_run([sys.executable, "-c", "pass"], env)[0])
            wall, out = _run(shot, env)
            if out.returncode != 0:
                raise RuntimeError(f"screenshot failed: {out.stderr[-500:]}")
            starts.append(wall)
        start = statistics.median(starts)
        base = statistics.median(bases)
        _, imports = _run([sys.executable, "-X", "importtime", *shot[1:]], env)
        heavy = any(line.split("|")[-1].strip().split(".")[0] in ("torch", "diffusers", "transformers")
                    for line in imports.stderr.splitlines() if line.startswith("import time:"))
        _, rss_out = _run([sys.executable, "-c", RSS_CODE], env)
        if rss_out.returncode != 0:
            raise RuntimeError(f"idle memory run failed: {rss_out.stderr[-500:]}")
        rss = float(rss_out.stdout.strip().splitlines()[-1])
    return [
        Figure("startup_s", round(start, 3), "s", "< 2", start < 2),
        Figure("startup_over_python_s", round(start - base, 3), "s", f"python -c pass took {base:.3f} s", True),
        Figure("startup_imports_torch", int(heavy), "bool", "0 (false)", not heavy),
        Figure("idle_rss_mb", round(rss, 1), "MB", "< 400", rss < 400),
    ]


def measure(quick: bool) -> list[Figure]:
    return _paint_figures(quick) + _process_figures(quick)


if __name__ == "__main__":
    quiet_qt_messages()
    for fig in measure("--quick" in sys.argv):
        print(fig.line())
