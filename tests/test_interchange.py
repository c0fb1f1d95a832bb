"""Interchange with other editors (F24): the cut as .otio/.otioz/FCP XML/FCPXML/EDL written and read
with the real opentimelineio library and its adapter plug-ins, real media files, real project folders."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from opentimelineio.opentime import RationalTime as RT
from opentimelineio.opentime import TimeRange as TR
from sound_helpers import tone

from editor.cli.project_commands import run
from editor.document.media_paths import locate_media
from editor.document.project import AudioClip, AudioTrack, CastMember, Keyframe, ShotSettings
from editor.document.storage import load_project, save_project
from editor.media.interchange.create import create_project_from_cut
from editor.media.interchange.formats import InterchangeError
from editor.media.interchange.from_otio import rate_fraction, read_cut, timeline_to_project
from editor.media.interchange.write import export_timeline


@pytest.fixture
def film(ui_document, tmp_path):
    """The ui_document project, made richer: a trimmed take, a cast member on a draft shot, a track
    keyframe, and a sound on A1 linked to the first clip (a real WAV). Saved; returns (project, folder)."""
    project, folder = ui_document.project, ui_document.folder
    v1 = project.tracks[1]
    city = v1.clips[3]
    city.source_in, city.length = 10, 50  # a trim: frames 10..59 of the take
    boat = v1.clips[1]
    boat.shot = ShotSettings(prompt="a paper boat drifts", seed=42, steps=8, guidance=2.5, cast=["cast-1"])
    project.cast = [CastMember(id="cast-1", name="Boat", image="media/paper_boat_keyframe.png",
                               description="a folded paper boat")]
    v1.keyframes = [Keyframe(id="kf-track", image="media/paper_boat_keyframe.png", frame=80, strength=0.5)]
    sound = tone(tmp_path / "music.wav", seconds=3)
    a = v1.clips[0]
    a.link = "link-a"
    project.audio_tracks = [AudioTrack(id="a1", name="A1", volume_db=-2.0, clips=[
        AudioClip(id="snd", source=str(sound), start=0, length=72, source_frames=72, gain_db=-6.0, fade_in=4,
                  fade_out=6, link="link-a", metadata={"imported": True})])]
    save_project(project, folder)
    return load_project(folder), folder


def summary(project, folder) -> dict:
    """The cut as plain data: what must survive a round trip (paths resolved to files)."""
    def where(path: str) -> str:
        return os.path.realpath(locate_media(folder, path).path)

    return {
        "fps": project.fps, "size": (project.width, project.height),
        "tracks": [(t.name, t.hidden, [(k.frame, k.strength, where(k.image)) for k in t.keyframes],
                    [(c.name, c.start, c.length, c.source_in, c.active_take, c.link is not None,
                      (c.shot.prompt, c.shot.seed, c.shot.steps, c.shot.guidance, len(c.shot.cast)),
                      [(where(tk.media), tk.frames, tk.is_still, tk.label, tk.record) for tk in c.takes],
                      [(k.frame, k.strength, where(k.image)) for k in c.keyframes]) for c in t.clips],
                    [(g.start, g.length) for g in project.gaps(t.id)]) for t in project.tracks],
        "audio": [(t.name, t.volume_db, [(c.start, c.length, c.source_in, c.source_frames, c.gain_db, c.fade_in,
                                          c.fade_out, c.link is not None, where(c.source)) for c in t.clips])
                  for t in project.audio_tracks],
        "cast": [(m.name, m.description, where(m.image)) for m in project.cast],
    }


def made(folder: Path):
    project = load_project(folder)
    return project, folder


# --- round trips --------------------------------------------------------------------------------
def test_export_then_import_of_an_otio_gives_the_same_cut(film, tmp_path):
    project, folder = film
    out = tmp_path / "film.otio"
    result = export_timeline(project, folder, out)
    assert result.clips == 3 and result.drafts == 1 and out.is_file()

    lock, imported = create_project_from_cut(out, tmp_path / "Again.shotline")
    lock.release()
    again, again_folder = made(tmp_path / "Again.shotline")
    assert summary(again, again_folder) == summary(project, folder)
    # the recipes and the other takes came back with the clip, ids and all
    city = again.find_clip("city")[1]
    assert [t.id for t in city.takes] == ["tc1", "tc2"] and city.takes[1].record["seed"] == 7
    assert again.find_clip("boat")[1].shot.cast == ["cast-1"] and again.cast[0].id == "cast-1"
    assert imported.notes == [] and imported.offline == 0


def test_a_bundle_carries_the_media_into_the_new_project(film, tmp_path):
    project, folder = film
    out = tmp_path / "film.otioz"
    export_timeline(project, folder, out)
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
    assert {"content.otio", "version.txt", "media/sunrise.mp4", "media/city_night.mp4", "media/lake_at_dawn.png",
            "media/music.wav"} <= names

    shutil.rmtree(folder / "media")  # the bundle is all there is now
    Path(tmp_path / "music.wav").unlink()
    lock, imported = create_project_from_cut(out, tmp_path / "Carried.shotline")
    lock.release()
    again, again_folder = made(tmp_path / "Carried.shotline")
    assert imported.offline == 0
    for t in again.tracks:
        for c in t.clips:
            if c.take is not None:  # the shown media are the project's own copies, stored relative
                assert c.take.media.startswith("media/bundle/media/"), c.take.media
                assert locate_media(again_folder, c.take.media).offline_reason == ""
    sound = again.audio_tracks[0].clips[0]
    assert sound.source == "media/bundle/media/music.wav" and sound.link == again.find_clip("a")[1].link
    city = again.find_clip("city")[1]
    assert (city.start, city.length, city.source_in, city.active_take) == (216, 50, 10, 1)


def test_the_otio_file_is_plain_otio_that_any_reader_understands(film, tmp_path):
    project, folder = film
    out = tmp_path / "film.otio"
    export_timeline(project, folder, out)
    data = json.loads(out.read_text())
    schemas = set()

    def walk(node):
        if isinstance(node, dict):
            if "OTIO_SCHEMA" in node:
                schemas.add(node["OTIO_SCHEMA"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    # the schema versions OTIO writes by default (what Kdenlive, Resolve and OTIO itself read)
    written = {f"{name}.{version}" for name, version in otio.core.type_version_map().items()}
    written |= {"RationalTime.1", "TimeRange.1"}  # opentime's own, not in the map
    assert schemas <= written, schemas - written
    assert data["OTIO_SCHEMA"] == "Timeline.1"

    timeline = otio.adapters.read_from_file(str(out))
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert [t.name for t in video] == ["V1", "V2"] and [t.name for t in audio] == ["A1"]  # bottom first
    kinds = [type(i).__name__ for i in video[0]]
    assert kinds == ["Clip", "Gap", "Gap", "Clip", "Clip"]  # A, the gap, the draft shot Boat, Lake, City
    draft = video[0][2]
    assert draft.name == "Boat" and draft.metadata["shotline"]["prompt"] == "a paper boat drifts"
    assert [m.marked_range.start_time.value for m in draft.markers] == [0]  # its keyframe
    city = video[0][4]
    assert city.source_range == TR(RT(10, 24), RT(50, 24))  # the trim, rational at the project rate
    assert video[0].range_of_child_at_index(4).start_time == RT(216, 24)
    ref = city.media_reference
    assert ref.target_url.startswith("file:///") and Path(otio.url_utils.filepath_from_url(ref.target_url)).is_file()
    assert ref.available_range == TR(RT(0, 24), RT(72, 24))
    takes = city.metadata["shotline"]["takes"]
    assert [t["record"].get("seed") for t in takes] == [None, 7] and city.metadata["shotline"]["active_take"] == 1


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".edl"])
def test_editor_formats_are_written_and_read_back_by_otio(film, tmp_path, suffix):
    project, folder = film
    out = tmp_path / f"film{suffix}"
    result = export_timeline(project, folder, out)
    assert out.is_file() and out.stat().st_size > 0
    if suffix == ".edl":
        assert any("one video track" in n for n in result.notes)
    timeline = otio.adapters.read_from_file(str(out), **({"rate": 24} if suffix == ".edl" else {}))
    clips = [(c.name, c.trimmed_range()) for c in timeline.find_clips()
             if c.parent().kind == otio.schema.TrackKind.Video]
    assert ("City", TR(RT(10, 24), RT(50, 24))) in [(n, TR(r.start_time.rescaled_to(24), r.duration.rescaled_to(24)))
                                                    for n, r in clips]

    # and Shotline reads it back: the picture track's clips where they were, the draft a gap
    lock, imported = create_project_from_cut(out, tmp_path / "Back.shotline")
    lock.release()
    again = load_project(tmp_path / "Back.shotline")
    v1 = next(t for t in again.tracks if any(c.name == "City" for c in t.clips))
    assert [(c.name, c.start, c.length, c.source_in) for c in v1.clips] == [
        ("A", 0, 72, 0), ("Lake", 168, 48, 0), ("City", 216, 50, 10)]
    assert [(g.start, g.length) for g in again.gaps(v1.id)] == [(72, 96)]
    assert again.fps == 24 and (again.width, again.height) == (640, 360)


# --- cuts made elsewhere --------------------------------------------------------------------------
def media_ref(path: Path, frames: int, rate: float, start: float = 0):
    return otio.schema.ExternalReference(target_url=path.as_uri(),
                                         available_range=TR(RT(start, rate), RT(frames, rate)))


def clip(name: str, path: Path, first: float, length: float, rate: float, *, frames: int = 72, start: float = 0):
    return otio.schema.Clip(name=name, media_reference=media_ref(path, frames, rate, start),
                            source_range=TR(RT(start + first, rate), RT(length, rate)))


@pytest.fixture
def demo_media(tmp_path):
    from conftest import DEMO_MEDIA

    out = tmp_path / "footage"
    out.mkdir()
    for name in ("sunrise.mp4", "city_night.mp4", "lake_at_dawn.png", "lake_ambience.m4a"):
        shutil.copy(os.path.join(DEMO_MEDIA, name), out / name)
    return out


def foreign_cut(media: Path) -> otio.schema.Timeline:
    """A cut as Resolve or Premiere hands it over: 25 fps, two video tracks, a nested sequence,
    a dissolve, camera timecode (media starting at 01:00:00:00), a missing file, a colour matte
    and a sound track."""
    r = 25
    tl = otio.schema.Timeline(name="Edit 3", global_start_time=RT(90000, r))  # a sequence starting at 01:00:00:00
    v1 = otio.schema.Track(name="Video 1", kind=otio.schema.TrackKind.Video)
    v1.append(clip("Sunrise", media / "sunrise.mp4", 5, 40, r, frames=75, start=90000))  # camera timecode
    v1.append(otio.schema.Transition(transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                     in_offset=RT(6, r), out_offset=RT(6, r)))
    v1.append(clip("City", media / "city_night.mp4", 0, 50, r, frames=75))
    v1.append(otio.schema.Gap(source_range=TR(RT(0, r), RT(10, r))))
    nest = otio.schema.Stack(name="Nested sequence", source_range=TR(RT(10, r), RT(30, r)))
    inner_low = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    inner_low.append(clip("Lake", media / "lake_at_dawn.png", 0, 60, r, frames=60))
    inner_high = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    inner_high.append(otio.schema.Gap(source_range=TR(RT(0, r), RT(25, r))))
    inner_high.append(clip("Sunrise again", media / "sunrise.mp4", 0, 20, r, frames=75))
    nest.append(inner_low)
    nest.append(inner_high)
    v1.append(nest)
    v1.append(clip("Lost", media / "gone.mov", 0, 25, r, frames=100))
    v2 = otio.schema.Track(name="Video 2", kind=otio.schema.TrackKind.Video)
    v2.append(otio.schema.Gap(source_range=TR(RT(0, r), RT(20, r))))
    v2.append(otio.schema.Clip(name="Black", source_range=TR(RT(0, r), RT(15, r)),
                               media_reference=otio.schema.GeneratorReference(generator_kind="SolidColor")))
    a1 = otio.schema.Track(name="Audio 1", kind=otio.schema.TrackKind.Audio)
    a1.append(otio.schema.Gap(source_range=TR(RT(0, r), RT(12, r))))
    a1.append(otio.schema.Clip(name="Ambience", media_reference=media_ref(media / "lake_ambience.m4a", 250, r),
                               source_range=TR(RT(25, r), RT(100, r))))
    tl.tracks.extend([v1, v2, a1])
    return tl


def test_a_foreign_cut_imports_with_nests_flattened_transitions_as_cuts_and_missing_media_offline(
        demo_media, tmp_path):
    cut = tmp_path / "edit.otio"
    otio.adapters.write_to_file(foreign_cut(demo_media), str(cut))
    lock, imported = create_project_from_cut(cut, tmp_path / "Edit.shotline")
    lock.release()
    project = load_project(tmp_path / "Edit.shotline")
    assert project.fps == 25 and project.name == "Edit"
    assert [t.name for t in project.tracks] == ["Video 2", "Video 1"]  # top first, as Shotline lists them
    v1 = project.tracks[1]
    # the dissolve is a cut; the nest shows what its top layer shows, trimmed to its 30 frames
    assert [(c.name, c.start, c.length, c.source_in) for c in v1.clips] == [
        ("Sunrise", 0, 40, 5), ("City", 40, 50, 0), ("Lake", 100, 15, 0), ("Sunrise again", 115, 15, 0),
        ("Lost", 130, 25, 0)]
    sunrise = v1.clips[0].take
    assert sunrise.metadata["frames_at_fps"] == "24/1" and sunrise.frames == 75  # 72 frames at 24 = 75 at 25
    lake = v1.clips[2].take
    assert lake.is_still and lake.frames == 1
    lost = v1.clips[4]
    assert locate_media(tmp_path / "Edit.shotline", lost.take.media).offline_reason == "the file is missing"
    assert lost.take.frames == 100  # from the cut's own account of the file
    black = project.tracks[0].clips[0]
    assert black.is_draft and (black.name, black.start, black.length) == ("Black", 20, 15)
    sound = project.audio_tracks[0].clips[0]
    assert (sound.name, sound.start, sound.length, sound.source_in) == ("Ambience", 12, 100, 25)
    notes = " ".join(imported.notes)
    for words in ("1 transition became a cut", "nested sequence", "became a draft shot", "offline"):
        assert words in notes
    assert (project.width, project.height) == (640, 360)  # the first picture's size


def test_a_premiere_style_xml_with_a_dissolve_and_ntsc_rates_imports(demo_media, tmp_path):
    """FCP 7 XML as Premiere writes it (here by OTIO's own fcp_xml adapter), at 23.976 with a
    29.97 clip in it."""
    r = 24000 / 1001
    tl = otio.schema.Timeline(name="Premiere cut", global_start_time=RT(0, r))
    v = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    v.append(clip("Sunrise", demo_media / "sunrise.mp4", 0, 48, r))
    v.append(otio.schema.Transition(transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                    in_offset=RT(6, r), out_offset=RT(6, r)))
    v.append(clip("City", demo_media / "city_night.mp4", 12, 48, 30000 / 1001, frames=90))
    tl.tracks.append(v)
    cut = tmp_path / "premiere.xml"
    otio.adapters.write_to_file(tl, str(cut))
    lock, imported = create_project_from_cut(cut, tmp_path / "Premiere.shotline")
    lock.release()
    project = load_project(tmp_path / "Premiere.shotline")
    assert project.fps == Fraction(24000, 1001)
    # 48 frames at 29.97 are 38.4 at 23.976: conformed to whole frames, end to end
    assert [(c.name, c.start, c.length, c.source_in) for c in project.tracks[0].clips] == [
        ("Sunrise", 0, 48, 0), ("City", 48, 38, 10)]
    assert any("transition" in n for n in imported.notes)


def test_rates_written_as_floats_come_back_exact():
    assert rate_fraction(23.976) == Fraction(24000, 1001)
    assert rate_fraction(24000 / 1001) == Fraction(24000, 1001)
    assert rate_fraction(29.97) == Fraction(30000, 1001)
    assert rate_fraction(25.0) == 25 and rate_fraction(12.5) == Fraction(25, 2)


def test_the_fps_given_conforms_the_whole_cut(film, tmp_path):
    project, folder = film
    out = tmp_path / "film.otio"
    export_timeline(project, folder, out)
    imported = timeline_to_project(read_cut(out), tmp_path, fps=Fraction(48))
    v1 = imported.project.tracks[1]
    city = v1.clips[3]
    assert (city.start, city.length, city.source_in) == (432, 100, 20)
    assert city.take.frames == 144 and city.take.metadata["frames_at_fps"] == "24/1"
    boat = v1.clips[1]
    assert (boat.start, boat.length, [k.frame for k in boat.keyframes]) == (192, 144, [0])


# --- refusals: one line, nothing made ---------------------------------------------------------------
BAD_FILES = {
    "garbage.otio": b"this is not json",
    "truncated.otio": b'{"OTIO_SCHEMA": "Timeline.1", "tracks": {',
    "clip.otio": json.dumps({"OTIO_SCHEMA": "Clip.2", "name": "x", "metadata": {}}).encode(),
    "empty.otio": json.dumps({"OTIO_SCHEMA": "Timeline.1", "name": "nothing", "metadata": {},
                              "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [], "metadata": {}}}).encode(),
    "nothing.xml": b"",
    "other.xml": b"<?xml version='1.0'?><html><body>hello</body></html>",
    "broken.fcpxml": b"<fcpxml version='1.8'><resources>",
    "binary.edl": bytes(range(256)) * 8,
    "notzip.otioz": b"PK\x03\x04 not really a zip",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_cut_gives_one_line_and_makes_nothing(tmp_path, capsys, name):
    cut = tmp_path / name
    cut.write_bytes(BAD_FILES[name])
    before = set(tmp_path.iterdir())
    rc = run("new", [str(tmp_path / "Bad.shotline"), "--from", str(cut)])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("shotline: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "internal error" not in err
    assert set(tmp_path.iterdir()) == before  # no project, no hidden half-made folder


def test_a_cut_longer_than_a_project_may_be_is_refused(tmp_path, capsys):
    tl = otio.schema.Timeline(name="Forever")
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Clip(name="Long", source_range=TR(RT(0, 24), RT(24 * 3600 * 48, 24)),
                                  media_reference=otio.schema.ExternalReference(target_url="file:///nowhere/x.mov")))
    tl.tracks.append(track)
    cut = tmp_path / "forever.otio"
    otio.adapters.write_to_file(tl, str(cut))
    assert run("new", [str(tmp_path / "Long.shotline"), "--from", str(cut)]) == 2
    err = capsys.readouterr().err
    assert "can't be imported" in err and err.count("\n") == 1
    assert not (tmp_path / "Long.shotline").exists()


def test_cut_arguments_are_checked(tmp_path, capsys, film):
    cut = tmp_path / "film.otio"
    export_timeline(*film, cut)
    for argv, words in (
        ([str(tmp_path / "X"), "--from", str(tmp_path / "none.otio")], "no such file"),
        ([str(tmp_path / "X"), "--from", str(tmp_path / "film.mov")], "a timeline file ends in"),
        ([str(tmp_path / "X"), "a.mp4", "--from", str(cut)], "not both"),
        ([str(tmp_path / "X"), "--from", str(cut), "--fps", "1000"], "--fps"),
    ):
        assert run("new", argv) == 2
        assert words in capsys.readouterr().err
    assert not (tmp_path / "X.shotline").exists()


# --- the export command ---------------------------------------------------------------------------
def test_export_command_writes_each_format_by_its_suffix(film, tmp_path, capsys):
    _, folder = film
    for suffix, adapter in ((".otio", "otio_json"), (".otioz", "otioz"), (".xml", "fcp_xml"),
                            (".fcpxml", "fcpx_xml"), (".edl", "cmx_3600")):
        out = tmp_path / f"cut{suffix}"
        assert run("export", [str(folder), "-o", str(out)]) == 0, capsys.readouterr().err
        assert capsys.readouterr().out.startswith(f"wrote {out}")
        assert otio.adapters.read_from_file(str(out), adapter_name=adapter) is not None
    # an existing file is replaced by the finished one; no scratch file is left beside it
    assert run("export", [str(folder), "-o", str(tmp_path / "cut.otio")]) == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cut")]


def test_export_refuses_what_the_mp4_export_refuses(film, tmp_path, capsys):
    project, folder = film
    (tmp_path / "folder.otio").mkdir()
    for out, words in ((folder / "media" / "cut.otio", "inside the project's media/ folder"),
                       (folder / "project.json.otio", None),
                       (tmp_path / "nowhere" / "cut.xml", "does not exist"),
                       (tmp_path / "folder.otio", "is a folder")):
        rc = run("export", [str(folder), "-o", str(out)])
        err = capsys.readouterr().err
        if words is None:  # a new name beside project.json is the user's own file
            assert rc == 0
            continue
        assert rc == 2 and words in err, err
    assert not (folder / "media" / "cut.otio").exists()
    assert run("export", [str(folder), "-o", str(tmp_path / "r.otio"), "--range", "0:2"]) == 2
    assert "for an MP4 only" in capsys.readouterr().err and not (tmp_path / "r.otio").exists()

    # a bundle needs the media it carries: a missing file is named and nothing is written
    (folder / "media" / "sunrise.mp4").rename(tmp_path / "away.mp4")
    with pytest.raises(InterchangeError, match="sunrise.mp4"):
        export_timeline(project, folder, tmp_path / "cut.otioz")
    assert not (tmp_path / "cut.otioz").exists()
    # a .otio only names the files: it is written, and says which are missing
    result = export_timeline(project, folder, tmp_path / "cut.otio")
    assert any("missing" in n for n in result.notes)


def test_an_empty_cut_is_not_exported(tmp_path):
    from editor.document.project import Project, Track

    with pytest.raises(InterchangeError, match="empty"):
        export_timeline(Project(tracks=[Track(id="v", name="V1")]), None, tmp_path / "x.otio")
    assert not (tmp_path / "x.otio").exists()


def test_a_draft_edited_elsewhere_keeps_its_prompt_and_a_new_take_is_added(film, tmp_path):
    """In another editor the user shortened the draft and swapped City's file: the prompt stays,
    the new file is the active take, and the recipes of the old takes are kept beside it."""
    project, folder = film
    out = tmp_path / "film.otio"
    export_timeline(project, folder, out)
    timeline = otio.adapters.read_from_file(str(out))
    v1 = next(t for t in timeline.tracks if t.name == "V1")
    v1[2].source_range = TR(RT(0, 24), RT(40, 24))  # the draft, shortened by 32 frames
    other = tmp_path / "other.mp4"
    shutil.copy(folder / "media" / "sunrise.mp4", other)
    v1[4].media_reference = media_ref(other, 72, 24)
    otio.adapters.write_to_file(timeline, str(out))
    imported = timeline_to_project(read_cut(out), tmp_path)
    boat = imported.project.tracks[1].clips[1]
    assert (boat.is_draft, boat.length, boat.shot.prompt) == (True, 40, "a paper boat drifts")
    city = imported.project.tracks[1].clips[3]
    assert len(city.takes) == 3 and city.take.media == str(other) and city.takes[1].record["seed"] == 7


def test_each_takes_recipe_is_in_the_otio_metadata_with_the_model_folder_hash(film, tmp_path):
    """Another tool reading the .otio sees how each take was made in the recipe's own words."""
    from editor.document.recipe import recipe_of

    project, folder = film
    city = project.find_clip("city")[1]
    city.takes[1].record = {**city.takes[1].record, "model": {"path": "/models/ltx", "title": "LTX-Video",
                                                              "kind": "ltx-condition", "folder_hash": "0123456789ab"}}
    out = tmp_path / "film.otio"
    export_timeline(project, folder, out)
    timeline = otio.adapters.read_from_file(str(out))
    item = next(c for c in timeline.find_clips() if c.metadata["shotline"]["clip"]["id"] == "city")
    takes = item.metadata["shotline"]["takes"]
    assert takes[1]["recipe"] == recipe_of(city.takes[1]).to_dict()
    assert (takes[1]["recipe"]["model_hash"], takes[1]["recipe"]["seed"]) == ("0123456789ab", 7)
    assert takes[0]["recipe"] == (recipe_of(city.takes[0]).to_dict() if recipe_of(city.takes[0]) else None)


# --- cuts shaped like the samples OTIO's own repository ships (written for these tests) ---------
SAMPLES = Path(__file__).parent / "data" / "otio_samples"


def _import_sample(name: str, tmp_path):
    lock, imported = create_project_from_cut(SAMPLES / name, tmp_path / "Sample.shotline")
    lock.release()
    project = load_project(tmp_path / "Sample.shotline")
    shown = {t.name: [(c.name, c.start, c.length, c.source_in, c.is_draft) for c in t.clips] for t in project.tracks}
    sounds = {t.name: [(c.name, c.start, c.length, c.source_in) for c in t.clips] for t in project.audio_tracks}
    return project, imported, shown, sounds


def test_nested_stacks_and_tracks_with_clips_straight_in_them_keep_their_place(tmp_path):
    """Stacks holding clips directly (no track), a sped-up stack, a frozen inner track, no media."""
    project, imported, shown, _ = _import_sample("nested.otio", tmp_path)
    assert shown == {"Main": [("Opening", 0, 60, 40, False), ("Inside one", 60, 20, 200, False),
                              ("Middle", 80, 25, 10, False), ("Inside two", 105, 32, 300, False),
                              ("Held frame", 137, 1, 500, False), ("Closing", 143, 45, 0, False)]}
    assert imported.notes[:2] == ["3 nested sequences were flattened into their tracks.",
                                  "2 clips had effects (speed changes, filters) that were left out."]
    assert imported.offline == 6  # no media reference at all: offline, ready to relink


def test_transitions_at_both_ends_and_between_clips_become_cuts(tmp_path):
    """Dissolves before the first clip, between two and after the last; null media references;
    a switched-off clip leaves its hole."""
    _, imported, shown, _ = _import_sample("transitions.otio", tmp_path)
    assert shown == {"Cut": [("First", 0, 40, 0, False), ("Second", 40, 40, 12, False), ("Fourth", 110, 30, 0, False)]}
    assert imported.notes[:2] == ["3 transitions became cuts (Shotline has no transitions).",
                                  "1 disabled clip was left out."]


def test_a_multitrack_cut_keeps_every_layer_and_sound_track_in_order(tmp_path):
    project, imported, shown, sounds = _import_sample("multitrack.otio", tmp_path)
    assert project.fps == 25 and list(shown) == ["V3", "V2", "V1"]  # top layer first, as Shotline lists them
    assert shown["V1"] == [("Plate", 0, 100, 0, False), ("Plate 2", 100, 75, 50, False)]
    # a one-frame picture trimmed past its only frame: shown from that frame, for its 50
    assert shown["V2"] == [("Overlay", 30, 50, 0, False)] and shown["V3"] == [("Sky", 0, 20, 0, False)]
    assert sounds == {"A1": [("Dialogue", 0, 175, 0)], "A2": [("Music", 25, 120, 100)]}
    assert imported.offline == 6 and project.duration == 175


def test_a_premiere_xml_with_shared_files_a_fade_to_black_and_a_nested_sequence_imports(tmp_path):
    """FCP 7 XML in Premiere's shape. OTIO's reader leaves a clip's nested sequence empty: it
    becomes a named draft shot where it was, rather than a silent hole."""
    project, imported, shown, sounds = _import_sample("premiere.xml", tmp_path)
    assert project.fps == 30
    assert shown["V1"] == [("harbour_wide.mov", 0, 60, 15, False), ("gulls.mov", 60, 50, 0, False),
                           ("pier_sequence", 110, 80, 0, True)]
    assert shown["V2"] == [("harbour_wide.mov", 20, 20, 0, False)]  # OTIO's FCP reader ignores <enabled>
    assert [c[:3] for t in sounds.values() for c in t] == [("harbour_wide.mov", 0, 60)] * 2
    v1 = next(t for t in project.tracks if t.name == "V1")
    assert v1.clips[0].take.media == v1.clips[1].take.media.replace("gulls", "harbour_wide")  # one file, by id
    notes = " ".join(imported.notes)
    assert "1 transition became a cut" in notes and "came empty" in notes and "became a draft shot" in notes
