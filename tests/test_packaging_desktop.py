"""`shotline --install-desktop` / `--uninstall-desktop`: a menu entry, hicolor icons, AppStream
metainfo and a project MIME type in the user's XDG data folder, and never a handler of folders."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from editor.desktop.icon_render import HICOLOR_SIZES
from editor.desktop.install import APP_ID, MIME_TYPE, exec_line

ROOT = Path(__file__).resolve().parents[1]


def _shotline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """One install into a temporary XDG_DATA_HOME (the user's real one is never touched)."""
    tmp = tmp_path_factory.mktemp("desktop")
    out = _shotline(tmp, "--install-desktop")
    assert out.returncode == 0, out.stderr
    return tmp / "xdg", out.stdout


def test_install_writes_entry_icons_metainfo_and_mime_type(installed):
    data, said = installed
    assert "Installed Shotline in the application menu" in said and str(data) in said
    entry = (data / "applications" / f"{APP_ID}.desktop").read_text()
    assert f"Icon={APP_ID}" in entry and f"MimeType={MIME_TYPE};" in entry
    assert "inode/directory" not in entry
    # the entry starts this very install: its first Exec word is a program that exists
    program = re.search(r"^Exec=(\S+)", entry, re.M).group(1)
    assert Path(program).is_file() and entry.count("%f") == 1
    from PySide6.QtGui import QImage

    for size in HICOLOR_SIZES:
        png = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        image = QImage(str(png))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # drawn, not blank
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == \
        (ROOT / "resources" / "icons" / "shotline.svg").read_bytes()
    meta = ET.parse(data / "metainfo" / f"{APP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.find("launchable").text == f"{APP_ID}.desktop"
    assert meta.find("content_rating").get("type") == "oars-1.1"
    assert meta.find("screenshots/screenshot/image") is not None
    mime = (data / "mime" / "packages" / f"{APP_ID}.xml").read_text()
    assert MIME_TYPE in mime and "inode/directory" not in mime


def test_the_newest_release_in_the_metainfo_is_this_version():
    from editor import __version__

    meta = ET.parse(ROOT / "resources" / "desktop" / "metainfo.xml").getroot()
    assert meta.find("releases/release").get("version") == __version__


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils is not installed")
def test_the_entry_passes_desktop_file_validate(installed):
    data, _ = installed
    out = subprocess.run(["desktop-file-validate", str(data / "applications" / f"{APP_ID}.desktop")],
                         capture_output=True, text=True)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream is not installed")
def test_the_metainfo_passes_appstreamcli_validate(installed):
    data, _ = installed
    out = subprocess.run(["appstreamcli", "validate", "--no-net", str(data / "metainfo" / f"{APP_ID}.metainfo.xml")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_project_file_is_a_shotline_project_and_other_project_json_stay_json(installed, tmp_path):
    """What the file manager asks (Qt's MIME database reads the installed shared-mime-info XML the
    way GNOME's and KDE's do): a Shotline project.json is ours, any other project.json is not."""
    import os

    data, _ = installed
    other = tmp_path / "node-thing"
    other.mkdir()
    (other / "project.json").write_text('{"name": "not a film", "version": 2}\n')
    code = ("import sys\nfrom PySide6.QtCore import QCoreApplication, QMimeDatabase\napp = QCoreApplication([])\n"
            "db = QMimeDatabase()\nprint(*(db.mimeTypeForFile(p).name() for p in sys.argv[1:]))")
    ours = ROOT / "resources" / "demo" / "Demo.shotline" / "project.json"
    # only this XDG_DATA_HOME's types (and the system's): the database is read fresh in a new process
    out = subprocess.run([sys.executable, "-c", code, str(ours), str(other / "project.json")],
                         env=dict(os.environ, XDG_DATA_HOME=str(data)), capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == [MIME_TYPE, "application/json"], out.stderr


def test_uninstall_removes_everything_it_wrote_and_the_old_folder_handler(tmp_path):
    data = tmp_path / "xdg"
    # the old source-checkout entry registered Shotline for every folder: installing replaces it
    (data / "applications").mkdir(parents=True)
    legacy = data / "applications" / "shotline.desktop"
    legacy.write_text("[Desktop Entry]\nType=Application\nName=Shotline\nExec=python main.py %f\n"
                      "MimeType=inode/directory;\n")
    unrelated = data / "applications" / "other.desktop"
    unrelated.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\nMimeType=inode/directory;\n")
    assert _shotline(tmp_path, "--install-desktop").returncode == 0
    assert not legacy.exists() and unrelated.exists()
    out = _shotline(tmp_path, "--uninstall-desktop")
    assert out.returncode == 0 and "Removed" in out.stdout
    leftovers = [p for p in data.rglob(f"{APP_ID}*") if p.is_file()]
    assert leftovers == [] and unrelated.exists()
    again = _shotline(tmp_path, "--uninstall-desktop")
    assert again.returncode == 0 and "nothing removed" in again.stdout


def test_a_stray_argument_is_a_one_line_message(tmp_path):
    out = _shotline(tmp_path, "--install-desktop", "/usr/share")
    assert out.returncode == 2 and "XDG_DATA_HOME" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "xdg").exists()


def test_exec_quoting_follows_the_desktop_entry_spec():
    assert exec_line(["/opt/shotline/bin/shotline"]) == "/opt/shotline/bin/shotline"
    # spaces: double quotes; ", `, $ and \ get a backslash, and every backslash is doubled again
    assert exec_line(["/home/a b/venv/bin/python", "/x/main.py"]) == '"/home/a b/venv/bin/python" /x/main.py'
    assert exec_line(['/a$b/py']) == '"/a\\\\$b/py"'
    assert exec_line(["/100%/py"]) == '"/100%%/py"'


def test_what_the_file_manager_passes_opens_the_project(tmp_path):
    """Double-clicking project.json runs `Exec` with that file (%f): the editor opens its folder."""
    import os
    import shutil

    project = tmp_path / "Trip.shotline"
    shutil.copytree(ROOT / "resources" / "demo" / "Demo.shotline", project)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SHOTLINE_CONFIG_DIR=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "screenshot", str(project / "project.json"),
                          "-o", str(tmp_path / "w.png"), "--size", "640x400"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "w.png").stat().st_size > 5000
    assert not (tmp_path / "config" / "demo").exists()
