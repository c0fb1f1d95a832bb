"""Pictures and waveforms a paint asks for start loading when the paint's turn is over.

A project's first paint asks for dozens of thumbnails and every sound's waveform. Loading them
is Python on pool threads; started during the paint, it shared the GIL and the two cores with
the rest of that paint, which then held the window longest of the whole open. Asked for in a
turn, they start at the next one; `wait()` (screenshots, tests) still gets everything asked for.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject

from editor.media.peaks import Peaks
from editor.ui import background
from editor.ui.timeline.thumbnails import ThumbnailProvider
from editor.ui.timeline.waveforms import WaveformProvider


def _picture(media: str, frame: int, height: int) -> np.ndarray:
    return np.full((height, height * 16 // 9, 3), frame % 255, np.uint8)


def test_thumbnails_asked_for_in_a_turn_start_loading_at_the_next(qtbot):
    owner = QObject()
    calls: list[int] = []
    provider = ThumbnailProvider(lambda m, f, h: calls.append(f) or _picture(m, f, h), threads=2, parent=owner)
    for frame in range(3):  # as a paint does
        assert provider.get("a.mp4", frame, 36) is None
    assert provider._pool.activeThreadCount() == 0 and calls == []  # nothing runs beside this turn
    qtbot.waitUntil(lambda: all(provider.cached("a.mp4", f, 36) is not None for f in range(3)))
    assert sorted(calls) == [0, 1, 2]
    provider.shutdown()


def test_waiting_for_thumbnails_gets_those_asked_for_in_the_same_turn():
    owner = QObject()
    provider = ThumbnailProvider(_picture, threads=2, parent=owner)
    provider.get("a.mp4", 4, 36)
    assert provider.wait(5000)
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.processEvents()  # the pictures' arrival is delivered on the GUI thread
    assert provider.cached("a.mp4", 4, 36) is not None
    provider.shutdown()


def test_waveforms_asked_for_in_a_turn_are_sent_to_the_pool_at_the_next(qtbot):
    owner = QObject()
    loaded = threading.Event()

    def loader(source: str) -> tuple[Peaks, bool]:
        loaded.set()
        return Peaks(np.zeros((4, 2), np.float32)), False

    provider = WaveformProvider(loader, parent=owner)
    in_flight = len(background._in_flight)
    assert provider.get("tone.wav") is None
    assert len(background._in_flight) == in_flight and not loaded.is_set()  # not handed to the pool yet
    qtbot.waitUntil(lambda: provider.get("tone.wav") is not None)
    assert loaded.is_set() and provider.pending == 0
