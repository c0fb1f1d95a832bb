"""New projects made in the window start with an empty A1 (as `new` on the CLI and upgraded
projects do), and the demo has a soft ambience on A1 that really plays: its mix is decoded here."""

from __future__ import annotations

import numpy as np
import pytest

from editor.media.mix import mix_range
from editor.ui.project_session import DEMO_SOURCE, ProjectSession, demo_project
from editor.ui.settings import Settings


@pytest.fixture
def session(qtbot):
    """A project session as a window holds one, without the window; closed and deleted on the
    GUI thread at the end while the test still holds it (left to Python, its last reference can
    go on a worker thread, and the session's autosave timer fired on freed memory: a segfault
    in QTimerInfoList::activateTimers, about 1 run in 10 of this file with the next)."""
    s = ProjectSession(Settings())
    yield s
    s.close()
    s.deleteLater()
    qtbot.wait(0)


def _level_db(project, folder, first: int, end: int) -> float:
    x = mix_range(project, folder, first, end)
    return float(20 * np.log10(max(1e-9, np.sqrt((x ** 2).mean()))))


def test_a_new_project_in_the_window_has_an_empty_a1(session, tmp_path):
    for opened in (session.prepare_new(), session.prepare_new("Trip", folder=tmp_path / "Trip")):
        p = opened.document.project
        assert [t.name for t in p.audio_tracks] == ["A1"] and not p.audio_tracks[0].clips


def test_the_demo_has_a_soft_ambience_on_a1(session):
    session.open_demo()
    p = session.document.project
    assert [t.name for t in p.audio_tracks] == ["A1"]
    (sound,) = p.audio_tracks[0].clips
    assert sound.start == 0 and sound.end == p.duration and sound.fade_in > 0 and sound.fade_out > 0
    level = _level_db(p, session.folder, 48, 240)
    assert -40 < level < -12  # heard, and soft
    assert _level_db(p, session.folder, 0, 1) < level - 20  # it fades in: no click at the start
    assert (DEMO_SOURCE / "media" / "lake_ambience.m4a").stat().st_size < 300_000


def test_the_demo_laid_out_from_its_media_alone_has_the_ambience_too():
    p = demo_project(DEMO_SOURCE / "media")
    (a1,) = p.audio_tracks
    (sound,) = a1.clips
    assert sound.end <= p.duration and _level_db(p, None, 48, 200) > -40
