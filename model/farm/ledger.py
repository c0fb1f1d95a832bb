"""Which node, worker and remote id run each journal job: a `farm_jobs` table beside `jobs`.

The journal (model.journal) stays the source of truth for a job's state; this table adds where a
farm job was sent, so the Jobs panel can say which node runs what, a retry is counted, and an
editor that reopens knows the job was on the farm. It lives in the journal's own SQLite file (one
file per project, WAL) and is created when first written; the journal's schema is untouched.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass

_SCHEMA = """
CREATE TABLE IF NOT EXISTS farm_jobs (
    job_id INTEGER PRIMARY KEY,
    remote_id TEXT NOT NULL,
    node TEXT NOT NULL,
    worker TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    updated REAL NOT NULL
)
"""


@dataclass(frozen=True)
class Dispatch:
    job_id: int
    remote_id: str
    node: str
    worker: str
    attempt: int  # 1 for the first try, 2 for the first retry on another worker, ...
    updated: float


def _connect(path: str | os.PathLike) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute(_SCHEMA)
    return db


def record(path: str | os.PathLike, job_id: int, remote_id: str, node: str, worker: str, attempt: int) -> None:
    """Job `job_id` of the journal at `path` was sent to `worker` on `node` (fsync'd on return)."""
    db = _connect(path)
    try:
        db.execute("PRAGMA synchronous = FULL")
        db.execute(
            "INSERT OR REPLACE INTO farm_jobs (job_id, remote_id, node, worker, attempt, updated) "
            "VALUES (?, ?, ?, ?, ?, ?)", (job_id, remote_id, node, worker, attempt, time.time()))
    finally:
        db.close()


def dispatches(path: str | os.PathLike) -> dict[int, Dispatch]:
    """Every job of the journal at `path` that went to the farm, by job id ({} when none)."""
    if not os.path.isfile(path):
        return {}
    try:
        db = _connect(path)
    except sqlite3.Error:
        return {}
    try:
        rows = db.execute("SELECT job_id, remote_id, node, worker, attempt, updated FROM farm_jobs").fetchall()
    except sqlite3.Error:
        return {}
    finally:
        db.close()
    return {r[0]: Dispatch(*r) for r in rows}


def requeue_sent(journal, job_ids: list[int]) -> list[int]:
    """Of the jobs a dead editor left interrupted, those it had sent to the farm are queued again:
    run again, they find their remote job (same request, same remote id) still running or done
    there and collect its result. Returns their ids (journal: a model.journal.Journal)."""
    sent = dispatches(journal.path)
    again = []
    for job_id in job_ids:
        if job_id in sent:
            journal.requeue(job_id)
            again.append(job_id)
    return again
