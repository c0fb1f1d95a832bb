"""The preview player: shows the cut at the playhead, plays it at project fps, scrubs, J/K/L, in/out marks.

Decoding happens in a decode thread (`FrameDecoder`, with the media layer's `CutReader`, frame
cache and decoder pool); the GUI thread only works out *what* is shown at a frame (a pure look-up
in the project) and paints the finished QImage. While one frame is being decoded, newer frame
requests only replace a single pending slot (napari's `_set_frame`): playback drops frames when
decoding can't keep up instead of lagging behind the playhead, and a scrub lands on the last
frame asked for. The playhead keeps time from a wall clock, so the cut plays at project fps.

Drafts appear as placeholder cards and missing media as "offline" cards: the cut reader draws
both. Any change to the document (a switched take, a new clip, a moved clip) shows at once.
A video with a preview proxy (`editor.media.proxies`, made by `editor.ui.proxy_builder`) is read
from the proxy, the original otherwise; `proxy_ready` switches a video to its new proxy.

Sound (`editor.ui.player.sound`): playing forwards at 1x, the mix plays and its clock leads (the
playhead shows the frame being heard, frames the decoder can't keep up with are dropped); other
rates are silent. Meters beside the transport show each channel's peak. Without a sound device
playback is silent and `notice` says so once.
"""

from __future__ import annotations

import functools
import itertools
import time
from dataclasses import dataclass

from PySide6.QtCore import (
    QCoreApplication,
    QMetaObject,
    QObject,
    QRectF,
    QSize,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from editor.document.copies import clone_clip
from editor.document.document import Change, Document
from editor.document.timecode import timecode
from editor.media.cut import CutReader, Shown
from editor.media.decoders import DecoderPool
from editor.media.frame_cache import FrameCache
from editor.ui.images import rgb_to_qimage
from editor.ui.player.compare import Compare, side_by_side, still_valid, take_shown
from editor.ui.player.meters import AudioMeter
from editor.ui.player.sound import SoundPlayer
from editor.ui.playhead import Playhead, play_end
from editor.ui.threads import gc_guard

# Frames are decoded at most this wide (keeping the project's aspect): the preview is a panel,
# and a 4K cut decoded at full size would only cost time that playback doesn't have.
PREVIEW_MAX_WIDTH = 960
PREVIEW_CACHE_BYTES = 192 * 1024 * 1024


@dataclass(frozen=True)
class FrameRequest:
    """One frame for the decode thread: what to show (clip copied, so no live object crosses)."""

    serial: int
    frame: int
    shown: Shown
    width: int
    height: int
    other: Shown | None = None  # A/B compare: the right-hand picture (`shown` is the left)


def preview_size(width: int, height: int, max_width: int = PREVIEW_MAX_WIDTH) -> tuple[int, int]:
    """The decode size for a project of width x height: its own, or scaled down to max_width."""
    if width <= max_width:
        return width, height
    return max_width, max(2, round(height * max_width / width))


class FrameDecoder(QObject):
    """Lives in the decode thread; turns FrameRequests into QImages."""

    decoded = Signal(int, int, QImage)  # serial, timeline frame, picture
    failed = Signal(int, int, str)

    def __init__(self, folder) -> None:
        super().__init__()
        self._folder = folder
        self._cache = FrameCache(PREVIEW_CACHE_BYTES)
        self._decoders = DecoderPool()
        self._readers: dict[tuple[int, int], CutReader] = {}

    @Slot(object)
    def decode(self, request: FrameRequest) -> None:
        try:
            reader = self._readers.get((request.width, request.height))
            if reader is None:
                from editor.document.project import Project

                # frame_for() never reads the project when the size is given; an empty one is enough
                reader = CutReader(Project(), self._folder, width=request.width, height=request.height,
                                   frame_cache=self._cache, decoders=self._decoders, use_proxies=True)
                self._readers[(request.width, request.height)] = reader
            rgb = reader.frame_for(request.shown)
            if request.other is not None:
                rgb = side_by_side(rgb, reader.frame_for(request.other))
            self.decoded.emit(request.serial, request.frame, rgb_to_qimage(rgb))
        except Exception as exc:  # a bad file must not kill playback; the card says what is wrong
            self.failed.emit(request.serial, request.frame, str(exc))

    @Slot(str)
    def forget(self, media: str) -> None:
        """`media` has a proxy now: close its decoder and drop frames read before (memory)."""
        self._decoders.discard(media)
        self._cache.clear()

    @Slot()
    def close(self) -> None:
        self._decoders.close()
        self._cache.clear()

    @Slot()
    def finish(self) -> None:
        """The last call on the decode thread: close the files, then end the thread."""
        self.close()
        thread = self.thread()
        if thread is not None:
            thread.quit()


class FrameView(QWidget):
    """Paints the current picture scaled to fit, on black."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.hint = ""  # drawn over the picture while there is nothing to play
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def set_hint(self, text: str) -> None:
        if text != self.hint:
            self.hint = text
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(480, 270)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0))
        if not self.image.isNull():
            iw, ih = self.image.width(), self.image.height()
            scale = min(self.width() / iw, self.height() / ih)
            w, h = iw * scale, ih * scale
            target = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale < 1)
            p.drawImage(target, self.image)
        if self.hint:
            p.setPen(QColor(150, 154, 162))
            p.drawText(self.rect().adjusted(24, 0, -24, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.hint)
        p.end()


class PreviewPanel(QWidget):
    """The cut at the playhead, with transport controls. See the module docstring."""

    _request = Signal(object)  # FrameRequest -> decode thread
    _forget = Signal(str)  # media with a new proxy -> decode thread
    frame_shown = Signal(int)  # a decoded frame is on screen (timeline frame)
    notice = Signal(str)  # a line for the status bar (said once: playback is silent here)

    def __init__(self, document: Document, playhead: Playhead, *, folder=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PreviewPanel")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.document = document
        self.playhead = playhead
        self._folder = folder if folder is not None else document.folder
        self._serial = itertools.count(1)
        self._in_flight: FrameRequest | None = None
        self._pending: int | None = None  # the newest frame asked for while one was decoding
        self._stale = False  # the document changed while a frame was decoding
        self.shown_frame: int | None = None
        self.comparing: Compare | None = None  # two takes side by side (compare_takes)
        self.requested = 0
        self.dropped = 0  # frame requests replaced before they were decoded

        self.view = FrameView()
        self.timecode = QLabel()
        self.timecode.setObjectName("PreviewTimecode")
        self.timecode.setStyleSheet("font-family: monospace;")
        self.marks = QLabel()
        self.marks.setStyleSheet("color: #aaa;")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_slider)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.back_button = self._button("J", "Play backwards; press again to go faster (J)", lambda: self.shuttle(-1))
        self.play_button = self._button("▶", "Play / pause (Space, K stops)", self.playhead.toggle_play)
        self.fwd_button = self._button("L", "Play forwards; press again to go faster (L)", lambda: self.shuttle(1))
        self.in_button = self._button("In", "Mark in at the playhead (I)", lambda: self.playhead.mark_in())
        self.out_button = self._button("Out", "Mark out at the playhead (O)", lambda: self.playhead.mark_out())

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for b in (self.back_button, self.play_button, self.fwd_button):
            bar.addWidget(b)
        bar.addWidget(self.timecode)
        self.meter = AudioMeter()
        bar.addWidget(self.meter)
        bar.addStretch(1)
        bar.addWidget(self.marks)
        bar.addWidget(self.in_button)
        bar.addWidget(self.out_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.compare_bar = QWidget()
        compare_row = QHBoxLayout(self.compare_bar)
        compare_row.setContentsMargins(4, 0, 4, 0)
        self.compare_label = QLabel()
        self.compare_label.setObjectName("PreviewCompare")
        compare_row.addWidget(self.compare_label, 1)
        self.use_a_button = self._button("Use A", "Make take A the shot's take", lambda: self._pick(0))
        self.use_b_button = self._button("Use B", "Make take B the shot's take", lambda: self._pick(1))
        self.end_compare_button = self._button("End Compare", "Show the cut again (Esc)", self.end_compare)
        for b in (self.use_a_button, self.use_b_button, self.end_compare_button):
            compare_row.addWidget(b)
        self.compare_bar.hide()
        layout.addWidget(self.compare_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.slider)
        layout.addLayout(bar)

        gc_guard.acquire()  # garbage is collected on the GUI thread while the decode thread runs
        # Parented, so Python never deletes a running thread at exit; `destroyed` (emitted before
        # children are deleted) stops it first.
        self._thread = QThread(self)
        self._thread.setObjectName("shotline-preview")
        self._decoder = FrameDecoder(self._folder)
        self._decoder.moveToThread(self._thread)
        self._request.connect(self._decoder.decode, Qt.ConnectionType.QueuedConnection)
        self._forget.connect(self._decoder.forget, Qt.ConnectionType.QueuedConnection)
        self._decoder.decoded.connect(self._on_decoded)
        self._decoder.failed.connect(self._on_failed)
        self._thread.start()
        # Stop the thread whatever ends first: the panel or the application. The application's
        # signal goes to a method, so Qt drops that connection with the panel (a partial would
        # outlive it and, at quit, reach a thread deleted with an earlier project's preview).
        self.destroyed.connect(functools.partial(_stop_decoder, self._thread, self._decoder))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._stop_on_quit)

        playhead.frame_changed.connect(self._on_frame)
        playhead.changed.connect(self._update_labels)
        playhead.playing_changed.connect(self._update_labels)
        self.sound = SoundPlayer(self._folder, self)
        self.sound.notice.connect(self.notice)
        self._meter_timer = QTimer(self)
        self._meter_timer.setInterval(33)
        self._meter_timer.timeout.connect(self._update_meter)
        playhead.changed.connect(self._sync_sound)
        playhead.sought.connect(self._restart_sound)
        self._unsubscribe = document.subscribe(self._on_document_changed)
        self._sync_length()
        self._update_labels()
        self.show_frame(playhead.frame)

    # --- public -------------------------------------------------------------------------------
    def shuttle(self, direction: int) -> None:
        """J (-1) / K (0) / L (+1) as in other editors: repeated J or L plays faster."""
        if direction == 0:
            self.playhead.pause()
        else:
            self.playhead.shuttle(direction)

    def show_frame(self, frame: int) -> None:
        """Ask for the cut's picture at `frame`; drops the previous request if it is still waiting."""
        self.requested += 1
        if self._in_flight is not None:
            if self._pending is not None:
                self.dropped += 1
            self._pending = frame
            return
        self._send(frame)

    def compare_takes(self, clip_id: str, take_a: str, take_b: str) -> None:
        """Play two takes of a shot side by side (A left, B right) from the shot's start."""
        compare = Compare(clip_id, take_a, take_b)
        project = self.document.project
        if not still_valid(project, compare) or take_a == take_b:
            return
        clip = project.find_clip(clip_id)[1]
        number = {t.id: i + 1 for i, t in enumerate(clip.takes)}
        self.comparing = compare
        self.compare_label.setText(f"Comparing {clip.name or 'the shot'}: A = take {number[take_a]}  |  "
                                   f"B = take {number[take_b]}")
        self.compare_bar.show()
        self.playhead.pause()
        self.playhead.set_frame(clip.start)
        self._refresh_now()

    def end_compare(self) -> None:
        if self.comparing is None:
            return
        self.comparing = None
        self.compare_bar.hide()
        self._refresh_now()

    def _pick(self, side: int) -> None:
        compare = self.comparing
        if compare is None:
            return
        from editor.document.edits import EditRefused, SwitchTake

        take = (compare.take_a, compare.take_b)[side]
        self.end_compare()
        try:
            self.document.request(SwitchTake(clip_id=compare.clip_id, take_id=take))
        except EditRefused as exc:
            self.notice.emit(str(exc))

    def _refresh_now(self) -> None:
        if self._in_flight is not None:
            self._stale = True
            self._pending = self.playhead.frame
        else:
            self._send(self.playhead.frame)

    def proxy_ready(self, media: str) -> None:
        """A preview proxy of `media` (a file path) was just made: show the playhead's frame from it."""
        self._forget.emit(str(media))
        if self._in_flight is not None:
            self._stale = True
            self._pending = self.playhead.frame
        else:
            self._send(self.playhead.frame)

    def wait_shown(self, timeout_ms: int = 5000) -> bool:
        """Turn the event loop until the frame asked for last is on screen (screenshots and
        tests); False when it did not come within `timeout_ms`."""
        deadline = time.monotonic() + timeout_ms / 1000
        while (self._in_flight is not None or self._pending is not None) and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            QThread.msleep(2)
        return self._in_flight is None and self._pending is None

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the decode thread (also done when the panel is destroyed or the app quits).

        wait=False (the window shows another project's preview): returns at once; the thread
        finishes the frame it is decoding, closes its files and ends, then the panel deletes
        itself."""
        self._unsubscribe()
        self._stop_sound()
        for signal, slot in ((self.playhead.changed, self._sync_sound), (self.playhead.sought, self._restart_sound)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        if wait or not self._thread.isRunning():
            _stop_decoder(self._thread, self._decoder)
            if not wait:
                self.deleteLater()
            return
        self._thread.finished.connect(self._thread_ended)  # queued here: this panel is a GUI-thread object
        QMetaObject.invokeMethod(self._decoder, "finish", Qt.ConnectionType.QueuedConnection)

    def _stop_on_quit(self) -> None:
        _stop_decoder(self._thread, self._decoder)

    def _thread_ended(self) -> None:
        gc_guard.release()  # _stop_decoder (on destroyed) finds the thread stopped and does nothing
        self.deleteLater()

    @property
    def image(self) -> QImage:
        return self.view.image

    # --- internals ----------------------------------------------------------------------------
    def _button(self, text: str, tip: str, fn) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(fn)
        return b

    def _send(self, frame: int) -> None:
        project = self.document.project
        w, h = preview_size(project.width, project.height)
        compare = self.comparing
        if compare is not None and still_valid(project, compare):
            shown = take_shown(project, self._folder, compare, compare.take_a, frame)
            other = take_shown(project, self._folder, compare, compare.take_b, frame)
            self._in_flight = FrameRequest(next(self._serial), frame, shown, w, h, other)
            self._stale = False
            self._request.emit(self._in_flight)
            return
        if compare is not None:  # its shot or a take went (undo, delete): back to the cut
            self.comparing = None
            self.compare_bar.hide()
        shown = _reader_for(project, self._folder).shown_at(frame)
        if shown.clip is not None:
            shown = Shown(shown.kind, None, clone_clip(shown.clip), shown.media, shown.source_frame, shown.refused)
        self._in_flight = FrameRequest(next(self._serial), frame, shown, w, h)
        self._stale = False
        self._request.emit(self._in_flight)

    def _on_decoded(self, serial: int, frame: int, image: QImage) -> None:
        if self._in_flight is None or serial != self._in_flight.serial:
            return
        self._in_flight = None
        self.view.set_image(image)
        self.shown_frame = frame
        self.frame_shown.emit(frame)
        self._next()

    def _on_failed(self, serial: int, frame: int, message: str) -> None:
        if self._in_flight is not None and serial == self._in_flight.serial:
            self._in_flight = None
            self.timecode.setToolTip(message)
            self._next()

    def _next(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and (pending != self.shown_frame or self._stale):
            self._send(pending)
        elif self._stale:
            self._send(self.playhead.frame)

    def _on_frame(self, frame: int) -> None:
        self.show_frame(frame)
        if self.slider.value() != frame:
            self.slider.blockSignals(True)
            self.slider.setValue(frame)
            self.slider.blockSignals(False)
        self._update_labels()

    def _on_slider(self, value: int) -> None:
        self.playhead.set_frame(value)

    def _on_document_changed(self, change: Change) -> None:
        self._sync_length()
        if self.sound.playing:
            self.sound.update_project(self.document.project)
        if self._in_flight is not None:
            self._stale = True  # the frame being decoded may show what was there before
            self._pending = self.playhead.frame
        else:
            self._send(self.playhead.frame)

    def _sync_length(self) -> None:
        end = play_end(self.document.project)
        self.view.set_hint("" if end else "Nothing to play yet: the cut is empty.")
        self.playhead.set_end(end)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, end - 1))
        self.slider.setValue(self.playhead.frame)
        self.slider.blockSignals(False)

    def _update_labels(self) -> None:
        fps = self.playhead.fps
        self.timecode.setText(timecode(self.playhead.frame, fps))
        rate = self.playhead.rate
        self.play_button.setText("❚❚" if rate else "▶")
        if rate not in (0, 1):
            self.timecode.setText(f"{self.timecode.text()}  {rate:+d}×")
        i, o = self.playhead.in_mark, self.playhead.out_mark
        parts = []
        if i is not None:
            parts.append(f"in {timecode(i, fps)}")
        if o is not None:
            parts.append(f"out {timecode(o - 1, fps)}")
        self.marks.setText("  ".join(parts))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        if key == Qt.Key.Key_J:
            self.shuttle(-1)
        elif key == Qt.Key.Key_K:
            self.shuttle(0)
        elif key == Qt.Key.Key_L:
            self.shuttle(1)
        elif key == Qt.Key.Key_Space:
            self.playhead.toggle_play()
        elif key == Qt.Key.Key_I:
            self.playhead.mark_in()
        elif key == Qt.Key.Key_O:
            self.playhead.mark_out()
        elif key == Qt.Key.Key_Left:
            self.playhead.step(-1)
        elif key == Qt.Key.Key_Right:
            self.playhead.step(1)
        elif key == Qt.Key.Key_Home:
            self.playhead.pause()
            self.playhead.set_frame(self.playhead.in_mark or 0)
        elif key == Qt.Key.Key_Escape and self.comparing is not None:
            self.end_compare()
        else:
            super().keyPressEvent(event)


    # --- sound --------------------------------------------------------------------------------
    def _sync_sound(self) -> None:
        """Sound plays while the playhead plays forwards at 1x; any other rate is silent."""
        wanted = self.playhead.rate == 1
        if wanted and not self.sound.playing and not self._meter_timer.isActive():
            self._start_sound(self.playhead.frame)
        elif not wanted and (self.sound.playing or self._meter_timer.isActive()):
            self._stop_sound()

    def _start_sound(self, frame: int) -> None:
        if self.sound.start(self.document.project, frame):
            self.playhead.clock = self.sound.frame  # the sound leads; the picture follows it
        self._meter_timer.start()

    def _restart_sound(self, frame: int) -> None:
        if self.sound.playing:
            self.sound.stop()
            self._start_sound(frame)

    def _stop_sound(self) -> None:
        self._meter_timer.stop()
        if self.playhead.clock == self.sound.frame:
            self.playhead.clock = None
        self.sound.stop()
        self.meter.reset()

    def _update_meter(self) -> None:
        self.meter.set_levels(*self.sound.levels())


def _reader_for(project, folder) -> CutReader:
    # shown_at() only reads the project: a light reader without cache or decoders of its own use
    return CutReader(project, folder, frame_cache=_NO_CACHE, decoders=_NO_DECODERS)


_NO_CACHE = FrameCache(0)
_NO_DECODERS = DecoderPool(0)


def _stop_decoder(thread: QThread, decoder: FrameDecoder) -> None:
    if not thread.isRunning():
        return
    thread.quit()
    thread.wait()  # a frame decode takes milliseconds; the panel is going away
    decoder.close()
    gc_guard.release()
