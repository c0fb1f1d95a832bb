"""Sound in the window and in export: waveform peaks of an hour, the GUI stall while they are
built, and an export with sound against one ffmpeg command doing the same mix.

- `waveform_1h_s`: the peaks of a 1-hour 48 kHz stereo WAV made with ffmpeg's sine source
  (`editor.media.peaks.load_or_compute`, cache write included), run on a background thread as
  the timeline runs it. Quick runs time 10 minutes and report six times that.
- `ui_waveform_max_stall_ms`: the longest gap of a 5 ms heartbeat on the GUI thread while a
  shown timeline, zoomed to fit, asks for the waveform of that file, waits for it and repaints
  with it (the work is on the background pool; the GIL is what could stall the GUI).
- `export_with_audio_vs_ffmpeg_ratio`: `export_project` of a 640x360 clip with its own sound (a
  linked audio clip) and music at -6 dB with 1 s fades on a second track, against one ffmpeg
  command mixing the same two sounds with its own filters (volume, afade, amix) and encoding
  the same frames with the same settings, the frames read already decoded from a file as in
  bench_export (so the figure is what Shotline adds to ffmpeg). An informative second ratio
  has ffmpeg decode the clip itself too.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path
from statistics import median

from bench.common import Figure, Heartbeat, run_loop
from editor.media.ffmpeg_bin import ffmpeg_exe

WAVEFORM_GOAL_S = 3.0
STALL_GOAL_MS = 50.0
EXPORT_GOAL = 1.15
HEARTBEAT_MS = 5
FPS = 24


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True,
                   stdin=subprocess.DEVNULL)


def sine_file(path: Path, seconds: int) -> Path:
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}", "-ac", "2",
            "-c:a", "pcm_s16le", str(path))
    return path


def waveform_seconds(root: Path, source: Path) -> float:
    """Seconds to compute and cache the peaks of `source`, on a thread that is not this one."""
    from editor.media.peaks import load_or_compute

    took: list[float] = []

    def work() -> None:
        t0 = time.perf_counter()
        load_or_compute(root, str(source))
        took.append(time.perf_counter() - t0)

    thread = threading.Thread(target=work, name="bench-waveform")
    thread.start()
    thread.join()
    return took[0]


def idle_stall_ms(ms: int = 1500) -> float:
    """The longest heartbeat gap (ms) with nothing to do: the machine's own noise, for scale."""
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    beat = Heartbeat(HEARTBEAT_MS)
    beat.start()
    run_loop(ms)
    beat.stop()
    return beat.max_ms()


def waveform_stall_ms(root: Path, source: Path, frames: int) -> float:
    """The longest GUI heartbeat gap (ms) while a timeline builds and shows `source`'s waveform."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from editor.document.document import Document
    from editor.document.project import AudioClip, AudioTrack, Project, Track
    from editor.media.peaks import load_or_compute
    from editor.ui.playhead import Playhead
    from editor.ui.selection import Selection
    from editor.ui.timeline import TimelineView
    from editor.ui.timeline.waveforms import WaveformProvider

    app = QApplication.instance() or QApplication([])
    project = Project(name="Bench", fps=Fraction(FPS), tracks=[Track(id="v1", name="V1")], audio_tracks=[
        AudioTrack(id="a1", name="A1", clips=[AudioClip(id="s", source=str(source), start=0, length=frames,
                                                        source_frames=frames, name="sine")])])
    document = Document(project, root)
    view = TimelineView(document, Selection(), Playhead())
    view.waveforms = WaveformProvider(lambda s: load_or_compute(root, s), parent=view)
    view.waveforms.ready.connect(view.viewport().update)
    beat = Heartbeat(HEARTBEAT_MS)
    try:
        view.resize(1400, 300)
        view.show()
        run_loop(200)  # shown, zoomed to fit: the first paint has asked for the waveform already
        view.waveforms.clear()
        beat.start()
        run_loop(50)
        QTimer.singleShot(0, view.viewport().repaint)  # asks again, from the event loop
        deadline = time.perf_counter() + 120
        while view.waveforms.get(str(source)) is None and time.perf_counter() < deadline:
            run_loop(50)
        for _ in range(10):  # repaints with the waveform (scrolling a little each time)
            view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 20)
            run_loop(30)
    finally:
        beat.stop()
        view.hide()
        view.deleteLater()
        app.processEvents()
    return beat.max_ms()


def _export_ratio(work: Path, seconds: int, repeat: int) -> tuple[float, float]:
    from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
    from editor.media.export import ExportOptions, encode_command, export_project
    from editor.media.video import iter_frames

    root = work / "Sound.shotline"
    (root / "media").mkdir(parents=True)
    src = root / "media" / "clip.mp4"
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=640x360:r={FPS}:d={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-g", str(FPS), "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "2", str(src))
    music = root / "media" / "music.wav"
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=523:sample_rate=48000:duration={seconds}", "-ac", "2", str(music))
    n = seconds * FPS
    fade = FPS  # 1 s
    project = Project(name="Sound", fps=Fraction(FPS), width=640, height=360,
                      tracks=[Track("v1", "V1", [Clip("c", 0, n, name="clip", takes=[Take("t", "media/clip.mp4", n)],
                                                      link="L")])],
                      audio_tracks=[
                          AudioTrack("a1", "A1", [AudioClip("s", "media/clip.mp4", 0, n, n, name="clip", link="L")]),
                          AudioTrack("a2", "A2", [AudioClip("m", "media/music.wav", 0, n, n, gain_db=-6.0,
                                                            fade_in=fade, fade_out=fade, name="music")]),
                      ])
    options = ExportOptions()
    raw = work / "frames.rgb"
    with raw.open("wb") as fh:
        for frame in iter_frames(src):
            fh.write(frame.tobytes())

    def ffmpeg_mixing(video_input: list[str], clip_input: int) -> list[str]:
        """The export's own encode command with `video_input` for its picture, also reading the
        clip's sound (input `clip_input`) and the music and mixing them by ffmpeg's filters."""
        cmd = encode_command(options, 640, 360, Fraction(FPS), {"title": "Sound"}, "SOURCE", work / "base.mp4")
        first = cmd.index("-f")
        cmd[first:cmd.index("SOURCE") + 1] = video_input
        extra = [] if clip_input == 0 else ["-i", str(src)]
        music_input = clip_input + 1
        mix = (f"[{clip_input}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a1];"
               f"[{music_input}:a]volume=-6dB,afade=t=in:st=0:d=1,afade=t=out:st={seconds - 1}:d=1,"
               "aformat=sample_fmts=fltp:channel_layouts=stereo[a2];"
               "[a1][a2]amix=inputs=2:normalize=0:duration=first[a]")
        at = cmd.index("-an")
        cmd[at:at + 1] = [*extra, "-i", str(music), "-filter_complex", mix, "-map", "0:v:0", "-map", "[a]",
                          "-c:a", "aac", "-b:a", "192k"]
        return cmd

    # as bench_export: the frames already decoded, from a file (what the pipeline adds to ffmpeg)
    from_frames = ffmpeg_mixing(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "640x360", "-framerate", str(FPS),
                                 "-i", str(raw)], 1)
    # and ffmpeg doing it all from the clip itself (decoding included)
    from_file = ffmpeg_mixing(["-i", str(src)], 0)

    def subject() -> None:
        export_project(project, root, work / "export.mp4", options)

    def run(cmd: list[str]) -> None:
        subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)

    ours, frames_base, file_base = [], [], []
    for _ in range(repeat):  # interleaved, so machine noise hits all three
        for times, fn in ((frames_base, lambda: run(from_frames)), (ours, subject),
                          (file_base, lambda: run(from_file))):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return median(ours) / median(frames_base), median(ours) / median(file_base)


def measure(quick: bool) -> list[Figure]:
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-sound-"))
    try:
        seconds = 600 if quick else 3600
        source = sine_file(work / "sine.wav", seconds)
        root = work / "Peaks.shotline"
        root.mkdir()
        took = waveform_seconds(root, source) * (3600 / seconds)
        stall_root = work / "Stall.shotline"
        stall_root.mkdir()
        stall = waveform_stall_ms(stall_root, source, seconds * FPS)
        idle = idle_stall_ms()
        export_seconds = 3 if quick else 10
        ratio, from_file = _export_ratio(work, export_seconds, 2 if quick else 3)
        scope = "10 min x6" if quick else "1 h"
        return [
            Figure("waveform_1h_s", round(took, 2), "s", f"< {WAVEFORM_GOAL_S:g} ({scope} 48 kHz stereo WAV, off the "
                   "GUI thread)", took < WAVEFORM_GOAL_S),
            Figure("ui_waveform_max_stall_ms", round(stall, 1), "ms", f"< {STALL_GOAL_MS:.0f} (while the waveform "
                   "is built and shown)", stall < STALL_GOAL_MS),
            Figure("ui_idle_max_stall_ms", round(idle, 1), "ms", "informative (the same heartbeat with nothing "
                   "to do: this machine's noise)", True),
            Figure("export_with_audio_vs_ffmpeg_ratio", round(ratio, 3), "x", f"<= {EXPORT_GOAL} ({export_seconds} s "
                   "640x360, two sounds mixed, vs one ffmpeg command mixing them and encoding the same "
                   "decoded frames)", ratio <= EXPORT_GOAL),
            Figure("export_with_audio_vs_ffmpeg_from_file_ratio", round(from_file, 3), "x", "informative (the "
                   "same, ffmpeg decoding the clip itself: adds the preview-grade decode path's cost)", True),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
