"""The benchmark prints its figures, not Qt's offscreen noise (a real run, in a fresh process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHOW_WINDOWS = """
from bench.common import quiet_qt_messages
quiet_qt_messages()
from PySide6.QtCore import Qt, qWarning
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow
app = QApplication([])
for _ in range(3):  # each shown window with a dock makes the offscreen platform complain
    window = QMainWindow()
    dock = QDockWidget("dock")
    dock.setWidget(QLabel("panel"))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.show()
    app.processEvents()
    dock.setFloating(True)  # a floating dock is raised: another line the offscreen platform prints
    app.processEvents()
    window.close()
qWarning("a real warning")
print("figure: 1")
"""


def test_the_bench_drops_qts_offscreen_platform_lines_and_keeps_real_warnings(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SHOTLINE_CONFIG_DIR": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, "-c", SHOW_WINDOWS], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["figure: 1"]
    assert "propagateSizeHints" not in out.stderr and "support raise()" not in out.stderr
    assert "a real warning" in out.stderr
