"""Preview proxies made in the background: the preview switches to them and the window never stalls."""

from __future__ import annotations

import shutil
import time
from fractions import Fraction

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QTimer

from editor.document.document import Document
from editor.document.edits import AddClip
from editor.document.project import Clip, Project, Take, Track
from editor.document.storage import save_project
from editor.media.proxies import existing_proxy
from editor.media.video import VideoReader
from editor.ui.player import PreviewPanel
from editor.ui.playhead import Playhead
from editor.ui.proxy_builder import ProxyBuilder

W, H, N = 1024, 576, 48  # taller than a proxy (540 lines): a 1080p-like clip, small enough to test fast
WAIT_MS = 20_000
H264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", "24", "-bf", "3", "-pix_fmt", "yuv420p"]


def _frames(n: int) -> list[np.ndarray]:
    """Camera-like content: a panning gradient with a texture, and a square that moves."""
    yy, xx = np.mgrid[0:H, 0 : W + 2 * n].astype(np.float32)
    base = np.stack([128 + 90 * np.sin(xx / 90), 110 + 80 * np.cos(yy / 70), 128 + 60 * np.sin((xx + yy) / 150)], -1)
    base = np.clip(base, 0, 255).astype(np.uint8)
    out = []
    for i in range(n):
        f = np.ascontiguousarray(base[:, 2 * i : 2 * i + W])
        x = 40 + 12 * i
        f[200:320, x : x + 120] = (240, 60, 40)
        out.append(f)
    return out


@pytest.fixture
def folder(tmp_path, encode_video):
    """A saved project with one 1024x576 H.264 clip (1 s GOP, B-frames) on its only track."""
    root = tmp_path / "Film.shotline"
    (root / "media").mkdir(parents=True)
    encode_video(_frames(N), "phone.mp4", args=H264).replace(root / "media" / "phone.mp4")
    project = Project(name="Film", fps=Fraction(24), width=W, height=H, tracks=[
        Track("v1", "V1", [Clip("a", 0, N, name="Phone", takes=[Take("ta", "media/phone.mp4", N)])]),
    ])
    save_project(project, root)
    return root


@pytest.fixture
def preview(qtbot, folder):
    from editor.document.storage import load_project

    doc = Document(load_project(folder), folder)
    panel = PreviewPanel(doc, Playhead(Fraction(24)))
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.shown_frame == 0, timeout=WAIT_MS)
    yield panel
    panel.shutdown()


@pytest.fixture
def builder():
    generating = [False]
    b = ProxyBuilder(generating=lambda: generating[0])
    b.generating = generating  # the test switches "a generation job runs" through this list
    b.messages = []
    b.message.connect(b.messages.append)
    yield b
    b.shutdown()
    b.deleteLater()


def _rgb(panel) -> np.ndarray:
    img = panel.image.convertToFormat(panel.image.Format.Format_RGB888)
    w, h = img.width(), img.height()
    return np.frombuffer(img.constBits(), np.uint8).reshape(h, img.bytesPerLine())[:, : 3 * w].reshape(h, w, 3).copy()


def _show(qtbot, panel, frame: int) -> np.ndarray:
    if panel.playhead.frame == frame:
        panel.show_frame(frame)
    panel.playhead.set_frame(frame)
    qtbot.waitUntil(lambda: panel.shown_frame == frame and panel._in_flight is None and panel._pending is None,
                    timeout=WAIT_MS)
    return _rgb(panel)


def _original(folder, frame: int, size: tuple[int, int]) -> np.ndarray:
    with VideoReader(folder / "media" / "phone.mp4") as reader:
        return cv2.resize(reader.read(frame), size, interpolation=cv2.INTER_AREA)


def _decoding(panel) -> list[str]:
    return panel._decoder._decoders.open_paths


class Heartbeat:
    """A 5 ms timer on the GUI thread; `ticks` are when the event loop let it fire."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def __enter__(self) -> Heartbeat:
        self.ticks.append(time.perf_counter())
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()



def test_opening_a_project_makes_proxies_in_the_background_and_the_preview_switches(qtbot, folder, preview, builder):
    builder.proxy_ready.connect(preview.proxy_ready)
    before = _show(qtbot, preview, 30)
    assert str(folder / "media" / "phone.mp4") in _decoding(preview)  # no proxy yet: the original
    with Heartbeat() as beat, qtbot.waitSignal(builder.idle, timeout=WAIT_MS):
        builder.set_document(preview.document)
    # the event loop kept turning while the proxy was made (a build on this thread: one tick);
    # how long its gaps are is bench's to measure, not a test's
    assert len(beat.ticks) > 10
    proxy = existing_proxy(folder, "media/phone.mp4")
    assert proxy is not None and proxy.parent == folder / "cache" / "proxies"
    assert builder.made == [str(folder / "media" / "phone.mp4")] and not builder.failures
    assert "Making preview proxies 1/1: phone.mp4" in builder.messages
    assert builder.messages[-1] == "Preview proxies ready (1 made)"
    # the preview reads the proxy now (the original's decoder is closed) and shows the same picture
    qtbot.waitUntil(lambda: _decoding(preview) == [str(proxy)], timeout=WAIT_MS)
    after = _show(qtbot, preview, 30)
    assert after.shape == before.shape == (540, 960, 3)
    original = _original(folder, 30, (960, 540))
    assert np.abs(after.astype(int) - original).mean() < 4
    assert np.abs(_show(qtbot, preview, 7).astype(int) - _original(folder, 7, (960, 540))).mean() < 4


def test_a_clip_added_later_gets_a_proxy_once_the_generation_job_ends(qtbot, folder, builder):
    doc = Document(Project(name="Film", fps=Fraction(24), width=W, height=H, tracks=[Track("v1", "V1")]), folder)
    builder.set_document(doc)
    assert not builder.busy  # nothing to make
    builder.generating[0] = True
    doc.request(AddClip(track_id="v1", clip=Clip("a", 0, N, name="Phone", takes=[Take("ta", "media/phone.mp4", N)])))
    qtbot.waitUntil(lambda: builder.busy and builder.paused, timeout=WAIT_MS)
    qtbot.wait(400)
    assert existing_proxy(folder, "media/phone.mp4") is None  # nothing made while the job runs
    with qtbot.waitSignal(builder.idle, timeout=WAIT_MS):
        builder.generating[0] = False
    assert existing_proxy(folder, "media/phone.mp4") is not None and not builder.paused


def test_deleting_the_cache_folder_is_harmless(qtbot, folder, preview, builder):
    builder.proxy_ready.connect(preview.proxy_ready)
    with qtbot.waitSignal(builder.idle, timeout=WAIT_MS):
        builder.set_document(preview.document)
    shutil.rmtree(folder / "cache")
    # the preview reads the original again, and shows the same picture
    shown = _show(qtbot, preview, 20)
    assert np.abs(shown.astype(int) - _original(folder, 20, (960, 540))).mean() < 4
    assert str(folder / "media" / "phone.mp4") in _decoding(preview)
    with qtbot.waitSignal(builder.idle, timeout=WAIT_MS):
        builder.scan()  # the next look makes it again
    assert existing_proxy(folder, "media/phone.mp4") is not None


def test_the_editor_window_makes_the_open_projects_proxies(qtbot, folder):
    from editor.ui.main_window import MainWindow

    window = MainWindow(restore_layout=False, ask=False)
    try:
        messages = []
        window.proxies.message.connect(messages.append)
        with qtbot.waitSignal(window.proxies.idle, timeout=WAIT_MS):
            assert window.open_project_path(folder)
        proxy = existing_proxy(folder, "media/phone.mp4")
        assert proxy is not None and "Preview proxies ready (1 made)" in messages
        qtbot.waitUntil(lambda: _decoding(window.preview) == [str(proxy)], timeout=WAIT_MS)
    finally:
        window.shutdown()
        window.deleteLater()
