"""The durable job store: every job and its plan are written to SQLite before they run.

One file holds the queue of a project (`PROJECT.shotline/jobs.sqlite`; headless commands use a
temporary or given path). Each job is a row: state, title in the user's words, the plan of the
request (opaque JSON the editor wrote), its place in the queue, progress, the failure message or
the result, and which process runs it. The file is in WAL mode with `synchronous=FULL`, so a row
is on disk (fsync'd) when a call returns, and readers in other threads or processes see updates
while a worker writes. A job whose process died while it was 'running' is found on the next open
and becomes 'interrupted', so the user can run it again.

Connections are per thread (SQLite connections must not be shared between threads); a Journal
object may be used from any number of threads.
"""

from __future__ import annotations

import enum
import json
import os
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
# Marks the file as ours (PRAGMA application_id), so another program's database is not mistaken
# for a job list: the bytes spell "SHLN".
APPLICATION_ID = 0x53484C4E


class JournalError(RuntimeError):
    """The job list can't be read or a job can't make this move; the message says what to do."""


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # its process died while it ran (crash, kill, power loss)
    PAUSED = "paused"  # held in the queue by the user; resume puts it back to queued

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED)


# States from which the user may ask to run a job (again).
_RETRYABLE = (JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED, JobState.DONE)
_WAITING = (JobState.QUEUED, JobState.PAUSED)


@dataclass(frozen=True)
class Job:
    """One row of the journal, as it was when read."""

    id: int
    created: float  # unix seconds
    updated: float
    state: JobState
    kind: str  # the action, e.g. "infill" or "export"
    title: str  # in the user's words, e.g. "Infill gap after Shot 3"
    payload: Any  # the plan of the request, as the editor wrote it
    position: int  # queue order: lower runs first
    step: int
    total: int
    message: str  # why it failed, in the user's words
    result: Any  # e.g. {"take": "media/take-0003.mkv", "record": {...}}; None until done
    owner_pid: int | None  # the process running it
    owner_started: str | None  # that process's start time, so a reused pid is not mistaken for it
    started: float | None  # when it last began running
    finished_at: float | None

    @property
    def fraction(self) -> float:
        """Progress from 0 to 1."""
        return self.step / self.total if self.total > 0 else 0.0


_COLUMNS = (
    "id, created, updated, state, kind, title, payload, position, step, total, message, result, "
    "owner_pid, owner_started, started, finished_at"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    state TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    payload TEXT NOT NULL,
    position INTEGER NOT NULL,
    step INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    result TEXT,
    owner_pid INTEGER,
    owner_started TEXT,
    started REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, position);
"""


class Journal:
    """A job list stored in one SQLite file; safe to use from several threads and processes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._me = (os.getpid(), _process_started(os.getpid()))
        self._open_schema()
        # Jobs a dead process left 'running', found when the file was opened.
        self.interrupted_on_open: list[Job] = self.recover()

    # -- connections ----------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise JournalError(f"The job list {self.path} is closed.")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so each change is one
                # explicit transaction. check_same_thread=False only so close() can close every
                # thread's connection; each connection is used by its own thread alone.
                conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA busy_timeout = 10000")
                conn.execute("PRAGMA synchronous = FULL")
            except sqlite3.Error as e:
                raise self._unreadable(e) from e
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _unreadable(self, e: sqlite3.Error) -> JournalError:
        text = str(e).lower()
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return JournalError(
                f"The job list {self.path} is damaged or is not a Shotline job list ({e}). "
                "Move the file aside or delete it; Shotline then starts a new, empty job list "
                "(the takes already made are kept in the project's media folder)."
            )
        if "unable to open" in text or "readonly" in text or "read-only" in text:
            return JournalError(
                f"The job list {self.path} can't be opened for writing ({e}). "
                "Check that the folder exists and that you may write to it."
            )
        return JournalError(f"The job list {self.path} can't be used ({e}).")

    def _open_schema(self) -> None:
        if self.path.exists() and self.path.is_dir():
            raise JournalError(f"{self.path} is a folder, not a job list; choose a file path.")
        db = self._db()
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if app_id == 0 and not tables:
                # A new (or empty) file: make it ours. WAL lets readers see a running job's
                # progress while the worker writes, and survives a killed writer.
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("COMMIT")
                return
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as e:
            self.close()
            raise self._unreadable(e) from e
        if app_id != APPLICATION_ID or "jobs" not in tables:
            self.close()
            raise JournalError(
                f"{self.path} is an SQLite file of another program, not a Shotline job list. "
                "Move it aside or choose another path; Shotline then starts a new, empty job list."
            )
        if version > SCHEMA_VERSION:
            self.close()
            raise JournalError(
                f"The job list {self.path} was written by a newer Shotline (format {version}, this one "
                f"reads up to {SCHEMA_VERSION}). Update Shotline, or move the file aside to start a new list."
            )

    def close(self) -> None:
        """Close every thread's connection; the Journal can't be used afterwards."""
        with self._lock:
            conns, self._connections = self._connections, []
            self._closed = True
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------------

    def _query(self, sql: str, args: tuple = ()) -> list[Job]:
        try:
            rows = self._db().execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise self._unreadable(e) from e
        return [_job(r) for r in rows]

    def get(self, job_id: int) -> Job:
        found = self._query(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        if not found:
            raise JournalError(f"There is no job {job_id} in the job list; it may have been removed.")
        return found[0]

    def jobs(self) -> list[Job]:
        """Every job, in queue order."""
        return self._query(f"SELECT {_COLUMNS} FROM jobs ORDER BY position, id")

    def next_queued(self) -> Job | None:
        """The job that runs next, or None when nothing is queued."""
        found = self._query(
            f"SELECT {_COLUMNS} FROM jobs WHERE state = ? ORDER BY position, id LIMIT 1", (JobState.QUEUED.value,)
        )
        return found[0] if found else None

    # -- writing --------------------------------------------------------------------------

    def _write(self, fn) -> Any:
        """Run fn(db) in one immediate transaction; committed (and fsync'd) on return."""
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                out = fn(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as e:
            raise self._unreadable(e) from e
        return out

    def _state(self, db: sqlite3.Connection, job_id: int) -> JobState:
        row = db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JournalError(f"There is no job {job_id} in the job list; it may have been removed.")
        return JobState(row[0])

    def add(self, kind: str, title: str, payload: Any) -> Job:
        """Queue a job at the end; it is on disk when this returns."""
        text = _dumps(payload, "plan")

        def write(db: sqlite3.Connection) -> int:
            now = time.time()
            cur = db.execute(
                "INSERT INTO jobs (created, updated, state, kind, title, payload, position) "
                "VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM jobs))",
                (now, now, JobState.QUEUED.value, kind, title, text),
            )
            return int(cur.lastrowid)

        return self.get(self._write(write))

    def mark_running(self, job_id: int) -> Job:
        """A queued job starts in this process."""

        def write(db: sqlite3.Connection) -> None:
            state = self._state(db, job_id)
            if state is not JobState.QUEUED:
                raise JournalError(f"Job {job_id} is {state.value}, not queued, so it can't start.")
            now = time.time()
            db.execute(
                "UPDATE jobs SET state = ?, updated = ?, started = ?, step = 0, total = 0, message = '', "
                "owner_pid = ?, owner_started = ? WHERE id = ?",
                (JobState.RUNNING.value, now, now, self._me[0], self._me[1], job_id),
            )

        self._write(write)
        return self.get(job_id)

    def claim_next(self) -> Job | None:
        """Atomically take the next queued job and mark it running; None when nothing is queued.

        Two workers (threads or processes) calling this never get the same job.
        """

        def write(db: sqlite3.Connection) -> int | None:
            row = db.execute(
                "SELECT id FROM jobs WHERE state = ? ORDER BY position, id LIMIT 1", (JobState.QUEUED.value,)
            ).fetchone()
            if row is None:
                return None
            now = time.time()
            db.execute(
                "UPDATE jobs SET state = ?, updated = ?, started = ?, step = 0, total = 0, message = '', "
                "owner_pid = ?, owner_started = ? WHERE id = ?",
                (JobState.RUNNING.value, now, now, self._me[0], self._me[1], row[0]),
            )
            return int(row[0])

        job_id = self._write(write)
        return None if job_id is None else self.get(job_id)

    def _update_running(self, job_id: int, sets: str, args: tuple) -> Job:
        # Only a job still running takes progress or a result: when the user cancelled it
        # meanwhile, a late result must not bring it back.
        def write(db: sqlite3.Connection) -> None:
            self._state(db, job_id)
            db.execute(f"UPDATE jobs SET {sets} WHERE id = ? AND state = ?", (*args, job_id, JobState.RUNNING.value))

        self._write(write)
        return self.get(job_id)

    def progress(self, job_id: int, step: int, total: int) -> Job:
        return self._update_running(job_id, "step = ?, total = ?, updated = ?", (int(step), int(total), time.time()))

    def finish(self, job_id: int, result: Any = None) -> Job:
        """A running job is done; `result` (JSON) says what it made. No effect on a job no longer running."""
        now = time.time()
        return self._update_running(
            job_id,
            "state = ?, result = ?, updated = ?, finished_at = ?, step = total",
            (JobState.DONE.value, _dumps(result, "result"), now, now),
        )

    def fail(self, job_id: int, message: str) -> Job:
        """A running job failed; `message` tells the user why and what to do."""
        now = time.time()
        return self._update_running(
            job_id, "state = ?, message = ?, updated = ?, finished_at = ?", (JobState.FAILED.value, message, now, now)
        )

    def _move_state(self, job_id: int, allowed: tuple[JobState, ...], new: JobState, verb: str) -> Job:
        def write(db: sqlite3.Connection) -> None:
            state = self._state(db, job_id)
            if state is new:
                return
            if state not in allowed:
                raise JournalError(f"Job {job_id} is {state.value}, so it can't be {verb}.")
            now = time.time()
            done = now if new.finished else None
            db.execute(
                "UPDATE jobs SET state = ?, updated = ?, finished_at = ? WHERE id = ?", (new.value, now, done, job_id)
            )

        self._write(write)
        return self.get(job_id)

    def cancel(self, job_id: int) -> Job:
        """Cancel a waiting or running job (the runner stops it; the journal records it)."""
        return self._move_state(job_id, (*_WAITING, JobState.RUNNING), JobState.CANCELLED, "cancelled")

    def pause(self, job_id: int) -> Job:
        """Hold a queued job: it keeps its place but does not run until resumed."""
        return self._move_state(job_id, (JobState.QUEUED,), JobState.PAUSED, "paused")

    def resume(self, job_id: int) -> Job:
        return self._move_state(job_id, (JobState.PAUSED,), JobState.QUEUED, "resumed")

    def put_back(self, job_id: int) -> Job:
        """A running job stops with nothing made and goes to the front of the queue (pausing the queue)."""

        def write(db: sqlite3.Connection) -> None:
            state = self._state(db, job_id)
            if state is not JobState.RUNNING:
                raise JournalError(f"Job {job_id} is {state.value}, not running, so it can't be put back.")
            front = db.execute("SELECT COALESCE(MIN(position), 0) - 1 FROM jobs").fetchone()[0]
            db.execute(
                "UPDATE jobs SET state = ?, updated = ?, position = ?, step = 0, total = 0, owner_pid = NULL, "
                "owner_started = NULL, started = NULL WHERE id = ?",
                (JobState.QUEUED.value, time.time(), front, job_id),
            )

        self._write(write)
        return self.get(job_id)

    def requeue(self, job_id: int) -> Job:
        """Run a job again: a failed, cancelled or interrupted job goes back to the end of the queue.

        A done job is kept as it is (its result names a take) and a copy is queued instead; the
        returned Job is the one that will run.
        """

        def write(db: sqlite3.Connection) -> int:
            state = self._state(db, job_id)
            if state not in _RETRYABLE:
                raise JournalError(f"Job {job_id} is {state.value}; only a finished job can be run again.")
            now = time.time()
            end = db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM jobs").fetchone()[0]
            if state is JobState.DONE:
                cur = db.execute(
                    "INSERT INTO jobs (created, updated, state, kind, title, payload, position) "
                    "SELECT ?, ?, ?, kind, title, payload, ? FROM jobs WHERE id = ?",
                    (now, now, JobState.QUEUED.value, end, job_id),
                )
                return int(cur.lastrowid)
            db.execute(
                "UPDATE jobs SET state = ?, updated = ?, position = ?, step = 0, total = 0, message = '', "
                "result = NULL, owner_pid = NULL, owner_started = NULL, started = NULL, finished_at = NULL "
                "WHERE id = ?",
                (JobState.QUEUED.value, now, end, job_id),
            )
            return job_id

        return self.get(self._write(write))

    def move(self, job_id: int, index: int) -> list[Job]:
        """Put a waiting job at `index` among the waiting (queued or paused) jobs; 0 runs next.

        Returns the waiting jobs in their new order. Jobs that run or have finished keep theirs.
        """

        def write(db: sqlite3.Connection) -> None:
            state = self._state(db, job_id)
            if state not in _WAITING:
                raise JournalError(f"Job {job_id} is {state.value}; only waiting jobs can be reordered.")
            rows = db.execute(
                "SELECT id, position FROM jobs WHERE state IN (?, ?) ORDER BY position, id",
                tuple(s.value for s in _WAITING),
            ).fetchall()
            ids = [r[0] for r in rows if r[0] != job_id]
            ids.insert(max(0, min(int(index), len(ids))), job_id)
            # The waiting jobs swap among the slots they already hold, so their order relative
            # to running and finished jobs in jobs() is unchanged.
            slots = sorted(r[1] for r in rows)
            for slot, jid in zip(slots, ids, strict=True):
                db.execute("UPDATE jobs SET position = ? WHERE id = ?", (slot, jid))
            db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (time.time(), job_id))

        self._write(write)
        return [j for j in self.jobs() if j.state in _WAITING]

    def remove(self, job_id: int) -> None:
        """Delete a job that is not running (the user clears it from the list)."""

        def write(db: sqlite3.Connection) -> None:
            if self._state(db, job_id) is JobState.RUNNING:
                raise JournalError(f"Job {job_id} is running; cancel it before removing it.")
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

        self._write(write)

    def recover(self) -> list[Job]:
        """Jobs left 'running' by a process that is gone become 'interrupted'; returns them."""

        def write(db: sqlite3.Connection) -> list[int]:
            rows = db.execute(
                "SELECT id, owner_pid, owner_started FROM jobs WHERE state = ?", (JobState.RUNNING.value,)
            ).fetchall()
            dead = [jid for jid, pid, started in rows if not _process_alive(pid, started)]
            now = time.time()
            for jid in dead:
                db.execute(
                    "UPDATE jobs SET state = ?, updated = ?, finished_at = ?, message = ? WHERE id = ?",
                    (
                        JobState.INTERRUPTED.value,
                        now,
                        now,
                        "Shotline stopped while this job ran (a crash or a forced quit). Run it again to make it.",
                        jid,
                    ),
                )
            return dead

        return [self.get(jid) for jid in self._write(write)]


# -- helpers --------------------------------------------------------------------------------


def _dumps(value: Any, what: str) -> str | None:
    if value is None and what == "result":
        return None
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise JournalError(f"The job's {what} can't be stored as JSON: {e}") from e


def _job(row: tuple) -> Job:
    (jid, created, updated, state, kind, title, payload, position, step, total, message, result,
     owner_pid, owner_started, started, finished_at) = row
    return Job(
        id=jid,
        created=created,
        updated=updated,
        state=JobState(state),
        kind=kind,
        title=title,
        payload=json.loads(payload),
        position=position,
        step=step,
        total=total,
        message=message,
        result=None if result is None else json.loads(result),
        owner_pid=owner_pid,
        owner_started=owner_started,
        started=started,
        finished_at=finished_at,
    )


def _process_started(pid: int) -> str | None:
    """A token for when the process started (Linux: boot-relative ticks), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses; fields after the last ')' are fixed.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None  # field 22: starttime


def _process_alive(pid: int | None, started: str | None) -> bool:
    if pid is None:
        return False
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except OSError:
        return False
    if started is not None:
        now_started = _process_started(pid)
        if now_started is not None and now_started != started:
            return False  # the pid was reused by a newer process
    # A zombie (killed, not yet reaped by its parent) runs nothing.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat[stat.rfind(")") + 2 :].split()[0] == "Z":
            return False
    except OSError:
        pass
    return True


def _windows_process_alive(pid: int) -> bool:
    # os.kill(pid, 0) on Windows would send CTRL_C to the process, so ask the kernel instead.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
