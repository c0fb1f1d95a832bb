"""What the editor's first frame waits for: only what it shows (checked in a fresh process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FIRST_FRAME = """
import sys
from editor.ui.app import _app
app = _app()
from editor.ui.main_window import MainWindow
window = MainWindow(restore_layout=False, ask=False)
window.resize(1600, 1000)
window.show()
window.open_demo()
window.settle()
app.processEvents()
print("first frame:", "pyqtgraph" in sys.modules, window.monitor_panel.plots is not None)
window.monitor_panel._prewarm()  # what the panel does a few seconds in: pyqtgraph loads on a pool thread
import time
deadline = time.monotonic() + 60
while "pyqtgraph" not in sys.modules and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("loaded ahead:", "pyqtgraph" in sys.modules)
window.docks["monitor"].raise_()  # the user picks the Monitor tab
app.processEvents()
app.processEvents()
print("monitor tab:", window.monitor_panel.plots is not None)
from editor.ui.app import end_session
end_session(app, window)  # as the editor itself ends: nothing of Qt's left for the interpreter's exit
"""


def test_the_monitor_plots_are_made_when_their_tab_is_picked_not_for_the_first_frame(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SHOTLINE_CONFIG_DIR": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    # the Monitor tab starts behind the Inspector: neither pyqtgraph nor the plots are made for it
    assert "first frame: False False" in lines
    assert "loaded ahead: True" in lines
    assert "monitor tab: True" in lines
    assert "Traceback" not in out.stderr and "thread" not in out.stderr.lower(), out.stderr[-2000:]
