"""Plans journaled by an older version, read as the timeline shows their frames now.

A plan records, for each pin and each segment that reads a take's file, the rate the file's
frames were made at (`made_at`) and the clip's fit mode (`fit`), so its frames are read as the
cut shows them (`editor.document.plans.PinSource`). A job queued by a version that did not write
those keys would otherwise read a file made at 24 fps frame for frame in a project now at 12 or
48 fps: the wrong pictures. When such a job is loaded to run (or run again), the missing keys are
filled from the document as it is now: the take the pin or segment names (by id, else by file)
and the clip that holds it. Keys a plan has (even null) are its own and are kept.

Plain data over the document; no Qt, no media reads.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from editor.document.project import Clip, Project, Take, Track

SHOWN_KEYS = ("made_at", "fit")


def fill_as_shown(plan: dict[str, Any], project: Project) -> dict[str, Any]:
    """`plan` (a GenerationPlan's journal dict) with `made_at` and `fit` filled where a pin or a
    segment lacks them, from the take it reads and that take's clip in `project`. Returns `plan`
    itself when nothing lacks them; never changes it in place."""
    pins = plan.get("pins") if isinstance(plan.get("pins"), list) else []
    target = plan.get("target") if isinstance(plan.get("target"), dict) else {}
    segments = target.get("segments") if isinstance(target.get("segments"), list) else []
    lacking = [r for r in [*pins, *segments] if isinstance(r, dict) and any(k not in r for k in SHOWN_KEYS)]
    if not lacking:
        return plan
    found = _takes(project)
    out = copy.deepcopy(plan)
    for row in [*out.get("pins", []), *out.get("target", {}).get("segments", [])]:
        if not isinstance(row, dict) or all(k in row for k in SHOWN_KEYS):
            continue
        hit = None
        if row.get("take_id") is not None:  # by id; by file for a pasted clip (new ids, same files)
            hit = found.get(("id", row["take_id"])) or found.get(("media", row.get("media")))
        shown = _as_shown(*hit) if hit is not None else {}
        for key in SHOWN_KEYS:
            row.setdefault(key, shown.get(key))
    return out


def _takes(project: Project) -> dict[tuple[str, Any], tuple[Clip, Take]]:
    """Each take of the project by id and by file (the first clip holding that file)."""
    out: dict[tuple[str, Any], tuple[Clip, Take]] = {}
    for track in project.tracks:
        for clip in track.clips:
            for take in clip.takes:
                out.setdefault(("id", take.id), (clip, take))
                out.setdefault(("media", take.media), (clip, take))
    return out


def _as_shown(clip: Clip, take: Take) -> dict[str, str | None]:
    """How the cut shows `take` in `clip` now (as plans._as_shown records it for a new plan)."""
    made_at = None if take.is_still else take.metadata.get("frames_at_fps")
    fit = clip.metadata.get("fit")
    return {"made_at": str(made_at) if made_at else None, "fit": str(fit) if fit else None}


def shown_tracks(tracks: list[Track]) -> list[Track]:
    """A light copy of `tracks`, enough for `fill_as_shown` (clips with their takes' ids, files
    and metadata, and the clips' metadata; no records, keyframes or settings): what a job worker
    may hold while the document changes on the GUI thread."""
    return [
        Track(id=t.id, name=t.name, clips=[
            Clip(id=c.id, start=c.start, length=c.length, active_take=c.active_take, source_in=c.source_in,
                 metadata=dict(c.metadata),
                 takes=[replace(k, record={}, metadata=dict(k.metadata)) for k in c.takes])
            for c in t.clips])
        for t in tracks
    ]
