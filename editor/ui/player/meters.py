"""The preview's audio meters: the peak of each channel in dBFS, with a short peak hold.

Two thin bars (L above R) from -60 dBFS to 0, green, amber past -12, red past -3, as editors
draw them. The preview sets the levels ~30 times a second while sound plays (`set_levels`);
between updates the bars fall back at a fixed rate so they read as motion, not flicker.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0
FALL_DB = 1.5  # per update: the bar's fall when the sound gets quieter
HOLD_UPDATES = 30  # the peak mark stays this many updates (~1 s)


def fraction(db: float) -> float:
    """Where `db` sits on the meter, 0 (FLOOR_DB and below) .. 1 (0 dBFS)."""
    return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))


class AudioMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AudioMeter")
        self.levels = [FLOOR_DB, FLOOR_DB]
        self._holds = [FLOOR_DB, FLOOR_DB]
        self._hold_age = [0, 0]
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setToolTip("Sound level, left and right (dBFS)")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(120, 14)

    def set_levels(self, left: float, right: float) -> None:
        for i, db in enumerate((left, right)):
            self.levels[i] = max(db, self.levels[i] - FALL_DB)
            if db >= self._holds[i]:
                self._holds[i], self._hold_age[i] = db, 0
            else:
                self._hold_age[i] += 1
                if self._hold_age[i] > HOLD_UPDATES:
                    self._holds[i] = self.levels[i]
        self.update()

    def reset(self) -> None:
        self.levels = [FLOOR_DB, FLOOR_DB]
        self._holds = [FLOOR_DB, FLOOR_DB]
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor(20, 21, 24))
        bar_h = (h - 3) / 2
        for i in range(2):
            y = 1 + i * (bar_h + 1)
            level = fraction(self.levels[i])
            for start, end, colour in ((0.0, fraction(-12), QColor(60, 190, 110)),
                                       (fraction(-12), fraction(-3), QColor(232, 163, 61)),
                                       (fraction(-3), 1.0, QColor(229, 83, 75))):
                if level > start:
                    p.fillRect(QRectF(w * start, y, w * (min(level, end) - start), bar_h), colour)
            hold = fraction(self._holds[i])
            if hold > 0:
                p.fillRect(QRectF(w * hold - 1, y, 2, bar_h), QColor(230, 230, 230))
        p.setPen(Qt.PenStyle.NoPen)
        p.end()
