"""Build Shotline as a one-folder desktop app with PyInstaller: `python packaging/build.py`.

Makes dist/Shotline/ (the `Shotline` program with everything beside it) from the current
environment: its torch (CPU or CUDA, whichever is installed), PySide6 with Qt's plugins,
imageio-ffmpeg's ffmpeg, the resources and the demo project (packaging/shotline.spec says what
goes in and what stays out). Then prints how big it is and what dominates it. Needs PyInstaller
(`pip install pyinstaller`); run from any folder. The app is started as `dist/Shotline/Shotline`
(`Shotline --install-desktop` adds it to a Linux desktop's menu).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "shotline.spec"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def biggest_parts(app: Path, top: int = 12) -> list[tuple[int, str]]:
    """(bytes, name) of what dominates the app: each package folder (a level deeper inside the
    big ones, e.g. torch/lib) and each loose file."""
    inside = app / "_internal" if (app / "_internal").is_dir() else app
    parts: list[tuple[int, str]] = []
    for entry in inside.iterdir():
        if entry.is_dir():
            parts.append((folder_size(entry), entry.name + "/"))
        elif entry.is_file():
            parts.append((entry.stat().st_size, entry.name))
    parts.sort(reverse=True)
    detail = []
    for _size, name in parts[:3]:  # what inside the three largest
        if name.endswith("/"):
            sub = [(folder_size(p) if p.is_dir() else p.stat().st_size, f"{name}{p.name}")
                   for p in (inside / name).iterdir()]
            detail += sorted(sub, reverse=True)[:3]
    return parts[:top] + [(0, "")] + detail


def render_icon(work: Path) -> Path:
    """The 512 px PNG icon (PyInstaller turns it into .ico / .icns on Windows and macOS)."""
    sys.path.insert(0, str(ROOT))
    from editor.desktop.icon_render import render_pngs
    from editor.resources_path import resource

    work.mkdir(parents=True, exist_ok=True)
    png = work / "shotline.png"
    png.write_bytes(render_pngs(resource("icons", "shotline.svg"), (512,))[512])
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="packaging/build.py", description="Build dist/Shotline/ with PyInstaller.")
    ap.add_argument("--dist", default=str(ROOT / "dist"), help="where the app folder goes (default: dist/)")
    ap.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"), help="PyInstaller's work folder")
    args = ap.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("PyInstaller is not installed: `pip install pyinstaller` into this environment, then run this again.",
              file=sys.stderr)
        return 1
    dist, work = Path(args.dist).absolute(), Path(args.work).absolute()
    icon = render_icon(work)
    env = dict(os.environ, SHOTLINE_ICON_PNG=str(icon))
    started = time.monotonic()
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work)]
    print("running:", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=ROOT, env=env)
    if done.returncode:
        print(f"PyInstaller failed (exit {done.returncode}); its messages are above.", file=sys.stderr)
        return done.returncode
    app = dist / "Shotline"
    total = folder_size(app)
    print(f"\nbuilt {app} in {time.monotonic() - started:.0f} s: {total / 1e6:.0f} MB "
          f"({sum(1 for p in app.rglob('*') if p.is_file())} files)")
    print("what dominates it:")
    for size, name in biggest_parts(app):
        print(f"  {size / 1e6:9.1f} MB  {name}" if name else "  of which:")
    print(f"run it: {app / 'Shotline'} [PROJECT]   (sub-commands as `shotline`: screenshot, export, info, ...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
