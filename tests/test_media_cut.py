"""The cut's rules: the top track wins, hidden tracks are skipped, gaps are black, drafts are cards."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from editor.document.project import Clip, Project, ShotSettings, Take, Track
from editor.media.cut import CutReader
from editor.media.errors import MediaError
from editor.media.takes import write_take

W, H = 64, 48


def _solid(value: int, n: int = 1) -> list[np.ndarray]:
    return [np.full((H, W, 3), (value + i) % 256, np.uint8) for i in range(n)]


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "Cut.shotline"
    (root / "media").mkdir(parents=True)
    write_take(root / "media" / "ramp.mkv", [np.full((H, W, 3), 10 * i, np.uint8) for i in range(20)], 24)
    write_take(root / "media" / "top.mkv", _solid(200, 10), 24)
    Image.fromarray(np.full((H, W, 3), (0, 0, 255), np.uint8)).save(root / "media" / "blue.png")
    Image.fromarray(np.full((24, 64, 3), 255, np.uint8)).save(root / "media" / "wide.png")  # 8:3
    return root


def _take(media: str, frames: int, still: bool = False) -> Take:
    return Take(id=f"t-{media}", media=media, frames=frames, is_still=still)


def _project(*tracks: Track) -> Project:
    return Project(name="Cut", fps=Fraction(24), width=W, height=H, tracks=list(tracks))


def test_video_clip_shows_source_in_plus_offset_and_holds_its_last_frame(folder):
    clip = Clip("c", start=10, length=30, name="Ramp", takes=[_take("media/ramp.mkv", 20)], source_in=5)
    cut = CutReader(_project(Track("v1", "V1", [clip])), folder)
    assert cut.frame_at(10)[0, 0, 0] == 50  # media frame 5
    assert cut.frame_at(17)[0, 0, 0] == 120  # media frame 12
    assert cut.shown_at(17).source_frame == 12
    assert cut.frame_at(35)[0, 0, 0] == 190  # past the media's end: its last frame held
    assert cut.frame_at(9).max() == 0 and cut.frame_at(40).max() == 0  # before and after: black
    cut.close()


def test_top_track_wins_and_hidden_tracks_are_skipped(folder):
    top = Track("v2", "V2", [Clip("t", start=5, length=5, name="Top", takes=[_take("media/top.mkv", 10)])])
    under = Track("v1", "V1", [Clip("u", start=0, length=20, name="Under", takes=[_take("media/ramp.mkv", 20)])])
    project = _project(top, under)  # tracks[0] is the top track
    with CutReader(project, folder) as cut:
        assert cut.shown_at(6).clip.id == "t" and cut.frame_at(6)[0, 0, 0] == 201
        assert cut.shown_at(3).clip.id == "u" and cut.frame_at(3)[0, 0, 0] == 30  # top has a gap there
        top.hidden = True  # the project is read live: no rebuild needed
        assert cut.shown_at(6).clip.id == "u" and cut.frame_at(6)[0, 0, 0] == 60
        under.hidden = True
        assert cut.shown_at(6).kind == "gap" and cut.frame_at(6).max() == 0


def test_gaps_are_black_and_stills_hold_for_the_clip(folder):
    track = Track("v1", "V1", [
        Clip("a", start=0, length=4, name="Blue", takes=[_take("media/blue.png", 1, still=True)]),
        Clip("b", start=10, length=4, name="Blue again", takes=[_take("media/blue.png", 1, still=True)]),
    ])
    with CutReader(_project(track), folder) as cut:
        first, last = cut.frame_at(0), cut.frame_at(3)
        assert np.array_equal(first, last) and tuple(first[5, 5]) == (0, 0, 255)
        gap = cut.frame_at(6)
        assert gap.shape == (H, W, 3) and gap.max() == 0
        assert cut.shown_at(6).kind == "gap"


def test_draft_shot_is_a_titled_card_with_its_prompt(folder):
    shot = Clip("d", start=0, length=24, name="Shot 1", shot=ShotSettings(prompt="a paper boat on a lake"))
    project = Project(name="Cut", fps=Fraction(24), width=320, height=180,
                      tracks=[Track("v1", "V1", [shot])])
    with CutReader(project, folder) as cut:
        card = cut.frame_at(3)
        assert cut.shown_at(3).kind == "draft"
        assert card.shape == (180, 320, 3)
        assert card.mean() < 80 and card.max() > 200  # a dark card with light text on it
        assert np.array_equal(card, cut.frame_at(20))  # the same card for the whole shot
        shot.shot.prompt = "a storm over the sea, lightning"
        assert not np.array_equal(card, cut.frame_at(3))  # its text follows the prompt
        shot.takes.append(_take("media/top.mkv", 10))  # generated: the card gives way to frames
        assert cut.shown_at(3).kind == "video"


def test_clip_fit_modes_and_output_size(folder):
    clip = Clip("w", start=0, length=2, name="Wide", takes=[_take("media/wide.png", 1, still=True)])
    project = _project(Track("v1", "V1", [clip]))
    with CutReader(project, folder) as cut:
        boxed = cut.frame_at(0)  # letterbox by default: bars above and below
        assert boxed[:8].max() == 0 and boxed[H // 2].min() == 255
        clip.metadata["fit"] = "crop"
        assert cut.frame_at(0).min() == 255
    with CutReader(project, folder, width=32, height=24) as small:
        assert small.frame_at(0).shape == (24, 32, 3)


def test_missing_media_shows_an_offline_card_in_preview_and_fails_an_export(folder):
    clip = Clip("m", start=0, length=5, name="Lost", takes=[_take("media/gone.mkv", 5)])
    project = _project(Track("v1", "V1", [clip]))
    with CutReader(project, folder) as cut:
        card = cut.frame_at(0)
        assert card.shape == (H, W, 3) and card[..., 0].mean() > card[..., 2].mean()  # a red warning card
    with CutReader(project, folder, strict=True) as strict, pytest.raises(MediaError) as err:
        strict.frame_at(0)
    assert "Lost" in str(err.value) and "gone.mkv" in str(err.value)


def test_frames_are_cached_by_media_frame_and_are_read_only(folder):
    clip = Clip("c", start=0, length=20, name="Ramp", takes=[_take("media/ramp.mkv", 20)])
    project = _project(Track("v1", "V1", [clip]))
    with CutReader(project, folder) as cut:
        a = cut.frame_at(4)
        hits = cut.cache.hits
        clip.start = 2  # a moved clip reuses what was decoded: frame 6 now shows media frame 4
        assert cut.frame_at(6) is a and cut.cache.hits == hits + 1
        with pytest.raises(ValueError):
            a[0, 0, 0] = 1  # shared frames can't be drawn on by accident
        assert len(cut.decoders) == 1
