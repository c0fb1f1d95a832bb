"""Sound follows the picture's takes and tracks: SwitchTake makes the linked sound play the new
take's file (or go, for a silent take), removing a video track takes its linked sound with it,
and a project whose sound links to a picture that is not there is refused at load with a fix.
Checked on real decoded audio: the mix is the tone of the take that is shown."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from sound_helpers import ffmpeg

from editor.document.document import Document
from editor.document.edits import RemoveTrack, SwitchTake
from editor.document.project import AudioTrack, Clip, Project, Take, Track
from editor.document.storage import ProjectError, load_project, save_document
from editor.media.mix import mix_range
from editor.media.sound_clips import linked_sound

FPS = Fraction(24)


def _video(path: Path, hz: int | None, seconds: float = 2.0) -> Path:
    """A small 24 fps video; with a `hz` sine as its sound, or silent."""
    args = ["-f", "lavfi", "-i", f"color=gray:s=64x48:r=24:d={seconds}"]
    if hz is not None:
        args += ["-f", "lavfi", "-i", f"sine=frequency={hz}:sample_rate=48000:duration={seconds}"]
    ffmpeg(*args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
           *(["-c:a", "aac", "-ac", "2"] if hz is not None else []), str(path))
    return path


def _pitch(project: Project, first: int, end: int) -> float:
    """The loudest frequency of the mix of frames [first, end), 0 for silence."""
    x = mix_range(project, None, first, end).mean(axis=1)
    if np.abs(x).max() < 1e-3:
        return 0.0
    spectrum = np.abs(np.fft.rfft(x))
    return float(np.argmax(spectrum) * 48000 / len(x))


@pytest.fixture
def takes_doc(tmp_path):
    """One video clip with three takes: 440 Hz (active, its sound linked on A1), 880 Hz, silent."""
    a = _video(tmp_path / "a.mp4", 440)
    b = _video(tmp_path / "b.mp4", 880, seconds=3.0)
    s = _video(tmp_path / "s.mp4", None)
    ta = Take(id="ta", media=str(a), frames=48, metadata={"imported": True})
    tb = Take(id="tb", media=str(b), frames=72, metadata={"imported": True, "sound": True})
    ts = Take(id="ts", media=str(s), frames=48, metadata={"imported": True, "sound": False})
    clip = Clip(id="c", start=0, length=48, takes=[ta, tb, ts])
    sound = linked_sound(clip)
    after = Clip(id="d", start=48, length=24, takes=[Take(id="td", media=str(s), frames=48)])
    project = Project(fps=FPS, tracks=[Track(id="v1", name="V1", clips=[clip, after])],
                      audio_tracks=[AudioTrack(id="a1", name="A1", clips=[sound])])
    return Document(project), sound.id


def test_switch_take_makes_the_linked_sound_play_the_new_take(takes_doc):
    doc, sid = takes_doc
    assert abs(_pitch(doc.project, 0, 48) - 440) < 5
    doc.request(SwitchTake(clip_id="c", take_id="tb"))
    clip = doc.project.find_clip("c")[1]
    sound = doc.project.find_audio_clip(sid)[1]
    assert (sound.start, sound.length, sound.source_in) == (clip.start, clip.length, clip.source_in) == (0, 72, 0)
    assert sound.source.endswith("b.mp4") and sound.source_frames == 72
    assert abs(_pitch(doc.project, 0, 72) - 880) < 5
    doc.undo()  # one step: picture and sound together
    assert abs(_pitch(doc.project, 0, 48) - 440) < 5
    assert doc.project.find_clip("c")[1].active_take == 0


def test_a_silent_take_takes_the_linked_sound_away_and_switching_back_brings_it(takes_doc):
    doc, sid = takes_doc
    doc.request(SwitchTake(clip_id="c", take_id="ts"))
    assert not any(t.clips for t in doc.project.audio_tracks)
    assert _pitch(doc.project, 0, 48) == 0.0
    doc.request(SwitchTake(clip_id="c", take_id="tb"))
    clip = doc.project.find_clip("c")[1]
    videos, audios = doc.project.linked(clip.link)
    assert [c.id for c in videos] == ["c"] and len(audios) == 1
    assert abs(_pitch(doc.project, 0, 72) - 880) < 5
    doc.undo()
    doc.undo()
    assert doc.project.find_audio_clip(sid)[1].source.endswith("a.mp4")


def test_removing_a_video_track_takes_its_linked_sound_in_one_step(takes_doc):
    doc, sid = takes_doc
    doc.request(RemoveTrack(track_id="v1"))
    assert not doc.project.tracks and not any(t.clips for t in doc.project.audio_tracks)
    assert _pitch(doc.project, 0, 48) == 0.0
    doc.undo()
    assert doc.project.find_audio_clip(sid)[1].link == doc.project.find_clip("c")[1].link
    assert abs(_pitch(doc.project, 0, 48) - 440) < 5


def test_a_sound_linked_to_a_missing_picture_is_refused_at_load(tmp_path, takes_doc):
    doc, _ = takes_doc
    folder = tmp_path / "p.shotline"
    save_document(doc, folder)
    data = json.loads((folder / "project.json").read_text())
    data["tracks"] = []  # what the old RemoveTrack left behind
    (folder / "project.json").write_text(json.dumps(data))
    before = (folder / "project.json").read_bytes()
    with pytest.raises(ProjectError, match="link"):
        load_project(folder)
    assert (folder / "project.json").read_bytes() == before


def test_a_take_imported_before_takes_were_marked_gets_its_sound_back_too(takes_doc):
    doc, _ = takes_doc
    del doc.project.find_clip("c")[1].takes[0].metadata["sound"]  # as a project saved before the mark
    doc.request(SwitchTake(clip_id="c", take_id="ts"))
    doc.request(SwitchTake(clip_id="c", take_id="ta"))
    assert abs(_pitch(doc.project, 0, 48) - 440) < 5
