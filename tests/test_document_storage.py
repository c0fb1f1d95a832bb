"""Project folders: round trips, schema versions, atomic saves under kill -9, bad files, paths, autosave."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

from editor.document.autosave import autosave, autosaves, find_recovery, recover_document
from editor.document.document import Document
from editor.document.edits import EditRefused, RelinkMedia, RenameClip
from editor.document.project import Keyframe, Take
from editor.document.samples import sample_project
from editor.document.storage import (
    PROJECT_FILE,
    VERSION,
    ProjectError,
    check_media,
    folder_for_name,
    load_project,
    open_document,
    read_project_file,
    save_document,
    save_project,
    snapshot,
    upgrade,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return folder_for_name(tmp_path, "My film")


def saved(folder: Path, **kw) -> dict:
    save_project(sample_project(**kw), folder)
    return json.loads((folder / PROJECT_FILE).read_text())


def write(folder: Path, data) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str | bytes) else json.dumps(data)
    (folder / PROJECT_FILE).write_bytes(text.encode() if isinstance(text, str) else text)


def test_save_makes_the_folder_and_loads_back_the_same(folder):
    project = sample_project(tracks=3, clips_per_track=6)
    project.fps = Fraction(30000, 1001)
    path = save_project(project, folder)
    assert folder.name == "My film.shotline" and path == folder / PROJECT_FILE
    assert {p.name for p in folder.iterdir()} >= {"project.json", "media", "cache", "autosave"}
    data = json.loads(path.read_text())
    assert (data["schema"], data["version"], data["fps"]) == ("shotline.project", VERSION, "30000/1001")
    assert snapshot(load_project(folder)) == snapshot(project)
    assert snapshot(load_project(path)) == snapshot(project)  # the project.json path works too


def test_media_inside_the_folder_are_stored_relative_and_imports_stay_absolute(folder, tmp_path):
    project = sample_project(tracks=1, clips_per_track=2)
    clip = project.tracks[0].clips[0]
    clip.takes[0].media = str(folder / "media" / "inside.mkv")
    outside = tmp_path / "holiday.mp4"
    clip.takes.append(Take(id="imp", media=str(outside), frames=10))
    save_project(project, folder)
    takes = json.loads((folder / PROJECT_FILE).read_text())["tracks"][0]["clips"][0]["takes"]
    assert takes[0]["media"] == "media/inside.mkv"
    assert takes[-1]["media"] == str(outside) and takes[-1]["metadata"]["imported"] is True
    loaded = load_project(folder)
    assert loaded.tracks[0].clips[0].takes[-1].media == str(outside)


def test_missing_media_are_reported_for_relinking(folder):
    project = sample_project(tracks=1, clips_per_track=2)
    save_project(project, folder)
    loaded = load_project(folder)  # missing media do not stop a project from opening
    missing = check_media(loaded, folder)
    first = loaded.tracks[0].clips[0].takes[0].media
    assert first in missing and "media/cast/hero.png" in missing
    (folder / first).parent.mkdir(parents=True, exist_ok=True)
    (folder / first).write_bytes(b"x")
    assert first not in check_media(loaded, folder)


def test_a_path_climbing_out_of_the_folder_is_refused(folder):
    data = saved(folder, tracks=1, clips_per_track=1)
    data["tracks"][0]["clips"][0]["takes"][0]["media"] = "../../etc/passwd"
    write(folder, data)
    with pytest.raises(ProjectError, match="climbs out of the project folder"):
        load_project(folder)
    data["tracks"][0]["clips"][0]["takes"][0]["media"] = "media\\..\\..\\secret.mkv"
    write(folder, data)
    with pytest.raises(ProjectError, match="climbs out"):
        load_project(folder)
    project = sample_project(tracks=1, clips_per_track=1)
    project.tracks[0].clips[0].keyframes.append(Keyframe(id="k", image="../x.png", frame=0))
    with pytest.raises(ProjectError, match="climbs out"):
        save_project(project, folder)


def test_an_absolute_path_not_marked_imported_is_refused(folder):
    data = saved(folder, tracks=1, clips_per_track=1)
    data["cast"][0]["image"] = "/etc/passwd"
    write(folder, data)
    with pytest.raises(ProjectError, match="outside the project folder but was not imported"):
        load_project(folder)
    data["cast"][0]["metadata"] = {"imported": True}
    write(folder, data)
    assert load_project(folder).cast[0].image == "/etc/passwd"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text[: len(text) // 2], "not valid JSON"),
        (lambda text: "\x00\xff garbage", "not valid JSON"),
        (lambda text: "[1, 2]", "not a Shotline project"),
        (lambda text: text.replace('"shotline.project"', '"otio.timeline"'), "not a Shotline project"),
        (lambda text: text.replace(f'"version": {VERSION}', '"version": 99'), "newer Shotline.*Update"),
        (lambda text: text.replace(f'"version": {VERSION}', '"version": "1"'), "no valid format version"),
        (lambda text: text.replace('"length"', '"lenght"', 1), r"tracks\[0\]\.clips\[0\]\.length is missing"),
        (lambda text: text.replace('"fps": "24/1"', '"fps": "fast"'), "fps"),
        (lambda text: re.sub(r'"start": \d+', '"start": "zero"', text, count=1), r"start should be int"),
    ],
)
def test_damaged_files_are_refused_with_a_clear_message(folder, damage, message):
    save_project(sample_project(tracks=1, clips_per_track=3), folder)
    text = (folder / PROJECT_FILE).read_text()
    write(folder, damage(text))
    with pytest.raises(ProjectError, match=message):
        load_project(folder)


def test_rule_breaking_files_are_refused(folder):
    data = saved(folder, tracks=1, clips_per_track=2)
    clips = data["tracks"][0]["clips"]
    clips[1]["start"] = clips[0]["start"] + 1
    write(folder, data)
    with pytest.raises(ProjectError, match="overlap"):
        load_project(folder)
    data = saved(folder, tracks=1, clips_per_track=2)
    data["tracks"][0]["clips"][1]["id"] = data["tracks"][0]["clips"][0]["id"]
    write(folder, data)
    with pytest.raises(ProjectError, match="repeats the id"):
        load_project(folder)


def test_no_project_there():
    with pytest.raises(ProjectError, match="no project folder"):
        load_project("/nonexistent/x.shotline")


def test_version_0_files_are_upgraded_in_memory(folder):
    v0 = {
        "format": "shotline", "version": 0, "name": "Old", "fps": 29.97002997, "size": [640, 360],
        "tracks": [{"id": "t", "name": "Main", "clips": [
            {"id": "c1", "start": 0, "length": 24, "prompt": "a boat", "seed": 4,
             "takes": [{"id": "k1", "path": "media/boat.mkv", "frames": 30}], "in": 3},
            {"id": "c2", "start": 30, "length": 12, "prompt": "a storm"},
        ]}],
    }
    write(folder, v0)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*"))
    project = load_project(folder)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*")) == before  # loading never writes
    assert (project.name, project.fps, project.width, project.height) == ("Old", Fraction(30000, 1001), 640, 360)
    c1, c2 = project.tracks[0].clips
    assert (c1.shot.prompt, c1.shot.seed, c1.source_in, c1.takes[0].media) == ("a boat", 4, 3, "media/boat.mkv")
    assert c2.is_draft and c2.shot.prompt == "a storm"
    assert upgrade(v0)["version"] == VERSION
    with pytest.raises(ProjectError, match="could not be upgraded"):
        upgrade({"format": "shotline", "version": 0, "tracks": [{"clips": [{}]}]})


def test_a_save_killed_half_way_leaves_a_whole_project(folder):
    """A child saves two different projects over and over; kill -9 at any moment must leave one
    of the two complete. The child encodes both once and then only writes, so that most of its
    time is spent inside the atomic write (and kills land mid-write, leaving temp files)."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from editor.document.samples import sample_project\n"
        "from editor.document.storage import encode, save_project, write_atomic\n"
        "folder = Path(sys.argv[1])\n"
        "a = sample_project(tracks=4, clips_per_track=100, name='A')\n"
        "b = sample_project(tracks=4, clips_per_track=100, seed=1, name='B')\n"
        "save_project(b, folder)\n"
        "data = [encode(a, folder), encode(b, folder)]\n"
        "print('ready', flush=True)\n"
        "i = 0\n"
        "while True:\n"
        "    write_atomic(folder / 'project.json', data[i % 2])\n"
        "    i += 1\n"
    )
    expected = {
        "A": snapshot(sample_project(tracks=4, clips_per_track=100, name="A")),
        "B": snapshot(sample_project(tracks=4, clips_per_track=100, seed=1, name="B")),
    }
    for delay in (0.03, 0.07, 0.11, 0.17):
        child = subprocess.Popen([sys.executable, "-c", code, str(folder)], cwd=ROOT, stdout=subprocess.PIPE)
        try:
            assert child.stdout.readline().strip() == b"ready"
            time.sleep(delay)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        project = load_project(folder)
        assert snapshot(project) == expected[project.name]
    save_project(load_project(folder), folder)  # a later save still works beside leftover temp files


def test_autosave_keeps_the_newest_few_and_recovery_offers_one_newer_than_the_save(folder):
    doc = Document(sample_project(tracks=1, clips_per_track=3), folder)
    with pytest.raises(ProjectError, match="Save the project once"):
        autosave(Document(sample_project()))
    save_project(doc.project, folder)
    assert find_recovery(folder) is None
    first_id = doc.project.tracks[0].clips[0].id
    paths = []
    for i in range(4):
        doc.request(RenameClip(clip_id=first_id, name=f"v{i}"))
        paths.append(autosave(doc, keep=3))
    assert autosaves(folder) == paths[1:]
    recovery = find_recovery(folder)
    assert recovery == paths[-1]
    assert read_project_file(recovery).tracks[0].clips[0].name == "v3"
    # a crash while autosaving leaves a damaged newest file: the one before it is offered
    broken = folder / "autosave" / "project-99999999-999999-999999.json"
    broken.write_text('{"schema": "shotline.project", "vers')
    assert find_recovery(folder) == paths[-1]
    time.sleep(0.01)
    save_project(doc.project, folder)  # saving makes the autosaves old news
    assert find_recovery(folder) is None


def test_open_save_and_recover_documents(folder):
    doc = Document(sample_project(tracks=1, clips_per_track=2))
    with pytest.raises(ProjectError, match="Save As"):
        save_document(doc)
    first_id = doc.project.tracks[0].clips[0].id
    doc.request(RenameClip(clip_id=first_id, name="Opening"))
    save_document(doc, folder)
    assert doc.folder == folder and not doc.dirty
    opened = open_document(folder)
    assert snapshot(opened.project) == snapshot(doc.project) and not opened.dirty
    doc.request(RenameClip(clip_id=first_id, name="After the save"))
    recovered = recover_document(folder, autosave(doc))
    assert recovered.dirty and recovered.project.tracks[0].clips[0].name == "After the save"


def test_relink_a_missing_file_everywhere_it_is_used(folder, tmp_path):
    project = sample_project(tracks=1, clips_per_track=1)
    project.tracks[0].clips[0].keyframes.append(Keyframe(id="k", image="media/cast/hero.png", frame=0))
    doc = Document(project, folder)
    found = tmp_path / "hero-found.png"
    found.write_bytes(b"png")
    assert "media/cast/hero.png" in check_media(project, folder)
    doc.request(RelinkMedia(old="media/cast/hero.png", new=str(found)))
    assert project.cast[0].image == str(found) and project.tracks[0].clips[0].keyframes[-1].image == str(found)
    assert project.cast[0].metadata["imported"] is True
    assert "media/cast/hero.png" not in check_media(project, folder) and str(found) not in check_media(project, folder)
    doc.undo()
    assert project.cast[0].image == "media/cast/hero.png" and "imported" not in project.cast[0].metadata
    with pytest.raises(EditRefused, match="Nothing in the project uses"):
        doc.request(RelinkMedia(old="media/none.png", new="media/x.png"))
    with pytest.raises(EditRefused, match="climbs out"):
        doc.request(RelinkMedia(old="media/cast/hero.png", new="../hero.png"))


def test_the_media_bin_list_is_saved_and_old_projects_derive_it_from_their_clips(folder, tmp_path):
    from editor.document.edits import DeleteClips, ImportMedia

    data = saved(folder, tracks=1, clips_per_track=2)
    del data["media"]  # a project saved before the bin had its own list
    write(folder, data)
    doc = open_document(folder)
    used = [tk.media for c in doc.project.tracks[0].clips for tk in c.takes]
    assert [m.path for m in doc.project.media] == list(dict.fromkeys(used))
    outside = str(tmp_path / "poster.png")
    doc.request(ImportMedia(paths=(outside,)))
    assert doc.history.titles == ("Import media",)
    doc.request(DeleteClips(clip_ids=tuple(c.id for c in doc.project.tracks[0].clips)))
    assert [m.path for m in doc.project.media][-1] == outside and len(doc.project.media) == len(set(used)) + 1
    save_document(doc)
    listed = json.loads((folder / PROJECT_FILE).read_text())["media"]
    assert listed[-1] == {"path": outside, "metadata": {"imported": True}}
    again = load_project(folder)
    assert [m.path for m in again.media] == [m.path for m in doc.project.media]
    doc.undo()
    doc.undo()
    assert outside not in [m.path for m in doc.project.media]  # the import is undoable
    with pytest.raises(EditRefused, match="climbs out"):
        doc.request(ImportMedia(paths=("../../etc/passwd",)))
