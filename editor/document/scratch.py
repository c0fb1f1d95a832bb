"""Scratch files: the hidden temporary beside a target that a write goes to before its atomic rename.

Every file Shotline publishes atomically (project.json, exports, takes, proxies, conformed copies,
sidecars) is first written to a scratch file in the target's folder, then renamed over it. This
module owns how those are made and how the ones a killed run left behind are removed:

- Named so the owner is known: `.{target}.{kind}-{pid}@{host}-{token}{suffix}`, e.g.
  `.film.mp4.partial-4242@1a2b3c4d-k3j2x9.mp4`. `host` is a short hash of the machine's name, so a
  project on a shared disk never loses a file another machine is writing.
- `remove_dead(folder)` deletes the scratch files whose owner is gone: same host and that pid no
  longer runs (or now belongs to a process started after the file was last written: a reused
  pid). Files named the older way (no pid) are removed once untouched for an hour. Exports, takes
  and proxies call it on the folder they write into; opening a project calls `clean_project`.
- Created the way any program creates a user's file: `open(O_CREAT | O_EXCL, 0o666)`, so the
  kernel applies the umask (0644 under 022, 0640 under 027) and any default ACL of the folder,
  with no racy read of the process-wide umask. When the target already exists its permission bits
  are kept, as an editor saving over a file does. (mkstemp, used before, made every file 0600.)
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import stat
import time
import zlib
from pathlib import Path

KINDS = ("partial", "tmp")
LEGACY_AGE_S = 3600.0
REUSE_SLACK_S = 60.0  # a pid's process started this long after the file's last write is not its owner  # an older-style scratch file untouched this long belongs to no running save
_NAME_ROOM = 120  # characters of the target's name kept in the scratch name (file names max out at 255)
_SCRATCH = re.compile(r"^\..*\.(?:partial|tmp)-(?P<pid>\d+)@(?P<host>[0-9a-f]{8})-[0-9a-z]+(?:\.[^.]*)?$")
# names mkstemp gave before: `.film.ab12cd34.partial.mp4`, `.proxy.x.partial.mkv`, `.x.partial.mp4`
# (conform), `.project.json.ab12cd34.tmp`, `.thumb.ab12cd34.tmp`
_LEGACY = re.compile(r"^\..+(?:\.partial\.(?:mp4|mkv|mov|m4v)|\.[A-Za-z0-9_]{8}\.tmp)$")


def host_tag() -> str:
    """Eight hex digits naming this machine in scratch names."""
    return f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"


def scratch_name(target: Path, kind: str = "partial", suffix: str | None = None) -> str:
    """A fresh scratch name for `target` (not created)."""
    if kind not in KINDS:
        raise ValueError(f"scratch kind {kind!r}")
    suffix = target.suffix if suffix is None else suffix
    token = secrets.token_hex(4)
    return f".{target.name[:_NAME_ROOM]}.{kind}-{os.getpid()}@{host_tag()}-{token}{suffix}"


def create(target: str | os.PathLike, kind: str = "partial", suffix: str | None = None) -> tuple[int, Path]:
    """Create a new, empty scratch file beside `target`; return (a write-only descriptor, its path).

    The caller closes the descriptor (or writes through it), renames the file over `target` when
    complete, and unlinks it otherwise. OSError as `open` raises it (no folder, no permission).
    """
    target = Path(target)
    keep = _mode_of(target)
    for _ in range(100):
        path = target.parent / scratch_name(target, kind, suffix)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        if keep is not None:
            try:
                os.chmod(path, keep)
            except OSError:
                pass  # not ours to change (another owner's file was replaced): the umask mode stays
        return fd, path
    raise FileExistsError(f"no free scratch name beside {target}")


def remove_dead(folder: str | os.PathLike) -> list[Path]:
    """Delete the scratch files in `folder` (not below it) whose owner is gone; return them."""
    removed: list[Path] = []
    here = host_tag()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        match = _SCRATCH.match(name)
        if match is None and not _LEGACY.match(name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue  # never follow or delete a link or a folder that merely looks like one
        if match is not None:
            dead = match["host"] == here and not _owns(int(match["pid"]), st.st_mtime)
        else:
            dead = now - st.st_mtime > LEGACY_AGE_S
        if dead:
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass  # read-only folder or gone meanwhile: harmless, tried again next time
    return removed


def clean_project(folder: str | os.PathLike) -> list[Path]:
    """`remove_dead` over a project folder and the folders Shotline writes in it (cheap: a few listings)."""
    folder = Path(folder)
    removed = remove_dead(folder)
    for sub in ("media", "media/conformed", "autosave", "cache"):
        path = folder / sub
        if path.is_dir() and not path.is_symlink():
            removed += remove_dead(path)
    cache = folder / "cache"
    if cache.is_dir() and not cache.is_symlink():
        try:
            subs = [e.path for e in os.scandir(cache) if e.is_dir(follow_symlinks=False)]
        except OSError:
            subs = []
        for sub in subs:
            removed += remove_dead(sub)
    return removed


# --- helpers ------------------------------------------------------------------------------
def _mode_of(target: Path) -> int | None:
    try:
        st = target.stat()
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None


def _owns(pid: int, written: float) -> bool:
    """True when process `pid` runs and could have written a file last modified at `written`."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # runs, as another user
    except OSError:
        return True  # can't tell: keep the file
    started = _start_time(pid)
    # A pid reused by a process started after the file was last written can't be its owner. The
    # minute of slack covers clock steps (NTP) between the write and now: a live owner is never judged dead.
    return started is None or started <= written + REUSE_SLACK_S


def _start_time(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), from /proc; None where unknown."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(text.rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None
