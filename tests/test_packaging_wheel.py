"""Shotline installs as a wheel and works from anywhere: the resources travel in the package and
are found with importlib.resources, never relative to the source tree or the working folder."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.egg-info", ".pytest_cache",
                                    ".ruff_cache", "out", "tmp", "cache", "autosave", "jobs.sqlite*")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", SHOTLINE_CONFIG_DIR=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "xdg"), HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"))
    return env


def test_the_resources_are_found_from_any_working_folder(tmp_path):
    """main.py run from elsewhere (as a menu entry or a script does) finds its style sheet, demo and presets."""
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "info", "DEMO"], cwd=tmp_path, env=_env(tmp_path),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    # the demo is opened through the user's copy, never in the install
    assert f"({tmp_path / 'config' / 'demo' / 'Demo.shotline'})" in out.stdout.splitlines()[0]
    assert "4 clip(s)" in out.stdout


def test_a_foreign_resources_package_is_a_one_line_message(tmp_path):
    """Another distribution's `resources` package shadowing ours: say what to do, no traceback."""
    (tmp_path / "shadow" / "resources").mkdir(parents=True)
    (tmp_path / "shadow" / "resources" / "__init__.py").write_text("")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2]); sys.argv[1:] = ['info', 'DEMO']\n"
            "import main; sys.exit(main.main_quietly_piped())")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "shadow"), str(ROOT)], cwd=tmp_path,
                         env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().endswith("reinstall Shotline.") and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "config").exists()  # nothing written


def test_version_option():
    from editor import __version__

    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == f"shotline {__version__}"


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("build") is None, reason="needs the `build` package (the test extra)")
def test_the_built_wheel_runs_outside_the_source_tree(tmp_path):
    """`python -m build` makes an sdist and a wheel carrying the resources; the wheel installed (not
    editable) into a fresh venv gives a `shotline` command that renders, describes and infills
    from a folder that has no source tree in it."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)  # builds write build/ and *.egg-info: never in the checkout
    dist = tmp_path / "dist"
    # no isolation: setuptools comes from this environment, so the test needs no network
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "-o", str(dist), str(src)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("shotline-*.whl"))
    sdist = next(dist.glob("shotline-*.tar.gz"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for needed in ("main.py", "resources/style.qss", "resources/export_presets.json", "resources/icons/shotline.svg",
                   "resources/demo/Demo.shotline/project.json", "resources/demo/Demo.shotline/media/sunrise.mp4",
                   "resources/desktop/metainfo.xml", "editor/resources_path.py"):
        assert needed in names, f"{needed} is not in the wheel"
    assert not any(n.startswith("tests/") for n in names)
    import tarfile

    with tarfile.open(sdist) as t:
        assert any(n.endswith("resources/demo/Demo.shotline/project.json") for n in t.getnames())

    # a fresh venv whose only Shotline is the wheel; the heavy libraries come from this
    # environment through a .pth line (a path only: this environment's own .pth hooks, such as
    # an editable install of the checkout, are not run there)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "shared_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _env(tmp_path)
    shotline = str(venv / "bin" / "shotline")

    def run(*args: str) -> str:
        out = subprocess.run([shotline, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"shotline {' '.join(args)}: {out.stderr}"
        assert "Traceback" not in out.stderr
        return out.stdout

    where = subprocess.run([str(py), "-c", "import editor, main, resources; print(editor.__file__, main.__file__, "
                            "resources.__file__)"], cwd=work, env=env, capture_output=True, text=True, check=True)
    assert str(ROOT) not in where.stdout and all(p.startswith(site) for p in where.stdout.split())

    assert run("--version").strip().startswith("shotline ")
    run("screenshot", "DEMO", "-o", "window.png", "--size", "800x500")
    assert (work / "window.png").stat().st_size > 10_000
    info = run("info", "DEMO")
    assert "Demo" in info and "4 clip(s)" in info
    media = tmp_path / "config" / "demo" / "Demo.shotline" / "media"  # the user's copy of the demo
    run("infill", "--model", "interpolate", "--before", str(media / "sunrise.mp4"), "--after",
        str(media / "city_night.mp4"), "--seconds", "0.25", "-o", "join.mp4")
    assert (work / "join.mp4").stat().st_size > 1000
    # the install itself was never written to (the demo opens through the copy)
    installed_demo = Path(site) / "resources" / "demo" / "Demo.shotline"
    assert sorted(p.name for p in installed_demo.iterdir()) == ["media", "project.json"]
