"""Test hygiene: offscreen Qt, settings kept away from the user's, warnings from our code are errors."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path_factory, monkeypatch):
    """Never touch the user's real settings, recent list or Hugging Face cache."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SHOTLINE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    yield


# --- tiny random-weight model folders (tests/tiny_models.py), built once per session ---


@pytest.fixture(scope="session")
def tiny_ltx_dir(tmp_path_factory):
    """A tiny LTXConditionPipeline saved as a local diffusers folder (frames 8k+1, sides % 32)."""
    from tiny_models import build_tiny_ltx_condition

    return build_tiny_ltx_condition(tmp_path_factory.mktemp("models") / "tiny-ltx-condition")


@pytest.fixture(scope="session")
def tiny_ltx2_dir(tmp_path_factory):
    """A tiny LTX2ConditionPipeline (picture and sound) saved as a local diffusers folder."""
    from tiny_models import build_tiny_ltx2

    return build_tiny_ltx2(tmp_path_factory.mktemp("models") / "tiny-ltx2")


@pytest.fixture(scope="session")
def tiny_wan_vace_dir(tmp_path_factory):
    """A tiny WanVACEPipeline saved as a local diffusers folder (frames 4k+1, sides % 16)."""
    from tiny_models import build_tiny_wan_vace

    return build_tiny_wan_vace(tmp_path_factory.mktemp("models") / "tiny-wan-vace")


# --- a real project folder with two video clips and a gap (generation and preview tests) ---


def _moving_square_frames(count: int, width: int, height: int, colour: tuple[int, int, int], start: int = 0):
    import numpy as np

    frames = []
    for i in range(start, start + count):
        f = np.full((height, width, 3), 30, np.uint8)
        x = (i * 3) % max(1, width - 12)
        f[height // 3: height // 3 + 12, x: x + 12] = colour
        frames.append(f)
    return frames


@pytest.fixture
def gap_document(tmp_path):
    """A Document in a real project folder, 64x64 at 24 fps: clip "a" [0,24) and clip "b" [34,58)
    on track "v1", each showing a lossless take of a moving square, with a 10-frame gap between."""
    from fractions import Fraction

    from editor.document.document import Document
    from editor.document.project import Clip, Project, ShotSettings, Take, Track
    from editor.media.takes import write_take

    folder = tmp_path / "Gap.shotline"
    (folder / "media").mkdir(parents=True)
    write_take(folder / "media" / "a.mkv", _moving_square_frames(24, 64, 64, (230, 40, 40)), 24)
    write_take(folder / "media" / "b.mkv", _moving_square_frames(24, 64, 64, (40, 40, 230), start=40), 24)
    project = Project(name="Gap", fps=Fraction(24), width=64, height=64, tracks=[
        Track(id="v1", name="V1", clips=[
            Clip(id="a", start=0, length=24, name="A", takes=[Take(id="ta", media="media/a.mkv", frames=24)],
                 shot=ShotSettings(prompt="a red square moves", seed=1)),
            Clip(id="b", start=34, length=24, name="B", takes=[Take(id="tb", media="media/b.mkv", frames=24)],
                 shot=ShotSettings(prompt="a blue square moves", seed=2)),
        ]),
    ])
    return Document(project, folder)


# --- media files written with the real ffmpeg CLI (editor/media tests) ---


@pytest.fixture
def gap_window(qtbot, gap_document):
    """The main window, 1200x800 and active, with `gap_document` saved and open; closed without
    asking afterwards."""
    from editor.document.storage import save_project
    from editor.ui.main_window import MainWindow

    save_project(gap_document.project, gap_document.folder)
    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1200, 800)
    w.show()
    assert w.open_project_path(gap_document.folder)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    yield w
    w.ask_save_changes = lambda: "discard"
    w.close()


@pytest.fixture
def encode_video(tmp_path):
    """encode_video(frames, name="clip.mp4", fps=24, args=(...)) -> Path: RGB uint8 frames encoded
    by the ffmpeg CLI (H.264 yuv420p with B-frames and a keyframe every 8 frames unless `args`)."""
    import subprocess

    import numpy as np

    from editor.media.ffmpeg_bin import ffmpeg_exe

    def encode(frames, name="clip.mp4", fps=24, args=None):
        frames = np.stack(frames)
        n, h, w = frames.shape[:3]
        out = tmp_path / name
        args = list(args) if args is not None else [
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", "8", "-bf", "3", "-pix_fmt", "yuv420p"]
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{w}x{h}", "-framerate", str(fps), "-i", "pipe:0", *args, str(out)]
        subprocess.run(cmd, input=frames.tobytes(), check=True, capture_output=True)
        return out

    return encode


# --- Qt hygiene and editor-window projects (tests/test_ui_window*, timeline, storyboard, inspector) ---


@pytest.fixture(autouse=True)
def _no_leaked_windows():
    """A test that leaves a top-level window open fails; the window is closed so others don't see it."""
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    leaked = [w for w in app.topLevelWidgets() if w.isVisible()]
    for w in leaked:
        w.hide()
        w.deleteLater()
    app.processEvents()
    if leaked:
        pytest.fail("test left windows open: " + ", ".join(w.objectName() or type(w).__name__ for w in leaked))


DEMO_MEDIA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "resources", "demo", "Demo.shotline", "media")


@pytest.fixture
def make_session(qtbot):
    """make_session(settings=None, **kwargs) -> a ProjectSession as a window holds one, without
    the window. Each is closed and deleted on the GUI thread at the end, while the test still
    holds it: left to Python, its last reference can go on a worker thread, and its autosave
    timer then fires on freed memory (a segfault in QTimerInfoList::activateTimers)."""
    from editor.ui.project_session import ProjectSession
    from editor.ui.settings import Settings

    made = []

    def make(settings=None, **kwargs):
        session = ProjectSession(settings if settings is not None else Settings(), **kwargs)
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()
        session.deleteLater()
    qtbot.wait(0)


@pytest.fixture
def make_dialog(qtbot, ui_document, make_session):
    """make_dialog(marks=None) -> ExportDialog on a session holding the ui_document project."""
    from editor.ui.export_dialog import ExportDialog
    from editor.ui.playhead import Playhead
    from editor.ui.settings import Settings

    made = []

    def make(marks: tuple[int, int] | None = None) -> ExportDialog:
        settings = Settings()
        session = make_session(settings)
        session.open(ui_document.folder)
        playhead = Playhead(session.document.project.fps)
        playhead.set_end(session.document.project.duration)
        if marks is not None:
            playhead.mark_in(marks[0])
            playhead.mark_out(marks[1] - 1)  # mark_out takes the last frame shown
        dialog = ExportDialog(session, playhead, settings)
        dialog._keep = (session, playhead)  # the dialog's inputs live as long as it does
        made.append(dialog)
        dialog.open_for_export()
        qtbot.waitExposed(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.shutdown()
        dialog.hide()
        dialog.deleteLater()


@pytest.fixture
def window(qtbot, ui_document):
    """The main window, 1400x900, with `ui_document` open; closed without asking afterwards.
    A test file that needs another project, size or teardown defines its own `window`."""
    from editor.ui.main_window import MainWindow

    w = MainWindow(restore_layout=False, ask=False)
    w.resize(1400, 900)
    w.show()
    assert w.open_project_path(ui_document.folder)
    qtbot.waitExposed(w)
    yield w
    w.ask_save_changes = lambda: "discard"
    w.close()


@pytest.fixture
def ui_document(tmp_path):
    """A saved project folder for UI tests, 640x360 at 24 fps, tracks top to bottom:
    V2 (empty) and V1 = video "A" [0,72) (sunrise.mp4), a gap [72,96), draft "Boat" [96,168)
    with a keyframe at offset 0, still "Lake" [168,216) and video "City" [216,288) with two takes."""
    import shutil
    from fractions import Fraction

    from editor.document.document import Document
    from editor.document.project import Clip, Keyframe, Project, ShotSettings, Take, Track
    from editor.document.storage import save_project

    folder = tmp_path / "Film.shotline"
    (folder / "media").mkdir(parents=True)
    for name in ("sunrise.mp4", "city_night.mp4", "lake_at_dawn.png", "paper_boat_keyframe.png"):
        shutil.copy(os.path.join(DEMO_MEDIA, name), folder / "media" / name)
    v1 = Track(id="v1", name="V1", clips=[
        Clip(id="a", start=0, length=72, name="A", takes=[Take(id="ta", media="media/sunrise.mp4", frames=72)],
             shot=ShotSettings(prompt="sunrise over a lake")),
        Clip(id="boat", start=96, length=72, name="Boat", shot=ShotSettings(prompt="a paper boat drifts"),
             keyframes=[Keyframe(id="kf-boat", image="media/paper_boat_keyframe.png", frame=0)]),
        Clip(id="lake", start=168, length=48, name="Lake",
             takes=[Take(id="tl", media="media/lake_at_dawn.png", frames=1, is_still=True)]),
        Clip(id="city", start=216, length=72, name="City", takes=[
            Take(id="tc1", media="media/city_night.mp4", frames=72),
            Take(id="tc2", media="media/city_night.mp4", frames=72, label="take 2",
                 record={"model": "ltx-tiny", "seed": 7, "prompt": "city at night", "steps": 4}),
        ], active_take=1),
    ])
    project = Project(name="Film", fps=Fraction(24), width=640, height=360,
                      tracks=[Track(id="v2", name="V2"), v1])
    save_project(project, folder)
    return Document(project, folder)


# --- a local Ray cluster for the render-farm tests (model/farm), started once per session ---


@pytest.fixture(scope="session")
def _ray_session(request):
    """Ray on this machine: 2 CPUs and 2 declared (fake) GPUs, a small object store, no dashboard.

    Started by the first test that asks for `local_ray` and shut down (its raylet, GCS and workers,
    detached ones too) right after the last one, so the rest of the suite runs without it (the
    farm's test files are named test_farm*.py so they run together)."""
    ray = pytest.importorskip("ray")
    users = [item for item in request.session.items if "local_ray" in getattr(item, "fixturenames", ())]
    ray.init(num_cpus=2, num_gpus=2, object_store_memory=100 * 2**20, include_dashboard=False,
             log_to_driver=False, logging_level="ERROR", namespace="shotline-tests")
    state = {"left": len(users), "ray": ray}
    yield state
    if ray.is_initialized():
        ray.shutdown()


@pytest.fixture
def local_ray(_ray_session):
    """The session's local Ray (see `_ray_session`); ends with the last test that uses it."""
    ray = _ray_session["ray"]
    if not ray.is_initialized():  # a test asked for it after the last counted one (a rerun)
        ray.init(num_cpus=2, num_gpus=2, object_store_memory=100 * 2**20, include_dashboard=False,
                 log_to_driver=False, logging_level="ERROR", namespace="shotline-tests")
    yield ray
    _ray_session["left"] -= 1
    if _ray_session["left"] <= 0:
        ray.shutdown()
