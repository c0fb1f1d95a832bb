"""Child programs die with Shotline (issue 8): kill -9 of `main.py new` or `main.py export` while
its ffmpeg runs leaves no ffmpeg behind, and the next run leaves no `.partial` file.

Real processes throughout. A small driver process makes itself the "subreaper" of what it
starts (prctl PR_SET_CHILD_SUBREAPER), so the orphaned ffmpeg is handed to it and its end can be
waited for and read: killed by SIGKILL (it died with Shotline) versus exiting on its own (it was
left running, finishing a partial file). No clock is involved."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from editor.media.ffmpeg_bin import ffmpeg_exe

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")

DRIVER = r"""
import ctypes, json, os, signal, subprocess, sys, time
import psutil

ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come to us
shotline = subprocess.Popen([sys.executable, *sys.argv[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def running_ffmpeg():
    for child in psutil.Process(shotline.pid).children(recursive=True):
        try:
            if "ffmpeg" in child.name().lower() and "-i" in child.cmdline():
                return child
        except psutil.Error:
            pass
    return None

ffmpeg = None
while ffmpeg is None and shotline.poll() is None:
    ffmpeg = running_ffmpeg()
    time.sleep(0.01)
if ffmpeg is None:
    print(json.dumps({"error": "shotline ended before ffmpeg ran: " + shotline.stderr.read().decode()}))
    sys.exit(0)
os.kill(shotline.pid, signal.SIGKILL)
shotline.wait()
_, status = os.waitpid(ffmpeg.pid, 0)  # ffmpeg is our child now (subreaper): wait for its end
print(json.dumps({"killed_by": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                  "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}))
"""


def kill_during_ffmpeg(*args: str, cwd: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", DRIVER, str(ROOT / "main.py"), *args], cwd=cwd, env=ENV,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert "error" not in result, result["error"]
    return result


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if "partial" in p.name or p.name.endswith(".tmp"))


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory) -> Path:
    """A minute of 30 fps video: conforming it to 24 fps keeps ffmpeg busy for a while."""
    out = tmp_path_factory.mktemp("long") / "long30.mp4"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
                    "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)],
                   check=True)
    return out


def test_kill_9_during_new_leaves_no_ffmpeg_converting(long_clip, tmp_path):
    result = kill_during_ffmpeg("new", str(tmp_path / "Trip.shotline"), str(long_clip), "--fps", "24",
                                "--size", "320x240", cwd=tmp_path)
    assert result["killed_by"] == 9, f"ffmpeg outlived Shotline: {result}"


def test_kill_9_during_export_stops_ffmpeg_and_the_next_export_cleans_up(tmp_path):
    from PIL import Image

    still = tmp_path / "still.png"
    Image.new("RGB", (1280, 720), (90, 120, 200)).save(still)
    folder = tmp_path / "Long.shotline"
    made = subprocess.run([sys.executable, str(ROOT / "main.py"), "new", str(folder), str(still), "--size", "1280x720",
                           "--still-seconds", "600"], env=ENV, capture_output=True, text=True, timeout=240)
    assert made.returncode == 0, made.stderr
    renders = tmp_path / "renders"
    renders.mkdir()
    result = kill_during_ffmpeg("export", str(folder), "-o", str(renders / "film.mp4"), cwd=tmp_path)
    assert result["killed_by"] == 9, f"ffmpeg outlived Shotline: {result}"
    assert partials(renders), "the killed export left its partial file (as a kill -9 must)"

    # The next export into that folder removes what the dead one left, and leaves nothing itself.
    short = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", str(folder), "-o",
                            str(renders / "short.mp4"), "--range", "0:0.5", "--size", "64x36",
                            "--preset", "ultrafast"], env=ENV, capture_output=True, text=True, timeout=240)
    assert short.returncode == 0, short.stderr
    assert partials(renders) == []
    assert sorted(p.name for p in renders.iterdir()) == ["short.mp4"]


def test_every_program_is_started_through_the_one_helper():
    """subprocess.Popen / run anywhere else in editor/ or model/ would start a child that outlives us."""
    bad = []
    for path in [*(ROOT / "editor").rglob("*.py"), *(ROOT / "model").rglob("*.py"), ROOT / "main.py"]:
        if path.name == "children.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and (node.func.value.id, node.func.attr) in {
                        ("subprocess", "Popen"), ("subprocess", "run"), ("subprocess", "call"),
                        ("subprocess", "check_call"), ("subprocess", "check_output"), ("os", "system"),
                        ("os", "popen"), ("os", "fork")}):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.value.id}.{node.func.attr}")
    assert not bad, "start programs with editor.media.children.popen/run:\n" + "\n".join(bad)


def test_the_helper_behaves_like_subprocess(tmp_path):
    from editor.media import children

    done = children.run([ffmpeg_exe(), "-hide_banner", "-version"], capture_output=True, text=True)
    assert done.returncode == 0 and "ffmpeg version" in done.stdout
    piped = children.run(["cat"], input=b"frames", capture_output=True)
    assert piped.stdout == b"frames"
    with pytest.raises(FileNotFoundError):
        children.popen([str(tmp_path / "no-such-program")])
    with pytest.raises(subprocess.CalledProcessError):
        children.run(["false"], check=True)
