"""Is a worker still the process a job was sent to? Ray's own record of the actor, asked while a
call to it waits.

A worker's calls (`poll`, `submit`, `result`, `cancel`) are tiny and answered in milliseconds even
while its job samples (the actor is threaded). So when one is not answered within LOOK_S, the
client asks the GCS about the actor: not ALIVE (its process died, Ray is restarting it or gave up
on it), or alive in another process than the one the job went to (Ray restarted it: the job went
with the old process), means the worker is lost *now*, and the job is sent to another worker at
once instead of waiting out a long call timeout. An actor Ray still reports alive, in the same
process, is left to answer however long its job runs.

The record is read from the GCS directly (`ray._private.state`, a millisecond's call), which works
without Ray's dashboard; where it can't be read (a Ray Client connection, ray://) the answer is
None and the caller falls back to its own bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOOK_S = 0.5  # a call unanswered this long makes the client look at the actor's record


@dataclass(frozen=True)
class ActorRecord:
    state: str  # ALIVE, RESTARTING, DEAD, PENDING_CREATION, DEPENDENCIES_UNREADY
    pid: int  # the process Ray runs it in now (0 while it has none)
    restarts: int


def actor_record(handle: Any) -> ActorRecord | None:
    """The GCS's record of the actor behind `handle`; None when it can't be read here."""
    try:
        from ray._private import state

        info = state.actors(handle._actor_id.hex())
    except Exception:  # a Ray Client connection, an older or newer Ray without this table
        return None
    if not info:
        return None
    return ActorRecord(str(info.get("State", "")), int(info.get("Pid") or 0), int(info.get("NumRestarts") or 0))


def lost_reason(record: ActorRecord | None, pid: int | None) -> str | None:
    """Why the worker that ran in process `pid` is gone, from its record; None when it is not
    (or when nothing can be told: no record, no pid known)."""
    if record is None:
        return None
    if record.state != "ALIVE":
        return f"Ray reports the worker {record.state.lower()}"
    if pid and record.pid and record.pid != pid:
        return "Ray restarted the worker in a new process"
    return None
