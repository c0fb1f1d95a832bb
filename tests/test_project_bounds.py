"""What loads must save: project.json values outside Shotline's bounds are refused at load in one line.

Hostile or damaged files (fps 1e400, a clip starting at 1e18, NaN in a shot setting, metadata
nested hundreds deep, lone surrogates, a FIFO in place of project.json) either load cleanly and
save back to the same file, or are refused with a one-line ProjectError; loading never writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from editor.document import limits
from editor.document.samples import sample_project
from editor.document.storage import (
    PROJECT_FILE,
    ProjectError,
    encode,
    load_project,
    save_project,
    snapshot,
)

ROOT = Path(__file__).resolve().parents[1]


def base_data(folder: Path) -> dict:
    """A real saved project (with an imported file outside the folder) as JSON data."""
    project = sample_project(tracks=2, clips_per_track=3)
    project.tracks[0].clips[0].takes[0].media = "/somewhere/else/imported.png"
    project.tracks[0].clips[0].takes[0].metadata = {"imported": True}
    project.tracks[0].clips[1].metadata = {"note": "hello", "list": [1, 2.5, {"x": None}]}
    save_project(project, folder)
    return json.loads((folder / PROJECT_FILE).read_text())


def files_in(top: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(top)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(top.rglob("*"))}


def write_raw(folder: Path, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROJECT_FILE).write_text(text, encoding="utf-8", errors="surrogatepass")


def _blames_itself(text: str) -> bool:
    """The old fallback ("this is a bug, please report it"), not a path that happens to hold
    "bug" (a temporary folder named /tmp/tmpbug...)."""
    return "this is a bug" in text.lower() or "please report" in text.lower()


def refused_in_one_line(folder: Path) -> str:
    with pytest.raises(ProjectError) as info:
        load_project(folder)
    text = str(info.value)
    assert "\n" not in text and not _blames_itself(text), text
    return text


def nested(depth: int) -> object:
    value: object = "leaf"
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


# --- each class of bad value, named --------------------------------------------------------------

@pytest.mark.parametrize("where, raw, expected", [
    ("fps", '"1e400"', "not a frame rate"),
    ("fps", '"100000/1"', "1..240 fps"),
    ("fps", '"1/1000000"', "1..240 fps"),
    ("fps", '"1e999999999"', "not a frame rate"),  # would compute a billion-digit number
    ("width", "100000", "8K"),
    ("clip.start", "1000000000000000000", "24 h"),
    ("clip.start", "1e18", "should be int"),
    ("clip.length", "20736001", "24 h"),
    ("shot.guidance", "NaN", "finite"),
    ("shot.guidance", "Infinity", "finite"),
    ("shot.guidance", "1e400", "finite"),
    ("shot.seed", "1" * 5000, "too long to read"),
    ("shot.seed", str(2**70), "too large"),
    ("clip.name", '"\\udc80 lone"', "surrogate"),
    ("clip.metadata", json.dumps(nested(300)), "deeper than 32"),
    ("clip.metadata", "[" * 100000 + "]" * 100000, "deeper than 32"),
    ("take.media", '"media/a\\u0000b.mkv"', "NUL"),
])
def test_values_that_could_not_save_or_would_break_a_view_are_refused(tmp_path, where, raw, expected):
    folder = tmp_path / "f.shotline"
    data = base_data(folder)
    clip = data["tracks"][1]["clips"][0]
    target, key = {
        "fps": (data, "fps"), "width": (data, "width"), "clip.start": (clip, "start"),
        "clip.length": (clip, "length"), "shot.guidance": (clip["shot"], "guidance"),
        "shot.seed": (clip["shot"], "seed"), "clip.name": (clip, "name"), "clip.metadata": (clip, "metadata"),
        "take.media": (data["tracks"][0]["clips"][1]["takes"][0], "media"),
    }[where]
    target[key] = "@@RAW@@"
    write_raw(folder, json.dumps(data).replace('"@@RAW@@"', raw))
    before = files_in(tmp_path)
    assert expected in refused_in_one_line(folder)
    assert files_in(tmp_path) == before


def test_a_long_but_allowed_project_loads_and_saves(tmp_path):
    folder = tmp_path / "f.shotline"
    data = base_data(folder)
    data["tracks"][1]["clips"] = [{"id": "long", "start": 0, "length": 24 * 3600 * 24, "name": "a day"}]
    write_raw(folder, json.dumps(data))
    project = load_project(folder)
    assert project.duration == limits.MAX_PROJECT_SECONDS * 24


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_project_json_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path, kind):
    folder = tmp_path / "f.shotline"
    folder.mkdir()
    target = folder / PROJECT_FILE
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.symlink_to("/dev/zero")  # endless: reading it would never finish
    text = refused_in_one_line(folder)
    assert {"fifo": "named pipe", "folder": "a folder", "device": "a device"}[kind] in text


@pytest.mark.timeout(20)
def test_info_on_a_fifo_answers_at_once_in_one_line(tmp_path):
    folder = tmp_path / "f.shotline"
    folder.mkdir()
    os.mkfifo(folder / PROJECT_FILE)
    done = subprocess.run([sys.executable, "main.py", "info", str(folder)], cwd=ROOT, capture_output=True,
                          text=True, timeout=15)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "named pipe" in done.stderr


def test_a_path_that_is_a_file_is_called_a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert "is a file, not a project folder" in refused_in_one_line(path)


# --- any value anywhere: refused in one line, or loads and saves back the same --------------------

def _places(value: object, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _places(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _places(v, (*path, i))
    return out


RAW_NUMBERS = ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1e18", "1" * 4400, str(2**64), "-0.0", "1e-400"]

values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 16, 24, 240, 241, 7680, 7681, 10**18, limits.MAX_FRAMES, limits.MAX_FRAMES + 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),  # includes lone surrogates and control characters
    st.sampled_from(["24/1", "30000/1001", "0/1", "1e400", "1/0", "abc", "\udcff", "\x1b[31mred", "a\nb", ""]),
    st.booleans(),
    st.none(),
    st.integers(min_value=1, max_value=200).map(nested),
    st.sampled_from(RAW_NUMBERS).map(lambda raw: ("RAW", raw)),
)


LIKE = {
    str: st.text(max_size=20),
    int: st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=0, max_value=400)),
    float: st.floats(allow_nan=True, allow_infinity=True),
    dict: st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.floats(), st.integers()), max_size=3),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_anywhere_is_refused_in_one_line_or_loads_and_saves_back_the_same(data):
    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp)
        folder = top / "f.shotline"
        project_data = base_data(folder)
        places = [p for p in _places(project_data) if p]
        raws: list[str] = []
        for _ in range(data.draw(st.integers(1, 3), label="mutations")):
            place = data.draw(st.sampled_from(places), label="place")
            old = project_data
            try:
                for step in place:
                    old = old[step]
            except (KeyError, IndexError, TypeError):
                old = None
            # half the time a value of the same kind, so that many files still load and must save
            kind = LIKE.get(type(old)) if data.draw(st.booleans(), label="same kind") else None
            value = data.draw(kind if kind is not None else values, label="value")
            if isinstance(value, tuple):
                raws.append(value[1])
                value = f"@@RAW{len(raws) - 1}@@"
            target = project_data
            try:
                for step in place[:-1]:
                    target = target[step]
                target[place[-1]] = value
            except (KeyError, IndexError, TypeError):
                continue  # an earlier mutation replaced the container
        text = json.dumps(project_data)
        for i, raw in enumerate(raws):
            text = text.replace(f'"@@RAW{i}@@"', raw)
        write_raw(folder, text)
        before = files_in(top)
        try:
            project = load_project(folder)
        except ProjectError as exc:
            event("refused")
            message = str(exc)
            assert message and "\n" not in message and not _blames_itself(message), message
            assert files_in(top) == before  # refusing wrote nothing
            return
        event("loaded")
        assert files_in(top) == before  # loading wrote nothing
        again = top / "again.shotline"
        save_project(project, again)  # what loads must save ...
        reloaded = load_project(again)  # ... and load back the same
        assert encode(reloaded, again) == encode(project, again)
        assert snapshot(reloaded) == snapshot(load_project(again))


def test_a_value_no_check_knows_is_refused_on_save_with_what_to_do(tmp_path):
    """The last resort (a value that slipped past every check and that JSON can't store) says
    what to do and where the autosave is, writes nothing, and never blames itself."""
    folder = tmp_path / "Film.shotline"
    folder.mkdir()
    project = sample_project(tracks=1, clips_per_track=2)

    class Sneaky(str):  # text that says it encodes (past every check) but holds a lone surrogate
        def encode(self, *args, **kwargs) -> bytes:
            return b""

    project.tracks[0].clips[1].metadata = {"note": Sneaky("\ud800")}  # a faulty edit put it there
    with pytest.raises(ProjectError) as info:
        save_project(project, folder)
    text = str(info.value)
    assert "\n" not in text and not _blames_itself(text), text
    assert "Undo the last change" in text and "Save As" in text and str(folder / "autosave") in text
    assert not (folder / PROJECT_FILE).exists()  # nothing saved
