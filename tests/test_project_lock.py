"""One writer per project, with real processes: the lock, racing `new` runs, kill -9 mid-`new`,
and a save that would overwrite another writer's project.json."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from editor.document.create import create_project_atomically, remove_leftovers
from editor.document.lock import LOCK_FILE, LockHolder, ProjectLock, ProjectLocked, read_lock
from editor.document.project import Project, Track
from editor.document.storage import (
    ProjectChangedOnDisk,
    ProjectError,
    load_project,
    project_stamp,
    save_project,
    save_project_checked,
)

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))

# A process that takes the lock, says so, and holds it until its stdin closes or it is killed.
HOLD = ("import sys; from pathlib import Path; from editor.document.lock import ProjectLock\n"
        "lock = ProjectLock.acquire(Path(sys.argv[1]), app='Shotline editor')\n"
        "print('held', flush=True); sys.stdin.read(); lock.release()\n")
# A process that tries once and prints what it got as JSON.
TRY = ("import json, sys; from pathlib import Path\n"
       "from editor.document.lock import ProjectLock, ProjectLocked\n"
       "try:\n"
       "    lock = ProjectLock.acquire(Path(sys.argv[1]), app='shotline test', break_stale=sys.argv[2] == 'break')\n"
       "except ProjectLocked as exc:\n"
       "    h = exc.holder\n"
       "    print(json.dumps({'locked': True, 'pid': h.pid, 'stale': h.stale, 'message': str(exc)}))\n"
       "else:\n"
       "    print(json.dumps({'locked': False, 'broke': lock.broke.pid if lock.broke else None}))\n"
       "    lock.release()\n")


def python(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=ENV, text=True, **kw)


def try_lock(folder: Path, mode: str = "ask") -> dict:
    p = python(TRY, str(folder), mode, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    return json.loads(out)


def shotline(*args: str, cwd: Path, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.fixture
def holder(tmp_path):
    """A live process holding the lock of tmp_path/P.shotline."""
    folder = tmp_path / "P.shotline"
    folder.mkdir()
    p = python(HOLD, str(folder), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdout.readline().strip() == "held"
    yield folder, p
    if p.poll() is None:
        p.kill()
    p.wait(timeout=60)


# --- the lock ---------------------------------------------------------------------------------


def test_a_held_lock_is_refused_to_another_process_and_names_its_holder(holder):
    folder, p = holder
    got = try_lock(folder, "break")  # even a caller willing to break stale locks can't take a live one
    assert got["locked"] and got["pid"] == p.pid and not got["stale"]
    assert "Shotline editor" in got["message"] and f"pid {p.pid}" in got["message"]
    with pytest.raises(ProjectLocked) as caught:
        ProjectLock.acquire(folder, app="test", break_stale=True)
    assert caught.value.holder.pid == p.pid and caught.value.holder.app == "Shotline editor"
    assert read_lock(folder) == caught.value.holder


def test_after_sigkill_the_lock_is_stale_and_can_be_broken(holder):
    folder, p = holder
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=60)
    holder_left = read_lock(folder)
    assert holder_left is not None and holder_left.pid == p.pid and holder_left.stale
    got = try_lock(folder, "ask")  # stale, but not broken unless asked
    assert got["locked"] and got["stale"] and "no longer running" in got["message"]
    assert read_lock(folder) == holder_left
    got = try_lock(folder, "break")
    assert got == {"locked": False, "broke": p.pid}
    assert read_lock(folder) is None  # the breaker released it when done


def test_a_released_lock_is_free_for_the_next_process(holder):
    folder, p = holder
    p.stdin.close()
    assert p.wait(timeout=60) == 0
    assert read_lock(folder) is None
    assert try_lock(folder) == {"locked": False, "broke": None}


CONTEND = ("import json, sys; from pathlib import Path\n"
           "from editor.document.lock import ProjectLock, ProjectLocked\n"
           "try:\n"
           "    lock = ProjectLock.acquire(Path(sys.argv[1]), app='contender', break_stale=True)\n"
           "except ProjectLocked as exc:\n"
           "    print(json.dumps({'held': False, 'by': exc.holder.pid}), flush=True)\n"
           "else:\n"
           "    print(json.dumps({'held': True, 'by': lock.holder.pid}), flush=True); sys.stdin.read()\n")


def test_processes_breaking_one_stale_lock_together_end_with_exactly_one_holder(holder):
    folder, p = holder
    p.kill()
    p.wait(timeout=60)
    runs = [python(CONTEND, str(folder), stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(4)]
    got = [json.loads(r.stdout.readline()) for r in runs]  # each has decided; the winner still holds
    winners = [g for g in got if g["held"]]
    assert len(winners) == 1, got
    assert all(g["by"] == winners[0]["by"] for g in got)
    assert read_lock(folder).pid == winners[0]["by"]
    for r in runs:
        r.stdin.close()
        assert r.wait(timeout=60) == 0
    assert read_lock(folder) is None  # the winner ended without release(): its lock went at exit


def test_a_lock_that_is_not_a_file_reads_as_damaged_and_never_hangs(tmp_path):
    os.mkfifo(tmp_path / LOCK_FILE)
    assert read_lock(tmp_path).stale
    with ProjectLock.acquire(tmp_path, app="t", break_stale=True) as lock:
        assert read_lock(tmp_path) == lock.holder


def test_the_same_process_may_take_its_lock_again_and_the_file_goes_with_the_last_release(tmp_path):
    outer = ProjectLock.acquire(tmp_path, app="Shotline editor")
    inner = ProjectLock.acquire(tmp_path, app="Shotline editor")
    inner.release()
    inner.release()  # idempotent: does not count down twice
    assert read_lock(tmp_path) == outer.holder
    with outer:
        pass
    assert read_lock(tmp_path) is None


def test_release_never_removes_a_lock_someone_else_took(tmp_path):
    lock = ProjectLock.acquire(tmp_path, app="Shotline editor")
    other = {"host": "elsewhere", "pid": 4242, "started": time.time(), "app": "Shotline editor"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(other))  # broken and re-taken on another machine
    lock.release()
    assert read_lock(tmp_path) == LockHolder(**other)
    assert not read_lock(tmp_path).stale  # another host's process can't be judged from here


def test_a_damaged_lock_file_counts_as_stale(tmp_path):
    (tmp_path / LOCK_FILE).write_bytes(b"\x00{not json")
    os.utime(tmp_path / LOCK_FILE, (time.time() - 3600,) * 2)
    assert read_lock(tmp_path).stale
    with pytest.raises(ProjectLocked, match="damaged"):
        ProjectLock.acquire(tmp_path, app="t")
    with ProjectLock.acquire(tmp_path, app="t", break_stale=True) as lock:
        assert lock.broke is not None and read_lock(tmp_path) == lock.holder


def test_describe_says_who_where_and_since_when():
    h = LockHolder(host="studio", pid=123, started=time.mktime((2026, 1, 1, 14, 2, 0, 0, 0, -1)),
                   app="Shotline editor")
    assert h.describe().startswith("held by the Shotline editor (pid 123 on studio, since ")
    assert "14:02" in h.describe()


def test_the_lock_file_is_never_committed():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    lock = ROOT / "resources" / "demo" / "Demo.shotline" / LOCK_FILE
    r = subprocess.run(["git", "check-ignore", "-q", str(lock)], cwd=ROOT)
    assert r.returncode == 0, "the demo project's .lock is not ignored by git"


# --- new: atomic, racing, killed ------------------------------------------------------------


def stills(folder: Path, count: int) -> list[str]:
    out = []
    for i in range(count):
        p = folder / f"still{i}.png"
        Image.fromarray(np.full((32, 48, 3), 40 * i % 255, np.uint8)).save(p)
        out.append(str(p))
    return out


def videos(folder: Path, count: int, frames: int = 60) -> list[str]:
    """Short 30 fps clips: `new --fps 24` conforms each with ffmpeg, which takes a moment."""
    out = []
    for i in range(count):
        p = folder / f"clip{i}.mp4"
        with av.open(str(p), "w") as c:
            s = c.add_stream("libx264", rate=30)
            s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
            for n in range(frames):
                f = np.full((48, 64, 3), (n * 4 + i * 50) % 255, np.uint8)
                for pkt in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                    c.mux(pkt)
            for pkt in s.encode():
                c.mux(pkt)
        out.append(str(p))
    return out


def temp_siblings(parent: Path) -> list[Path]:
    return sorted(parent.glob(".*.shotline.tmp-*"))


def test_two_new_runs_racing_one_wins_the_other_is_refused(tmp_path):
    media = stills(tmp_path, 4)
    runs = [shotline("new", "Race.shotline", *media, "--size", "64x48", cwd=tmp_path) for _ in range(2)]
    results = [(r.wait(timeout=240), *r.communicate()) for r in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    _, _, err = next(r for r in results if r[0] == 2)
    assert "Race.shotline already exists" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    project = load_project(tmp_path / "Race.shotline")
    assert len(project.tracks[0].clips) == 4
    assert read_lock(tmp_path / "Race.shotline") is None  # the winner let go when it finished
    assert temp_siblings(tmp_path) == []


def test_a_name_that_appears_while_building_is_not_overwritten(tmp_path):
    target = tmp_path / "Film.shotline"

    def write(into: Path) -> None:
        save_project(Project(name="mine", tracks=[Track(id="t", name="V1")]), into)
        target.mkdir()  # another program makes the name meanwhile
        (target / "theirs.txt").write_text("keep me")

    with pytest.raises(ProjectError, match="already exists"):
        create_project_atomically(target, write, app="test")
    assert sorted(p.name for p in target.iterdir()) == ["theirs.txt"]
    assert temp_siblings(tmp_path) == []


def test_a_new_project_comes_with_its_lock_held(tmp_path):
    target = tmp_path / "Film.shotline"
    lock = create_project_atomically(
        target, lambda into: save_project(Project(name="x", tracks=[Track(id="t", name="V1")]), into),
        app="Shotline editor")
    assert load_project(target).name == "x" and (target / "media").is_dir()
    assert read_lock(target) == lock.holder
    lock.release()
    assert read_lock(target) is None and temp_siblings(tmp_path) == []


def test_kill_9_during_new_leaves_no_half_project_and_the_next_new_cleans_up(tmp_path):
    media = videos(tmp_path, 6)
    run = shotline("new", "Killed.shotline", *media, "--fps", "24", "--size", "64x48", cwd=tmp_path,
                   start_new_session=True)
    # wait until it is building (its temporary sibling holds its lock), then kill it and its ffmpeg
    while run.poll() is None and not any((t / LOCK_FILE).exists() for t in temp_siblings(tmp_path)):
        time.sleep(0.005)
    assert run.poll() is None, "new finished before it could be killed: give it more work"
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    run.communicate()
    assert not (tmp_path / "Killed.shotline").exists()
    left = temp_siblings(tmp_path)
    assert len(left) == 1 and read_lock(left[0]).stale

    again = shotline("new", "Next.shotline", *stills(tmp_path, 1), "--size", "64x48", cwd=tmp_path)
    code = again.wait(timeout=240)
    assert code == 0, again.communicate()
    assert temp_siblings(tmp_path) == []
    assert load_project(tmp_path / "Next.shotline").name == "Next"


def test_leftovers_of_live_builders_are_kept(tmp_path, holder):
    folder, p = holder
    building = tmp_path / f".B.shotline.tmp-{p.pid}-abcd"
    folder.rename(building)  # the holder's lock now sits in what looks like a temporary sibling
    assert remove_leftovers(tmp_path) == [] and building.is_dir()
    fresh = tmp_path / ".C.shotline.tmp-1-ffff"
    fresh.mkdir()  # no lock yet, made this instant: may be a run about to write its lock
    assert remove_leftovers(tmp_path) == [] and fresh.is_dir()


# --- project.json changed on disk -----------------------------------------------------------


def test_saving_over_another_writers_project_json_is_refused_and_changes_nothing(tmp_path):
    folder = tmp_path / "Shared.shotline"
    stamp = save_project_checked(Project(name="first", tracks=[Track(id="t", name="V1")]), folder)
    assert stamp == project_stamp(folder)
    mine = load_project(folder)
    loaded_stamp = project_stamp(folder)

    other = python("import sys\nfrom editor.document.storage import load_project, save_project\n"
                   "p = load_project(sys.argv[1]); p.name = 'theirs'; save_project(p, sys.argv[1])\n",
                   str(folder))
    assert other.wait(timeout=120) == 0
    theirs = (folder / "project.json").read_bytes()

    mine.name = "mine"
    with pytest.raises(ProjectChangedOnDisk, match="changed by another program"):
        save_project(mine, folder, expected=loaded_stamp)
    assert (folder / "project.json").read_bytes() == theirs
    with pytest.raises(ProjectChangedOnDisk):
        save_project_checked(mine, folder, expected=loaded_stamp)
    assert (folder / "project.json").read_bytes() == theirs

    # with the current stamp it saves, and each save's stamp is the next one's `expected`
    now = save_project_checked(mine, folder, expected=project_stamp(folder))
    now = save_project_checked(mine, folder, expected=now)
    assert load_project(folder).name == "mine" and now == project_stamp(folder)


def test_a_deleted_project_json_is_a_change_too(tmp_path):
    folder = tmp_path / "Gone.shotline"
    stamp = save_project_checked(Project(name="x", tracks=[Track(id="t", name="V1")]), folder)
    (folder / "project.json").unlink()
    assert project_stamp(folder) is None
    with pytest.raises(ProjectChangedOnDisk, match="deleted"):
        save_project(Project(name="x", tracks=[Track(id="t", name="V1")]), folder, expected=stamp)
    assert not (folder / "project.json").exists()
