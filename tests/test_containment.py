"""Nothing escapes the project folder: one media resolver, and it keeps relative paths inside.

The rule (editor.document.media_paths): an absolute path outside the folder is a file the user
imported and is read where it is; a relative path must stay inside the folder (no `..` out, no
symlink out, no `~` expansion); a refused path is offline with a reason and is never read.
"""

from __future__ import annotations

import os
import string
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from editor.document.media_paths import MediaRefused, locate_media, real_inside, resolve_media
from editor.document.project import Clip, Project, Take, Track
from editor.document.storage import check_media, save_project
from editor.media.cut import CutReader
from editor.media.errors import MediaError
from editor.media.thumbnails import ThumbnailCache

W, H = 32, 24


def _png(path: Path, value: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((H, W, 3), value, np.uint8)).save(path)
    return path


def _still_project(media: str) -> Project:
    clip = Clip("c", start=0, length=10, name="Shot", takes=[Take("t", media, 1, is_still=True)])
    return Project(name="P", fps=Fraction(24), width=W, height=H, tracks=[Track("v1", "V1", [clip])])


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """A project folder with links in and out, and a secret picture outside it."""
    root = tmp_path / "P.shotline"
    outside = tmp_path / "outside"
    secret = _png(outside / "secret.png", 250)
    _png(root / "media" / "own.png", 40)
    (root / "media" / "inlink.png").symlink_to(root / "media" / "own.png")
    (root / "media" / "outlink.png").symlink_to(secret)
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root / "loop")
    return {"root": root, "outside": outside, "secret": secret}


@pytest.mark.parametrize("stored", [
    "media/outlink.png",  # a file that is a link out
    "linkdir/secret.png",  # a folder on the way that is a link out
    "media/../linkdir/secret.png",
    "../outside/secret.png",  # climbs out
    "media/../../outside/secret.png",
    "..\\outside\\secret.png",  # a Windows-made path climbing out
])
def test_paths_leaving_the_folder_are_refused_offline_and_never_read(tree, stored):
    root = tree["root"]
    where = locate_media(root, stored)
    assert where.path is None and where.refused and where.offline_reason == where.refused
    with pytest.raises(MediaRefused, match="refused"):
        resolve_media(root, stored)
    assert check_media(_still_project(stored), root) == [stored]
    with pytest.raises(MediaError, match="refused"):
        ThumbnailCache(root, height=12).path_for(stored)
    assert not (root / "cache" / "thumbnails").exists() or not any((root / "cache" / "thumbnails").iterdir())
    project = _still_project(stored)
    with CutReader(project, root) as cut:  # the preview: an offline card, not the secret picture
        frame = cut.frame_at(0)
        assert cut.shown_at(0).media is None
        assert not (frame == 250).all(axis=2).mean() > 0.5
    with CutReader(project, root, strict=True) as cut, pytest.raises(MediaError, match="Shot"):
        cut.frame_at(0)  # export: refused with the shot's name


def test_a_symlink_loop_is_offline_not_a_hang(tree):
    where = locate_media(tree["root"], "loop/x.png")
    assert where.offline_reason
    assert check_media(_still_project("loop/x.png"), tree["root"]) == ["loop/x.png"]


def test_a_tilde_path_is_never_the_users_home(tree, tmp_path, monkeypatch):
    # Before: the panels called `~/x.png` offline while the preview and the export read the home file.
    home = tmp_path / "home"
    _png(home / "x.png", 250)
    monkeypatch.setenv("HOME", str(home))
    root = tree["root"]
    assert resolve_media(root, "~/x.png") == root / "~" / "x.png"
    project = _still_project("~/x.png")
    assert check_media(project, root) == ["~/x.png"]
    with CutReader(project, root, strict=True) as cut, pytest.raises(MediaError):
        cut.frame_at(0)
    with CutReader(project, root) as cut:
        assert not (cut.frame_at(0) == 250).all(axis=2).mean() > 0.5


def test_links_inside_and_imported_files_outside_are_read(tree):
    root = tree["root"]
    assert resolve_media(root, "media/inlink.png") == root / "media" / "inlink.png"
    assert resolve_media(root, "media/own.png") == root / "media" / "own.png"
    assert resolve_media(root, "media\\own.png") == root / "media" / "own.png"
    secret = str(tree["secret"])
    assert resolve_media(root, secret) == tree["secret"]  # absolute: the user imported it
    assert check_media(_still_project(secret), root) == []
    with CutReader(_still_project(secret), root, strict=True) as cut:
        assert cut.frame_at(0)[0, 0, 0] == 250
    # an absolute path inside the folder obeys the folder's rule
    with pytest.raises(MediaRefused):
        resolve_media(root, str(root / "media" / "outlink.png"))


def test_a_project_behind_a_symlinked_folder_still_reads_its_media(tree, tmp_path):
    alias = tmp_path / "alias.shotline"
    alias.symlink_to(tree["root"], target_is_directory=True)
    assert resolve_media(alias, "media/own.png") == alias / "media" / "own.png"
    with pytest.raises(MediaRefused):
        resolve_media(alias, "media/outlink.png")


def test_saving_and_loading_keep_a_refused_path_refused(tree):
    root = tree["root"]
    save_project(_still_project("media/outlink.png"), root)
    from editor.document.storage import load_project

    assert check_media(load_project(root), root) == ["media/outlink.png"]


# --- property: any string -------------------------------------------------------------------------

_PARTS = ["media", "own.png", "inlink.png", "outlink.png", "linkdir", "loop", "secret.png", "outside", "..",
          ".", "~", "", "sub", "x\\..\\..", "P.shotline", "\x00", "C:"]


@st.composite
def _stored_paths(draw) -> str:
    parts = draw(st.lists(st.sampled_from(_PARTS) | st.text(string.printable, max_size=6), max_size=6))
    sep = draw(st.sampled_from(["/", "\\"]))
    lead = draw(st.sampled_from(["", "/", "~/", "ROOT/", "TMP/"]))
    return lead + sep.join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=_stored_paths())
def test_property_resolving_stays_inside_unless_absolute(tree, stored):
    root = tree["root"]
    stored = stored.replace("ROOT/", f"{root}/").replace("TMP/", f"{root.parent}/")
    where = locate_media(root, stored)  # never raises
    try:
        resolved = resolve_media(root, stored)
    except MediaRefused:
        assert where.path is None and where.refused
        return
    assert resolved == where.path and resolved.is_absolute()
    lexically_inside = os.path.abspath(stored).startswith(str(root) + os.sep) or os.path.abspath(stored) == str(root)
    if not os.path.isabs(stored) or lexically_inside:
        assert real_inside(root, resolved), (stored, resolved)
    assert where.offline_reason in ("", "the file is missing")


# --- writing and deleting: never through a link out of the project ---------------------------------


@pytest.fixture
def linked_out(tmp_path: Path) -> dict[str, Path]:
    """A saved project whose autosave/ and cache/ are links to a folder outside holding the
    user's files, named like autosaves and thumbnails so that pruning would pick them."""
    from editor.document.samples import sample_project

    outside = tmp_path / "outside"
    outside.mkdir()
    precious = [outside / f"project-2000010{i}-000000-000000.json" for i in range(8)]
    for p in precious:
        p.write_text("the user's own file")
    root = tmp_path / "Film.shotline"
    save_project(sample_project(tracks=1, clips_per_track=2), root)
    for name in ("autosave", "cache"):
        (root / name).rmdir()
        (root / name).symlink_to(outside, target_is_directory=True)
    return {"root": root, "outside": outside, "precious": precious}


def _outside_state(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def test_autosave_through_a_link_out_deletes_and_writes_nothing_there(linked_out):
    from editor.document.autosave import autosave, autosaves, find_recovery
    from editor.document.edits import RenameClip
    from editor.document.storage import ProjectError, open_document
    from editor.document.subfolders import FolderRefused

    before = _outside_state(linked_out["outside"])
    doc = open_document(linked_out["root"])
    clip = doc.project.tracks[0].clips[0]
    for i in range(12):  # more than the autosaves kept: pruning would have run many times
        doc.request(RenameClip(clip_id=clip.id, name=f"Take {i}"))
        with pytest.raises(ProjectError, match="outside the project") as refused:
            autosave(doc, keep=2)
        assert isinstance(refused.value, FolderRefused)
    assert _outside_state(linked_out["outside"]) == before
    assert autosaves(linked_out["root"]) == [] and find_recovery(linked_out["root"]) is None


def test_the_editor_says_why_autosave_is_refused(qtbot, linked_out, make_session):
    from editor.document.edits import RenameClip
    from editor.ui.settings import Settings

    before = _outside_state(linked_out["outside"])
    session = make_session(Settings())
    said: list[str] = []
    session.message.connect(said.append)
    session.open(linked_out["root"])
    clip = session.document.project.tracks[0].clips[0]
    for i in range(6):
        session.document.request(RenameClip(clip_id=clip.id, name=f"Take {i}"))
        assert session.autosave_now() is None
    assert said and all("Autosave failed" in s and "outside the project" in s for s in said if "Autosave" in s)
    assert _outside_state(linked_out["outside"]) == before


def test_thumbnails_and_proxies_are_not_written_through_a_link_out(linked_out, tmp_path):
    from editor.media.proxies import build_proxy
    from editor.media.takes import write_take

    before = _outside_state(linked_out["outside"])
    root = linked_out["root"]
    _png(root / "media" / "pic.png", 90)
    with pytest.raises(MediaError, match="outside the project"):
        ThumbnailCache(root, height=12).get("media/pic.png")
    write_take(root / "media" / "clip.mkv", [np.full((H, W, 3), 9, np.uint8)] * 3, 24)
    with pytest.raises(MediaError, match="outside the project"):
        build_proxy(root, "media/clip.mkv")
    assert _outside_state(linked_out["outside"]) == before


def test_takes_cast_pictures_and_conformed_copies_are_not_written_through_a_link_out(tmp_path):
    from editor.media.paths import media_subfolder
    from editor.ui.cast_panel import store_cast_image

    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "P.shotline"
    root.mkdir()
    (root / "media").symlink_to(outside, target_is_directory=True)
    picture = _png(tmp_path / "hero.png", 120)
    with pytest.raises(MediaError, match="outside the project"):
        media_subfolder(root, "media")
    with pytest.raises(MediaError, match="outside the project"):
        store_cast_image(picture, root)
    with pytest.raises(MediaError, match="outside the project"):
        media_subfolder(root, "media/conformed")
    assert list(outside.iterdir()) == []


def test_project_subfolder_makes_real_folders_and_allows_links_inside(tmp_path):
    from editor.document.subfolders import FolderRefused, project_subfolder

    root = tmp_path / "P.shotline"
    made = project_subfolder(root, "cache/thumbnails")
    assert made.is_dir() and made == root / "cache" / "thumbnails"
    (root / "store").mkdir()
    (root / "autosave").symlink_to(root / "store", target_is_directory=True)
    assert project_subfolder(root, "autosave") == root / "autosave"
    (root / "media").symlink_to(tmp_path / "nowhere", target_is_directory=True)  # dangling, out
    with pytest.raises(FolderRefused, match="outside the project"):
        project_subfolder(root, "media/cast")
    assert not (tmp_path / "nowhere").exists()


# --- a project opened by a relative path -----------------------------------------------------------


def test_a_project_opened_by_a_relative_path_finds_its_media(ui_document, monkeypatch):
    from editor.document.storage import load_project, open_document, project_folder

    monkeypatch.chdir(ui_document.folder.parent)
    doc = open_document("Film.shotline")
    assert doc.folder == ui_document.folder and doc.folder.is_absolute()
    assert project_folder("Film.shotline/project.json") == ui_document.folder
    assert check_media(load_project("Film.shotline"), project_folder("Film.shotline")) == []
    with CutReader(doc.project, doc.folder, strict=True) as cut:
        cut.frame_at(0)


def test_the_window_shows_every_thumbnail_of_a_project_opened_by_a_relative_path(qtbot, ui_document, monkeypatch):
    # Before: the media path got the project folder prepended twice and every thumbnail was lost.
    from editor.ui.main_window import MainWindow

    monkeypatch.chdir(ui_document.folder.parent)
    w = MainWindow(restore_layout=False, ask=False)
    try:
        assert w.open_project_path("Film.shotline")
        assert w.session.folder == ui_document.folder
        shown = [(c.take.media, 0 if c.take.is_still else c.source_in)
                 for t in w.session.document.project.tracks for c in t.clips if c.take is not None]
        assert shown
        for media, frame in shown:
            w.thumbnails.get(media, frame, 40)
        qtbot.waitUntil(lambda: w.thumbnails.pending == 0)
        assert all(w.thumbnails.cached(media, frame, 40) is not None for media, frame in shown)
    finally:
        w.ask_save_changes = lambda: "discard"
        w.close()


def test_a_link_planted_in_the_cache_is_never_shown_and_never_followed(tmp_path):
    import hashlib

    root = tmp_path / "P.shotline"
    pic = _png(root / "media" / "pic.png", 60)
    secret = _png(tmp_path / "secret.png", 250)
    thumbs = ThumbnailCache(root, height=12)
    st_ = pic.stat()
    ident = f"{pic}|{st_.st_mtime_ns}|{st_.st_size}|0|12"
    planted = root / "cache" / "thumbnails" / f"{hashlib.sha1(ident.encode('utf-8')).hexdigest()}.jpg"
    planted.parent.mkdir(parents=True)
    planted.symlink_to(secret)
    assert thumbs.path_for("media/pic.png") == planted and not planted.is_symlink()
    assert abs(float(thumbs.get("media/pic.png").mean()) - 60) < 4
    assert secret.exists()


def test_a_job_journal_linked_out_of_the_project_is_refused(tmp_path):
    from editor.ui.jobs.job_queue import _open_journal
    from model.journal import JournalError

    root = tmp_path / "P.shotline"
    root.mkdir()
    outside = tmp_path / "elsewhere.sqlite"
    outside.write_bytes(b"the user's database")
    (root / "jobs.sqlite").symlink_to(outside)
    with pytest.raises(JournalError, match="outside the project"):
        _open_journal(root / "jobs.sqlite")
    assert outside.read_bytes() == b"the user's database"


def test_saving_a_project_whose_media_is_a_dangling_link_out_saves_and_makes_nothing_outside(tmp_path):
    from editor.document.samples import sample_project
    from editor.document.storage import load_project

    root = tmp_path / "P.shotline"
    root.mkdir()
    (root / "media").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    save_project(sample_project(), root)
    assert load_project(root).name == "Sample"
    assert not (tmp_path / "nowhere").exists()
