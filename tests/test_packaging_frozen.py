"""The PyInstaller app (packaging/build.py) runs headless: screenshot, export and a no-model infill.

Building it takes many minutes and gigabytes, so this runs only when asked:
    SHOTLINE_TEST_FROZEN=1 pytest tests/test_packaging_frozen.py
It builds into a temporary folder, or tests an app already built when SHOTLINE_FROZEN_APP names
its folder (e.g. dist/Shotline).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("SHOTLINE_TEST_FROZEN") != "1",
                                 reason="set SHOTLINE_TEST_FROZEN=1 to build and test the frozen app")]


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Path:
    given = os.environ.get("SHOTLINE_FROZEN_APP")
    if given:
        return Path(given).absolute()
    out = tmp_path_factory.mktemp("frozen")
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(out / "dist"),
                    "--work", str(out / "work")], check=True, timeout=3 * 3600)
    return out / "dist" / "Shotline"


def test_the_frozen_app_renders_exports_infills_and_generates_without_the_source_tree(app, tmp_path, tiny_ltx_dir,
                                                                                     tiny_wan_vace_dir):
    exe = app / ("Shotline.exe" if sys.platform == "win32" else "Shotline")
    assert exe.is_file()
    work = tmp_path / "elsewhere"
    work.mkdir()
    # no ffmpeg, Python or checkout on PATH: the app must bring its own
    env = {"PATH": str(tmp_path / "empty-path"), "HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen",
           "SHOTLINE_CONFIG_DIR": str(tmp_path / "config"), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}

    def run(*args: str) -> str:
        out = subprocess.run([str(exe), *args], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, f"Shotline {' '.join(args)}: {out.stdout}\n{out.stderr}"
        assert "Traceback" not in out.stderr
        return out.stdout

    assert run("--version").startswith("shotline ")
    run("screenshot", "DEMO", "-o", "window.png", "--size", "800x500")
    assert (work / "window.png").stat().st_size > 10_000
    assert "4 clip(s)" in run("info", "DEMO")
    run("export", "DEMO", "-o", "demo.mp4", "--range", "0:1", "--preset", "ultrafast")
    assert (work / "demo.mp4").stat().st_size > 1000
    media = tmp_path / "config" / "demo" / "Demo.shotline" / "media"
    run("infill", "--model", "interpolate", "--before", str(media / "sunrise.mp4"), "--after",
        str(media / "city_night.mp4"), "--seconds", "0.25", "-o", "join.mp4")
    assert (work / "join.mp4").stat().st_size > 1000
    listed = run("models")
    assert "interpolat" in listed.lower()
    # torch and diffusers came along: a real (tiny) pipeline of each family runs on the CPU
    run("generate", "--model", str(tiny_ltx_dir), "--prompt", "a red cat runs", "--seconds", "1", "--fps", "10",
        "--size", "64x48", "--seed", "1", "--steps", "1", "--device", "cpu", "-o", "ltx.mp4")
    run("generate", "--model", str(tiny_wan_vace_dir), "--prompt", "a slow pan", "--seconds", "1", "--size", "32x16",
        "--steps", "1", "--device", "cpu", "-o", "wan.mp4")
    assert (work / "ltx.mp4").stat().st_size > 1000 and (work / "wan.mp4").stat().st_size > 1000
    # the menu entry starts the frozen program itself
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    run("--install-desktop")
    entry = (tmp_path / "xdg" / "applications" / "org.shotline.Shotline.desktop").read_text()
    assert f"Exec={exe.resolve()} %f" in entry
