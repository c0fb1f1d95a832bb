"""One writer per project: `Name.shotline/.lock` says which process has the project open for writing.

Why: two editors (or an editor and a script) saving one project silently lose the earlier save.
The lock is an ordinary file holding JSON `{host, pid, started, app}`, so a person can read it,
and a lock whose process is gone (a crash, kill -9, a power cut) can be told apart from a live one:

- the lock is created whole and atomically: the JSON is written to a private temporary file and
  hard-linked to `.lock` (link never replaces an existing file, like O_CREAT|O_EXCL, but a reader
  never sees a half-written lock); where hard links are not allowed it falls back to O_EXCL;
- it is *stale* when it was taken on this host by a process that no longer runs (or whose pid now
  belongs to a process started after the lock was taken), or when the file can't be read as a
  lock at all. A lock from another host is never judged stale: we can't see its processes;
- a stale lock is broken only when the caller says so (`break_stale=True`): the editor asks the
  user, a command-line run says what it broke. Breakers take turns (`.lock.break`), so several
  processes breaking one stale lock at once end with exactly one holder;
- a process that exits normally releases its locks (atexit), even without calling release;
- the same process may acquire its own lock again (a window re-opening its project); each
  acquire is paired with a release and the file goes when the last one is released;
- `release` removes the file only while it still holds what we wrote, so a lock broken and taken
  by someone else is never removed by its old owner.

No Qt here: the window shows the holder and offers to break a stale lock; the CLI prints it.
"""

from __future__ import annotations

import atexit
import errno
import json
import os
import secrets
import socket
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from editor.document.storage import ProjectError, project_folder

LOCK_FILE = ".lock"


@dataclass(frozen=True)
class LockHolder:
    """Who holds a project's lock (pid 0: the lock file could not be read)."""

    host: str
    pid: int
    started: float  # time.time() when the lock was taken
    app: str  # e.g. "Shotline editor" / "shotline export"

    @property
    def stale(self) -> bool:
        """True when the holder is known to be gone: nothing still relies on this lock."""
        if self.pid <= 0:
            return True  # a damaged lock file protects nothing
        if self.host != _host():
            return False  # another machine's processes can't be seen from here
        return not _pid_alive(self.pid, self.started)

    def describe(self) -> str:
        """'held by the Shotline editor (pid 123 on host, since 14:02)'."""
        if self.pid <= 0:
            return "held by a lock file that can't be read (it is damaged)"
        return f"held by {self._who()}"

    def _who(self) -> str:
        app = _printable(self.app) or "another program"
        who = app if app.lower().startswith(("the ", "a ", "an ")) else f"the {app}"
        host = _printable(self.host) or "an unknown host"
        return f"{who} (pid {self.pid} on {host}, since {_when(self.started)})"

    def _matches(self, other: LockHolder | None) -> bool:
        return other is not None and (other.host, other.pid, other.started) == (self.host, self.pid, self.started)


class ProjectLocked(ProjectError):
    """The project is held by another process (live, or stale and not broken)."""

    def __init__(self, folder: Path, holder: LockHolder) -> None:
        self.folder = Path(folder)
        self.holder = holder
        if holder.stale:
            what = f"a lock left by {holder._who()}, which is no longer running" if holder.pid > 0 \
                else "a damaged lock file"
            text = f"{self.folder} has {what}; break the lock to open it for editing"
        else:
            text = (f"{self.folder} is {holder.describe()}; close it there first, or open it read-only")
        super().__init__(text)


# Locks this process holds, by lock-file path: [holder, count] (re-acquiring counts up).
_HELD: dict[str, list] = {}
_HELD_GUARD = threading.Lock()


@atexit.register
def _release_all_at_exit() -> None:
    # a process that ends normally without releasing (an exception, sys.exit) leaves no lock behind;
    # only a kill or a crash does, and those are detected as stale
    with _HELD_GUARD:
        held = list(_HELD.items())
        _HELD.clear()
    for key, (holder, _count) in held:
        path = Path(key)
        try:
            if holder._matches(_read(path)):
                path.unlink()
        except (OSError, ProjectError):
            pass


class ProjectLock:
    """A held project lock; use as a context manager or call `release()` (idempotent)."""

    def __init__(self, folder: Path, holder: LockHolder, *, broke: LockHolder | None = None) -> None:
        self.folder = Path(folder)
        self.holder = holder
        self.broke = broke  # the stale lock this acquire broke, so callers can say so
        self._released = False

    @property
    def path(self) -> Path:
        return self.folder / LOCK_FILE

    @classmethod
    def acquire(cls, folder: Path, *, app: str, break_stale: bool = False) -> ProjectLock:
        """Take the lock of `folder` (which must exist).

        Raises ProjectLocked when another live process holds it, or when it is stale and
        `break_stale` is False; ProjectError when the folder can't hold a lock file.
        """
        folder = project_folder(folder)  # the folder, or its project.json
        path = folder / LOCK_FILE
        key = _key(path)
        broke: LockHolder | None = None
        deadline = time.monotonic() + 3 * GUARD_STALE_S
        while time.monotonic() < deadline:  # each retry means another process changed the lock meanwhile
            with _HELD_GUARD:
                held = _HELD.get(key)
                if held is not None and held[0]._matches(read_lock(folder)):
                    held[1] += 1
                    return cls(folder, held[0])
            mine = LockHolder(host=_host(), pid=os.getpid(), started=time.time(), app=app)
            if _create(path, mine):
                with _HELD_GUARD:
                    _HELD[key] = [mine, 1]
                _remove_old_scraps(folder)
                return cls(folder, mine, broke=broke)
            holder = _read_settled(path)
            if holder is None:
                continue  # released between our try and our read: try again
            if holder.host == mine.host and holder.pid == mine.pid and holder.pid > 0:
                # ours, but not in _HELD (a lock object of this process whose file was re-made):
                # adopt it rather than lock ourselves out
                with _HELD_GUARD:
                    # ...unless a release on another thread removed the file meanwhile
                    if not holder._matches(read_lock(folder)):
                        continue
                    _HELD[key] = [holder, _HELD.get(key, [None, 0])[1] + 1]
                return cls(folder, holder)
            if not holder.stale or not break_stale:
                raise ProjectLocked(folder, holder)
            done = _break(path, holder)
            if done:
                broke = holder
            elif done is None:
                time.sleep(0.01)  # another process is breaking it: see what it leaves
        raise ProjectError(f"Could not lock {folder}: other programs keep taking and releasing it; try again.")

    def release(self) -> None:
        """Give the lock up; the file is removed only if it still holds this lock. Idempotent."""
        if self._released:
            return
        self._released = True
        key = _key(self.path)
        with _HELD_GUARD:
            held = _HELD.get(key)
            if held is not None and held[0] == self.holder:
                held[1] -= 1
                if held[1] > 0:
                    return
                del _HELD[key]
        # under the guard: a release may run on a background thread while this process acquires
        # the same lock again on another; the file then stays for the new acquire
        with _HELD_GUARD:
            if key in _HELD or not self.holder._matches(read_lock(self.folder)):
                return
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def _moved(self, folder: Path) -> None:
        """The folder holding this lock was renamed to `folder` (see create_project_atomically)."""
        with _HELD_GUARD:
            held = _HELD.pop(_key(self.path), None)
            self.folder = Path(folder)
            if held is not None:
                _HELD[_key(self.path)] = held

    @property
    def released(self) -> bool:
        return self._released

    def __enter__(self) -> ProjectLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"ProjectLock({str(self.folder)!r}, pid={self.holder.pid}, released={self._released})"


def read_lock(folder: Path) -> LockHolder | None:
    """Who holds `folder`'s lock; None when it is not locked. A damaged lock file reads as pid 0 (stale)."""
    return _read(project_folder(folder) / LOCK_FILE)


# --- inside --------------------------------------------------------------------------------------


def _host() -> str:
    return socket.gethostname()


def _printable(text: str) -> str:
    # a tampered lock file must not put terminal escape sequences into a message
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:80]


def _key(path: Path) -> str:
    return os.path.realpath(path)


def _when(started: float) -> str:
    try:
        t = time.localtime(started)
    except (OverflowError, OSError, ValueError):
        return "an unknown time"
    if time.strftime("%Y-%m-%d", t) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M", t)
    return time.strftime("%Y-%m-%d %H:%M", t)


def _encode(holder: LockHolder) -> bytes:
    return json.dumps({"host": holder.host, "pid": holder.pid, "started": holder.started,
                       "app": holder.app}).encode("utf-8")


_DAMAGED = LockHolder(host="", pid=0, started=0.0, app="")


def _read(path: Path) -> LockHolder | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO named .lock must not hang us
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.EISDIR, errno.ENXIO, errno.ELOOP):
            return _DAMAGED
        raise ProjectError(f"Could not read the lock file {path}: {exc.strerror or exc}.") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return _DAMAGED
        raw = os.read(fd, 64 * 1024)  # a real lock is ~150 bytes
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            return _DAMAGED
        raise ProjectError(f"Could not read the lock file {path}: {exc.strerror or exc}.") from None
    finally:
        os.close(fd)
    try:
        d = json.loads(raw.decode("utf-8"))
        holder = LockHolder(host=str(d["host"]), pid=int(d["pid"]), started=float(d["started"]),
                            app=str(d.get("app", "")))
    except (UnicodeDecodeError, ValueError, TypeError, KeyError, OverflowError):
        return _DAMAGED
    if holder.pid <= 0 or holder.started != holder.started:  # NaN
        return _DAMAGED
    return holder


def _read_settled(path: Path) -> LockHolder | None:
    """Read a lock; a damaged one made a moment ago may still be being written (the O_EXCL
    fallback), so give its writer a moment before calling it damaged."""
    holder = _read(path)
    deadline = time.monotonic() + 2.0
    while holder is not None and holder.pid <= 0 and time.monotonic() < deadline:
        try:
            if time.time() - path.stat().st_mtime > 2.0:
                break
        except OSError:
            break
        time.sleep(0.05)
        holder = _read(path)
    return holder


def _create(path: Path, holder: LockHolder) -> bool:
    """Make the lock file holding `holder`; False when one exists already."""
    data = _encode(holder)
    tmp = path.with_name(f"{LOCK_FILE}.{holder.pid}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        raise ProjectError(f"Could not lock {path.parent}: {exc.strerror or exc}. Check the folder exists and is "
                           "writable.") from None
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic and never replaces: the lock appears whole or not at all
            return True
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK,
                                 errno.ENOSYS):
                raise ProjectError(f"Could not lock {path.parent}: {exc.strerror or exc}.") from None
        return _create_excl(path, data)  # a file system without hard links
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _create_excl(path: Path, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except OSError as exc:
        raise ProjectError(f"Could not lock {path.parent}: {exc.strerror or exc}.") from None
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def _remove_old_scraps(folder: Path) -> None:
    """Temporary lock files of runs killed between two steps (`.lock.<pid>.<rand>.tmp`,
    `.lock.break`); a minute old can't be an acquire in progress."""
    cutoff = time.time() - 60.0
    try:
        scraps = list(folder.glob(f"{LOCK_FILE}.*"))
    except OSError:
        return
    for p in scraps:
        try:
            if p.is_file() and p.lstat().st_mtime < cutoff:
                p.unlink()
        except OSError:
            pass


BREAK_GUARD = f"{LOCK_FILE}.break"
GUARD_STALE_S = 5.0  # a breaker needs milliseconds; a guard this old was left by a killed one


def _break(path: Path, stale: LockHolder) -> bool | None:
    """Remove the stale lock `stale`; True when removed, False when it is no longer there as it
    was, None when another process is breaking it right now (try again in a moment).

    Breakers take turns through `.lock.break` (made with O_EXCL), and the one whose turn it is
    checks the lock again before removing it, so two processes breaking one stale lock together
    can never remove the fresh lock one of them has just taken.
    """
    guard = path.with_name(BREAK_GUARD)
    try:
        fd = os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        try:
            if time.time() - guard.stat().st_mtime > GUARD_STALE_S:
                guard.unlink()
        except OSError:
            pass
        return None
    except OSError as exc:
        raise ProjectError(f"Could not break the stale lock {path}: {exc.strerror or exc}.") from None
    try:
        os.close(fd)
        if _read(path) != stale:
            return False  # released, or broken and taken by someone else meanwhile
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ProjectError(f"Could not break the stale lock {path}: {exc.strerror or exc}.") from None
        return True
    finally:
        try:
            guard.unlink()
        except OSError:
            pass


def _pid_alive(pid: int, started: float) -> bool:
    """Whether `pid` still runs the process that took a lock at `started` (conservative: True when unsure)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    except (OSError, OverflowError):
        return False
    stat = _proc_stat(pid)
    if stat is None:
        return True
    state, start = stat
    if state in ("Z", "X"):
        return False  # killed, not yet reaped: it holds nothing
    # A pid reused by a process that started after the lock was taken (after a reboot, say).
    # The minute of slack covers clock steps (NTP) between the two readings; judging a live
    # lock stale would be far worse than keeping a dead one a little longer.
    return start is None or start <= started + 60.0


def _proc_stat(pid: int) -> tuple[str, float | None] | None:
    """(state, start time as time.time()) from /proc on Linux; None elsewhere."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    try:
        fields = text[text.rindex(")") + 2:].split()
        state, ticks = fields[0], int(fields[19])
    except (ValueError, IndexError):
        return None
    boot = _boot_time()
    if boot is None:
        return state, None
    return state, boot + ticks / os.sysconf("SC_CLK_TCK")


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None
