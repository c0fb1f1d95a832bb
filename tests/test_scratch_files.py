"""Scratch files (issue 8): what a killed run leaves is removed by the next one, and every file
Shotline writes (project.json, exports, takes, sidecars) gets the mode the umask says, like any
file a user creates. Real files, real processes, real ffmpeg."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from editor.document import scratch

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def leftover(folder: Path, name: str, pid: int, host: str | None = None, age_s: float = 0.0) -> Path:
    path = folder / f".{name}.partial-{pid}@{host or scratch.host_tag()}-abcd1234{Path(name).suffix}"
    path.write_bytes(b"half a file")
    if age_s:
        old = time.time() - age_s
        os.utime(path, (old, old))
    return path


def test_only_files_whose_owner_is_gone_are_removed(tmp_path):
    dead = leftover(tmp_path, "film.mp4", dead_pid())
    mine = leftover(tmp_path, "other.mp4", os.getpid())
    parent = leftover(tmp_path, "third.mp4", os.getppid())  # a live process: maybe writing right now
    elsewhere = leftover(tmp_path, "shared.mp4", dead_pid(), host="00000000")  # another machine's
    legacy_old = tmp_path / ".film.ab12cd34.partial.mp4"
    legacy_old.write_bytes(b"x")
    os.utime(legacy_old, (time.time() - 7200, time.time() - 7200))
    legacy_new = tmp_path / ".take.zz12cd34.partial.mkv"
    legacy_new.write_bytes(b"x")
    user = tmp_path / "film.partial-1@12345678-ab.mp4"  # not hidden: a user's own file
    user.write_bytes(b"x")
    os.mkdir(tmp_path / f".dir.partial-{dead_pid()}@{scratch.host_tag()}-ab.mp4")
    removed = scratch.remove_dead(tmp_path)
    assert sorted(removed) == sorted([dead, legacy_old])
    assert all(p.exists() for p in (mine, parent, elsewhere, legacy_new, user))


def test_a_reused_pid_does_not_keep_a_leftover_forever(tmp_path):
    # The file was last written long before the process that now has that pid started.
    newcomer = subprocess.Popen(["sleep", "60"])
    try:
        old = leftover(tmp_path, "film.mp4", newcomer.pid, age_s=3600)
        assert scratch.remove_dead(tmp_path) == [old]
    finally:
        newcomer.kill()
        newcomer.wait()


def test_scratch_names_say_whose_they_are_and_never_clash(tmp_path):
    names = set()
    for _ in range(20):
        fd, path = scratch.create(tmp_path / "film.mp4", "partial", ".mp4")
        os.close(fd)
        names.add(path.name)
        assert path.name.startswith(".film.mp4.partial-") and f"-{os.getpid()}@" in path.name
        assert path.suffix == ".mp4"
    assert len(names) == 20
    fd, path = scratch.create(tmp_path / ("x" * 250 + ".mkv"))
    os.close(fd)
    assert len(path.name) < 255


def test_opening_a_project_removes_what_a_killed_run_left(tmp_path):
    from editor.document.project import Project
    from editor.document.storage import save_project

    folder = tmp_path / "Film.shotline"
    save_project(Project(name="Film"), folder)
    (folder / "cache" / "proxies").mkdir()
    left = [leftover(folder / "media", "take-1.mkv", dead_pid()),
            leftover(folder / "cache" / "proxies", "p.mkv", dead_pid()),
            leftover(folder, "project.json", dead_pid())]
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "info", str(folder)], env=ENV, capture_output=True,
                       text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    assert not any(p.exists() for p in left)


def test_the_editor_cleans_a_project_it_opens(tmp_path, qtbot, make_session):
    from editor.document.project import Project
    from editor.document.storage import save_project
    from editor.ui.settings import Settings

    folder = tmp_path / "Film.shotline"
    save_project(Project(name="Film"), folder)
    left = leftover(folder / "media", "take-1.mkv", dead_pid())
    session = make_session(Settings())
    session.open(folder)
    assert not left.exists()


MODES = r"""
import json, os, sys
from fractions import Fraction
from pathlib import Path
import numpy as np
os.umask(int(sys.argv[2], 8))
out = Path(sys.argv[1])
from editor.document.project import Project
from editor.document.storage import save_project
from editor.media.export import encode_frames
from editor.media.takes import write_sidecar, write_take

folder = out / "Film.shotline"
save_project(Project(name="Film"), folder)
frames = [np.zeros((32, 32, 3), np.uint8)] * 2
take = write_take(folder / "media" / "take.mkv", frames, 24)
write_sidecar(take, {"seed": 1})
encode_frames(iter(frames), out / "film.mp4", Fraction(24), total=2)
existing = out / "kept.mp4"
existing.write_bytes(b"old")
os.chmod(existing, 0o604)
encode_frames(iter(frames), existing, Fraction(24), total=2)
paths = [folder / "project.json", take, folder / "media" / "take.json", out / "film.mp4", existing]
print(json.dumps({p.name: oct(os.stat(p).st_mode & 0o777) for p in paths}))
"""


@pytest.mark.parametrize("umask, mode", [("022", "0o644"), ("027", "0o640"), ("077", "0o600")])
def test_files_get_the_mode_the_umask_says(tmp_path, umask, mode):
    r = subprocess.run([sys.executable, "-c", MODES, str(tmp_path), umask], cwd=ROOT, env=ENV, capture_output=True,
                       text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    modes = json.loads(r.stdout)
    kept = modes.pop("kept.mp4")
    assert modes == {"project.json": mode, "take.mkv": mode, "take.json": mode, "film.mp4": mode}
    assert kept == "0o604"  # replacing a file keeps the permissions its owner gave it
    assert not [p for p in tmp_path.rglob(".*") if stat.S_ISREG(p.stat().st_mode)]  # no scratch left
