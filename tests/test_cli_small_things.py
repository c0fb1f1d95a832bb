"""Small things a user of the command line sees: one clear line, never a traceback or "please report it".

Over-long names (errno 36), names that aren't UTF-8, `info | head -1`, a project under /proc, a
file given where a folder belongs, escape sequences in a project name.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from editor.cli import generate_commands, project_commands
from editor.document.samples import sample_project
from editor.document.storage import save_project

ROOT = Path(__file__).resolve().parents[1]


def call(capsys, module, *argv: str) -> tuple[int, str, str]:
    rc = module.run(argv[0], list(argv[1:]))
    out, err = capsys.readouterr()
    return rc, out, err


def refused(result: tuple[int, str, str], says: str) -> None:
    rc, _, err = result
    assert rc == 2, err
    assert err.count("\n") == 1 and err.startswith("shotline: error: ") and says in err, err
    assert "report" not in err and "internal" not in err


@pytest.fixture
def still(tmp_path: Path) -> Path:
    path = tmp_path / "s.png"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(path)
    return path


def test_over_long_names_are_refused_in_one_line(tmp_path, still, capsys):
    long = str(tmp_path / ("a" * 300))
    refused(call(capsys, project_commands, "new", long, str(still)), "too long")
    refused(call(capsys, project_commands, "info", long), "too long")
    refused(call(capsys, project_commands, "export", long, "-o", str(tmp_path / "o.mp4")), "too long")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.png"]


def test_names_that_are_not_utf8_are_refused_in_one_line(tmp_path, still, capsys):
    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/c\xff.png")  # a lone surrogate in Python's hands
    Path(odd).write_bytes(still.read_bytes())
    refused(call(capsys, project_commands, "new", str(tmp_path / "film"), odd), "not valid UTF-8")
    refused(call(capsys, project_commands, "new", os.fsdecode(os.fsencode(str(tmp_path)) + b"/b\xff"), str(still)),
            "not valid UTF-8")
    assert not any(p.name.endswith(".shotline") for p in tmp_path.iterdir())


def test_a_project_under_proc_is_a_clear_error(tmp_path, still, capsys):
    refused(call(capsys, project_commands, "new", "/proc/self/film", str(still)), "/proc/self")
    refused(call(capsys, project_commands, "info", "/proc/self/status"), "is a file, not a project folder")
    refused(call(capsys, project_commands, "info", "/proc/self"), "no project")


def test_a_file_given_for_a_folder_is_called_a_file(still, capsys):
    refused(call(capsys, project_commands, "info", str(still)), "is a file, not a project folder")
    refused(call(capsys, generate_commands, "generate", "--model", str(still), "--prompt", "x", "--seconds", "1",
                  "-o", str(still.with_suffix(".mp4"))), "is a file, not a model folder")
    rc, out, err = call(capsys, generate_commands, "models", str(still))
    assert rc == 2 and "is a file, not a model folder" in out and "no such folder" not in out


def test_info_shows_escape_sequences_in_names_escaped(tmp_path, capsys):
    project = sample_project(tracks=1, clips_per_track=2, name="\x1b[2J\x1b[31mred\nfake line")
    project.tracks[0].clips[0].name = "bell\x07"
    project.tracks[0].clips[0].shot.prompt = "\x1b]0;title\x07"
    save_project(project, tmp_path / "f.shotline")
    rc, out, err = call(capsys, project_commands, "info", str(tmp_path / "f.shotline"))
    assert rc == 0 and err == ""
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J\\x1b[31mred\\nfake line" in out.splitlines()[0]


def test_info_piped_into_head_ends_quietly(tmp_path):
    # far more than a pipe holds (64 KB), so `head` really leaves while info is still writing
    save_project(sample_project(tracks=4, clips_per_track=600), tmp_path / "big.shotline")
    done = subprocess.run(["bash", "-c", f'"{sys.executable}" main.py info "{tmp_path}/big.shotline" 2>"{tmp_path}/err" '
                          '| head -1; echo "${PIPESTATUS[0]}"'], cwd=ROOT, capture_output=True, text=True, timeout=120)
    first, status = done.stdout.splitlines()
    assert first.startswith("Sample")
    assert (tmp_path / "err").read_text() == ""
    assert status == "141"
