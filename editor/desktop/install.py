"""`shotline --install-desktop` / `--uninstall-desktop`: put Shotline in the application menu.

Writes, into the user's XDG data folder ($XDG_DATA_HOME, by default ~/.local/share):
applications/APP_ID.desktop, icons/hicolor/NxN/apps/APP_ID.png (16-512) and
scalable/apps/APP_ID.svg, metainfo/APP_ID.metainfo.xml (AppStream) and
mime/packages/APP_ID.xml (application/x-shotline-project: the project.json inside a .shotline
folder, so a project opens from the file manager). Folders in general are never claimed.
The entry starts the very install that wrote it (its `shotline` command, or this Python and
main.py in a source checkout, or the frozen app), so run it again after moving that install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from editor.media import children
from editor.resources_path import resource

APP_ID = "org.shotline.Shotline"
MIME_TYPE = "application/x-shotline-project"
LEGACY_ENTRY = "shotline.desktop"  # packaging/install-desktop-entry.sh's: it claimed every folder


def data_home() -> Path:
    """$XDG_DATA_HOME when set to an absolute path (the spec ignores a relative one), else ~/.local/share."""
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and os.path.isabs(env) else Path.home() / ".local" / "share"


def launcher() -> list[str]:
    """The command that starts this install of Shotline."""
    if getattr(sys, "frozen", False):  # a PyInstaller app: its executable is the launcher
        return [str(Path(sys.executable).resolve())]
    bindir = Path(sys.executable).parent  # a venv's or pipx's bin/ (Scripts\\ on Windows)
    for name in ("shotline", "shotline.exe"):
        if (bindir / name).is_file():
            return [str(bindir / name)]
    import main  # a source checkout without the script: this Python runs main.py

    return [sys.executable, str(Path(main.__file__).resolve())]


def _quote(arg: str) -> str:
    """One Exec argument as the Desktop Entry spec wants it: bare when plain, else double-quoted
    with ", `, $ and \\ escaped (and every \\ doubled again, as Exec is a string value)."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`%='):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return ('"' + inner + '"').replace("\\", "\\\\").replace("%", "%%")


def exec_line(command: list[str]) -> str:
    return " ".join(_quote(a) for a in command)


def _fill(template: str) -> str:
    return resource("desktop", template).read_text(encoding="utf-8").replace("@ID@", APP_ID)


def planned_files(data: Path) -> dict[Path, bytes]:
    """{path: content} of everything --install-desktop writes under `data`."""
    from editor.desktop.icon_render import render_pngs

    svg = resource("icons", "shotline.svg")
    entry = _fill("shotline.desktop.in").replace("@EXEC@", exec_line(launcher()))
    files = {
        data / "applications" / f"{APP_ID}.desktop": entry.encode(),
        data / "metainfo" / f"{APP_ID}.metainfo.xml": _fill("metainfo.xml").encode(),
        data / "mime" / "packages" / f"{APP_ID}.xml": _fill("shotline-mime.xml").encode(),
        data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg": svg.read_bytes(),
    }
    for size, png in render_pngs(svg).items():
        files[data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = png
    return files


def _legacy_entry(data: Path) -> Path | None:
    """The old source-checkout entry (claims inode/directory), when it is ours to remove."""
    old = data / "applications" / LEGACY_ENTRY
    try:
        text = old.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return old if "Name=Shotline" in text and "inode/directory" in text else None


def _refresh_caches(data: Path) -> None:
    """Tell the desktop about the new files; each tool is optional (absent: the desktop notices
    on its next scan)."""
    for tool, args in (("update-mime-database", [str(data / "mime")]),
                       ("update-desktop-database", ["-q", str(data / "applications")]),
                       ("gtk-update-icon-cache", ["-q", "-t", "-f", str(data / "icons" / "hicolor")])):
        exe = shutil.which(tool)
        if exe:
            children.run([exe, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def install(data: Path | None = None) -> list[Path]:
    """Write the entry, icons, metainfo and MIME type; returns the files written."""
    data = data or data_home()
    files = planned_files(data)  # everything made before anything is written
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(content)
        os.replace(tmp, path)
    old = _legacy_entry(data)
    if old is not None:
        old.unlink()
    _refresh_caches(data)
    return list(files)


def uninstall(data: Path | None = None) -> list[Path]:
    """Remove what `install` wrote (and the old inode/directory entry); returns the files removed."""
    data = data or data_home()
    candidates = [data / "applications" / f"{APP_ID}.desktop",
                  data / "metainfo" / f"{APP_ID}.metainfo.xml",
                  data / "mime" / "packages" / f"{APP_ID}.xml",
                  data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"]
    candidates += sorted((data / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.png"))
    old = _legacy_entry(data)
    candidates += [old] if old is not None else []
    removed = [p for p in candidates if p.is_file()]
    for p in removed:
        p.unlink()
    if removed:
        _refresh_caches(data)
    return removed


def run(option: str, argv: list[str]) -> int:
    if argv:
        print(f"{option} takes no arguments (set XDG_DATA_HOME to install elsewhere).", file=sys.stderr)
        return 2
    if sys.platform in ("win32", "darwin"):
        print(f"{option} is for Linux desktops (freedesktop.org); on this system use the app as built "
              "by packaging/build.py.", file=sys.stderr)
        return 2
    data = data_home()
    try:
        if option == "--install-desktop":
            written = install(data)
            print(f"Installed Shotline in the application menu ({len(written)} files under {data}); "
                  f"it starts: {exec_line(launcher())}")
        else:
            removed = uninstall(data)
            print(f"Removed {len(removed)} files of Shotline's menu entry from {data}." if removed
                  else f"Shotline has no menu entry under {data}; nothing removed.")
    except OSError as exc:
        print(f"Could not write under {data} ({exc.strerror or exc}); check that the folder is writable.",
              file=sys.stderr)
        return 1
    return 0
