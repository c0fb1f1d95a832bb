"""Finished takes the timeline is missing, and how to put them back (no Qt: plain project data).

A job can finish after the project was last saved, in a session that ended before it was saved
again (a crash, a kill, "Don't save"), or its take could not be placed. Its take is in media/
and its journal row says done; these functions find such jobs and rebuild their `Take`, so the
generation controller can offer them ("Place them") instead of losing the user's work.
"""

from __future__ import annotations

from pathlib import Path

from editor.document.media_paths import locate_media
from editor.document.plans import GenerationPlan
from editor.document.project import Project, Take, new_id
from editor.document.storage import PROJECT_FILE
from editor.media.errors import MediaError
from editor.media.takes import read_sidecar
from model.journal import Job, JobState


def unplaced_jobs(jobs: list[Job], candidates: set[int], project: Project, folder: Path) -> list[Job]:
    """The `candidates` among `jobs` that are done and whose take is on disk but in no clip of
    `project`, oldest first. A take the user removed and then saved the project without is not
    a candidate (only jobs finished since the last save, or whose placing failed, are)."""
    if not candidates:
        return []
    used_ids, used_media = _takes_in(project, folder)
    out = []
    for job in jobs:
        if job.id not in candidates or job.state is not JobState.DONE:
            continue
        result = job.result if isinstance(job.result, dict) else {}
        media = result.get("take")
        if not media or result.get("take_id") in used_ids:
            continue
        path = locate_media(folder, str(media)).path
        if path is None or _media_key(path) in used_media or not path.is_file():
            continue
        out.append(job)
    return sorted(out, key=lambda j: (j.finished_at or 0.0, j.id))


def clip_holding(project: Project, take_id: str) -> str | None:
    """The id of the clip that holds take `take_id`, None when no clip does."""
    for track in project.tracks:
        for clip in track.clips:
            if any(t.id == take_id for t in clip.takes):
                return clip.id
    return None


def saved_time(folder: Path) -> float:
    """When the project file was last written (0 when it never was)."""
    try:
        return (folder / PROJECT_FILE).stat().st_mtime
    except OSError:
        return 0.0


def _media_key(path: Path) -> str:
    return str(path.resolve())


def _takes_in(project: Project, folder: Path) -> tuple[set[str], set[str]]:
    """Ids and resolved media paths of every take in the project's clips."""
    ids, media = set(), set()
    for track in project.tracks:
        for clip in track.clips:
            for take in clip.takes:
                ids.add(take.id)
                path = locate_media(folder, take.media).path
                if path is not None:
                    media.add(_media_key(path))
    return ids, media


def take_of(job: Job, plan: GenerationPlan, folder: Path) -> Take:
    """The Take a finished job wrote, rebuilt from its journal result and its sidecar record."""
    result = job.result
    media = str(result["take"])
    path = locate_media(folder, media).path
    try:
        record = read_sidecar(path) if path is not None else {}
    except MediaError:
        record = {}
    return Take(id=str(result.get("take_id") or new_id("take")), media=media, frames=int(result["frames"]),
                is_still=False, record=record or {"job": job.id}, label=plan.action.title)
