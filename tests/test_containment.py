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
