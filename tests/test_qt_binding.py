"""The Qt binding we install must not leak or over-release Python's shared objects.

PySide6 6.12.0 under CPython 3.11 dropped a reference to None on every void call
(QPainter.setPen, QWidget.update, ...): after ~10,000 calls the interpreter aborted with
"Fatal Python error: none_dealloc". Run the same calls in a child process and check it survives.
"""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
img = QImage(64, 64, QImage.Format.Format_RGB32)
p = QPainter(img)
before = sys.getrefcount(None)
pen = QPen(QColor(1, 2, 3))
w = QWidget()
for _ in range(30000):
    p.setPen(pen); p.fillRect(0, 0, 4, 4, QColor(3, 4, 5)); w.update()
p.end()
print(sys.getrefcount(None) - before)
"""


def test_many_void_qt_calls_leave_none_alone():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-500:]
    assert abs(int(out.stdout.strip())) < 1000
