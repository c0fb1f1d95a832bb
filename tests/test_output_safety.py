"""Outputs never destroy their sources (issue 8, "Data loss"): export and the generation commands
refuse to write onto a file they read or the project keeps, comparing real paths (symlinks, hard
links, `a/../a.mp4`). Real files, real ffmpeg, the commands as a user runs them."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.cli import generate_commands, project_commands
from editor.media.export import ExportError, ExportOptions, export_project
from editor.media.outputs import OutputRefused, refuse_overwrite

ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_state(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under folder with size, mtime and content hash: proves a refusal changed nothing."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, digest(p))
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def frames(n: int, w: int = 64, h: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 3, y * 4, (x + y) * 2], -1).clip(0, 255).astype(np.uint8)
    return np.stack([np.roll(base, i, axis=1) for i in range(n)])


@pytest.fixture
def film(tmp_path, encode_video):
    """A project (made by `new`) whose cut is an imported clip and a still, both outside its folder,
    plus a take copied into its media/ folder."""
    clip = encode_video(list(frames(24)), name="clip.mp4")
    still = tmp_path / "still.png"
    Image.fromarray(frames(1)[0]).save(still)
    folder = tmp_path / "Film.shotline"
    rc = project_commands.run("new", [str(folder), str(clip), str(still), "--size", "64x48",
                                      "--still-seconds", "0.5"])
    assert rc == 0
    take = folder / "media" / "take.mp4"
    take.write_bytes(clip.read_bytes())
    return {"folder": folder, "clip": clip, "still": still, "take": take, "root": tmp_path}


def export_cli(capsys, *argv: str) -> tuple[int, str]:
    rc = project_commands.run("export", list(argv))
    return rc, capsys.readouterr().err


def test_export_onto_an_imported_clip_is_refused_however_the_path_is_written(film, capsys, tmp_path):
    clip, folder = film["clip"], film["folder"]
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.mp4"
    link.symlink_to(clip)
    hard = tmp_path / "hard.mp4"
    os.link(clip, hard)
    before = tree_state(tmp_path)
    for target in (clip, tmp_path / "sub" / ".." / "clip.mp4", link, hard):
        rc, err = export_cli(capsys, str(folder), "-o", str(target), "--preset", "ultrafast")
        assert rc == 2, err
        assert err.count("\n") == 1 and err.startswith("shotline: error: ") and "Traceback" not in err
        assert "a take of 'clip' in this project" in err and "Choose another file name" in err
    assert tree_state(tmp_path) == before  # nothing written: no partial, no log, sources intact


def test_export_into_the_projects_own_folders_is_refused(film, capsys):
    folder = film["folder"]
    before = tree_state(film["root"])
    for target in (film["take"], folder / "media" / "new.mp4", folder / "autosave" / "x.mp4",
                   folder / "cache" / "x.mp4"):
        rc, err = export_cli(capsys, str(folder), "-o", str(target), "--preset", "ultrafast")
        assert rc == 2 and err.count("\n") == 1, err
        assert "inside the project's" in err
    assert tree_state(film["root"]) == before


def test_export_routine_refuses_project_json_and_hidden_project_files(film):
    from editor.document.storage import load_project

    folder = film["folder"]
    project = load_project(folder)
    before = digest(folder / "project.json")
    for target in (folder / "project.json", folder / ".lock"):
        with pytest.raises(ExportError, match="would damage the project"):
            export_project(project, folder, target, ExportOptions(preset="ultrafast"))
    assert digest(folder / "project.json") == before
    assert not (folder / ".lock").exists()


def test_export_beside_the_sources_still_works(film, capsys):
    rc, err = export_cli(capsys, str(film["folder"]), "-o", str(film["root"] / "film.mp4"), "--preset", "ultrafast")
    assert rc == 0, err
    assert (film["root"] / "film.mp4").stat().st_size > 0


def test_refusal_crosses_the_process_boundary_with_exit_2(film):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", str(film["folder"]), "-o", str(film["clip"])],
                       capture_output=True, text=True, env=env, timeout=240)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("shotline: error: ")


def test_generation_output_onto_its_own_input_is_refused(film, capsys, tmp_path):
    clip = film["clip"]
    other = tmp_path / "other.mp4"
    other.write_bytes(clip.read_bytes())
    link = tmp_path / "via-link.mp4"
    link.symlink_to(other)
    before = tree_state(tmp_path)
    cases = [
        (["infill", "--before", str(clip), "--after", str(other)], clip, "--before"),
        (["infill", "--before", str(clip), "--after", str(other)], link, "--after"),
        (["infill", "--before", str(clip), "--after", str(other)], tmp_path / "." / "clip.mp4", "--before"),
    ]
    for argv, out, flag in cases:
        rc = generate_commands.run(argv[0], [*argv[1:], "--model", "interpolate", "--seconds", "0.25",
                                             "-o", str(out)])
        err = capsys.readouterr().err
        assert rc == 2, err
        assert err.count("\n") == 1 and f"the clip given with {flag}" in err, err
    assert tree_state(tmp_path) == before


def test_generation_extend_onto_its_clip_is_refused_before_the_model_loads(film, tiny_ltx_dir, capsys):
    clip = film["clip"]
    before = digest(clip)
    rc = generate_commands.run("extend", ["--model", str(tiny_ltx_dir), "--clip", str(clip), "--seconds", "0.25",
                                          "--device", "cpu", "-o", str(clip)])
    captured = capsys.readouterr()
    assert rc == 2
    assert "the clip given with --clip" in captured.err and "loading" not in captured.err
    assert digest(clip) == before


def test_refuse_overwrite_compares_files_not_strings(tmp_path):
    src = tmp_path / "a.mp4"
    src.write_bytes(b"x")
    refuse_overwrite(tmp_path / "b.mp4", [(src, "the source")])  # another name: fine
    with pytest.raises(OutputRefused, match="is the source"):
        refuse_overwrite(tmp_path / "a.mp4", [(str(tmp_path / "x" / ".." / "a.mp4"), "the source")])
    missing = tmp_path / "gone.mp4"  # an offline input is still the project's: not replaced by an export
    with pytest.raises(OutputRefused):
        refuse_overwrite(missing, [(missing, "an offline take")])


def test_export_dialog_says_so_inline_and_keeps_export_disabled(qtbot, ui_document, make_session):
    from editor.ui.export_dialog import ExportDialog
    from editor.ui.playhead import Playhead
    from editor.ui.settings import Settings

    settings = Settings()
    session = make_session(settings)
    session.open(ui_document.folder)
    playhead = Playhead(session.document.project.fps)
    playhead.set_end(session.document.project.duration)
    dialog = ExportDialog(session, playhead, settings)
    try:
        dialog.open_for_export()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: dialog.codecs_known, timeout=30000)
        take = ui_document.folder / "media" / "sunrise.mp4"
        before = digest(take)
        dialog.out_edit.setText(str(take))
        dialog.refresh()
        assert not dialog.export_button.isEnabled()
        assert "a take of 'A' in this project" in dialog.issue_label.text()
        assert dialog.start_export() is False and dialog.page == "settings"
        dialog.out_edit.setText(str(ui_document.folder.parent / "film.mp4"))
        dialog.refresh()
        assert dialog.export_button.isEnabled()
        assert digest(take) == before
    finally:
        dialog.shutdown()
        dialog.hide()
        dialog.deleteLater()
