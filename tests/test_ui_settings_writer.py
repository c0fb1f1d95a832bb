"""The recent-projects list is written off the GUI thread (editor.ui.settings_writer): it still
reaches the settings file, in order, before the process ends and for every other reader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from editor.ui import settings_writer
from editor.ui.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _on_disk(path: Path) -> list[str]:
    value = QSettings(str(path), QSettings.Format.IniFormat).value("projects/recent") or []
    return [value] if isinstance(value, str) else list(value)


def test_recent_list_is_on_disk_when_a_process_exits_right_after_the_open(tmp_path):
    settings_file = tmp_path / "config" / "settings.ini"
    a, b = tmp_path / "A.shotline", tmp_path / "B.shotline"
    a.mkdir()
    b.mkdir()
    script = ("import sys; from pathlib import Path; from editor.ui.settings import Settings; "
              "s = Settings(Path(sys.argv[1])); s.add_recent_project(sys.argv[2]); s.add_recent_project(sys.argv[3])")
    subprocess.run([sys.executable, "-c", script, str(settings_file), str(a), str(b)], cwd=ROOT, check=True,
                   timeout=120)
    assert _on_disk(settings_file) == [str(b.resolve()), str(a.resolve())]


def test_another_settings_object_reads_the_list_just_added(tmp_path):
    path = tmp_path / "settings.ini"
    project = tmp_path / "P.shotline"
    project.mkdir()
    writer = Settings(path)
    writer.add_recent_project(project)
    assert writer.recent_projects() == [str(project.resolve())]  # at once, while the write may be queued
    assert Settings(path).recent_projects() == [str(project.resolve())]
    writer.clear_recent_projects()
    assert Settings(path).recent_projects() == []
    settings_writer.wait()
    assert _on_disk(path) == []
    assert Settings(path).recent_projects() == []


def test_sync_waits_for_the_queued_writes(tmp_path):
    path = tmp_path / "settings.ini"
    project = tmp_path / "P.shotline"
    project.mkdir()
    settings = Settings(path)
    settings.add_recent_project(project)
    settings.sync()
    assert _on_disk(path) == [str(project.resolve())]
    settings_writer.wait()  # nothing queued: returns at once
