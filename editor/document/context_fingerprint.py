"""Stale takes: what a take was conditioned on, fingerprinted, and compared with the document now.

When a take is planned, `plan_context` records the parts of the project its pins came from: for a
take made in a gap (infill, or an extend from a gap) the clip before and the clip after (which
take, which of its frames: a trim or a take switch changes them) and the track's keyframes inside
the gap; for a take of a shot, the shot's keyframes (position, strength, picture) and, for an
animated still, the still; for every take, the cast members it used (picture and description).
The fingerprint lives in the take's record (`record["plan"]["context"]`), plain JSON.

`stale_reasons` computes the same parts for the clip the take is in *now* and says, in words,
which differ. Staleness is never stored: undoing the edit that changed the context makes the
take fresh again, because the document is what it was. A take from before fingerprints existed
has none and is never called stale. A picture that can't be read now is not called changed
(offline media is reported elsewhere).

Pictures are compared by content, so moving the project or relinking to an identical copy keeps
takes fresh: `content_tokens(folder)` hashes a file once per (path, size, mtime) and remembers it.
Pure functions of (project, take, tokens); no Qt.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from editor.document.media_paths import locate_media
from editor.document.plans import CONTEXT_FRAMES, GenerationPlan, context_count
from editor.document.project import Clip, Project, Take, Track
from model.request import Action

# media path as the project stores it -> a token of its content, None when it can't be read
FileToken = Callable[[str], "str | None"]

CONTEXT_KEY = "context"  # in the plan (and so in record["plan"])
_SIDES = ("before", "after")
# fields of a part that are only there for wording, never compared
_WORDING = frozenset({"name", "frame"})


def no_files(_media: str) -> str | None:
    """A FileToken that reads nothing (pictures are compared by path only)."""
    return _media


_digests: dict[tuple[str, int, int], str] = {}


def content_tokens(folder: str | os.PathLike | None) -> FileToken:
    """A FileToken hashing the files of the project in `folder` (cached by path, size and mtime)."""

    def token(media: str) -> str | None:
        where = locate_media(folder, media).path
        if where is None:
            return None
        try:
            st = where.stat()
        except OSError:
            return None
        key = (str(where), st.st_size, st.st_mtime_ns)
        digest = _digests.get(key)
        if digest is None:
            try:
                digest = _hash_file(where)
            except OSError:
                return None
            if len(_digests) > 4096:
                _digests.clear()
            _digests[key] = digest
        return digest

    return token


def _hash_file(path: Path) -> str:
    h = hashlib.blake2b(digest_size=8)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- recording -------------------------------------------------------------------------------


def plan_context(project: Project, plan: GenerationPlan, files: FileToken = no_files, *,
                 around: str | None = None) -> dict[str, dict]:
    """The context parts `plan` is conditioned on, from the project as it is when it is queued.

    `around`: a clip made in a gap, being made again (its new take joins the clips around it)."""
    target = plan.target
    if around is not None:
        try:
            track, clip = project.find_clip(around)
        except KeyError:
            return {}
        return _gap_parts(project, track.id, clip.start, clip.end, clip.id, plan.cast, files)
    if target.clip_id is None:  # a new clip in a gap
        return _gap_parts(project, target.track_id, target.start, target.start + target.length, None,
                          plan.cast, files)
    try:
        _, clip = project.find_clip(target.clip_id)
    except KeyError:
        return {}
    still = next((p.take_id for p in plan.pins if p.still and p.take_id and p.position == 0), None)
    return _shot_parts(project, clip, plan.action, still if plan.action is Action.ANIMATE else None,
                       plan.cast, files)


def with_context(plan: GenerationPlan, project: Project, files: FileToken = no_files, *,
                 around: str | None = None) -> GenerationPlan:
    """`plan` carrying its context fingerprint (recorded with the take it makes)."""
    return dataclasses.replace(plan, context=plan_context(project, plan, files, around=around))


def made_in_gap(take: Take) -> bool:
    """True for a take whose context is the clips around it (an infill, or a gap extended)."""
    context = recorded_context(take)
    return context is not None and "before" in context


def recorded_context(take: Take) -> dict[str, dict] | None:
    """The fingerprint a take was made with; None for an import or a take from before fingerprints."""
    plan = take.record.get("plan") if isinstance(take.record, dict) else None
    context = plan.get(CONTEXT_KEY) if isinstance(plan, dict) else None
    return context if isinstance(context, dict) else None


def current_context(project: Project, clip_id: str, take: Take, files: FileToken = no_files) -> dict[str, dict]:
    """The same parts as `recorded_context(take)`, computed for the clip holding it now."""
    track, clip = project.find_clip(clip_id)
    return _current(project, track, clip, take, files)


def _current(project: Project, track: Track, clip: Clip, take: Take, files: FileToken) -> dict[str, dict]:
    plan = take.record.get("plan") if isinstance(take.record, dict) else {}
    plan = plan if isinstance(plan, dict) else {}
    target = plan.get("target") if isinstance(plan.get("target"), dict) else {}
    cast = tuple(c for c in plan.get("cast") or () if isinstance(c, str))
    # keyframes are placed by where they fall in the take, so trimming the clip's own start (the
    # take moves under it by as much) changes nothing
    shown = clip.take is not None and take.id == clip.take.id and not take.is_still
    origin = clip.start - clip.source_in if shown else clip.start
    if made_in_gap(take) or target.get("clip_id") is None:
        window = (origin, origin + take.frames) if shown else (clip.start, clip.end)
        return _gap_parts(project, track.id, clip.start, clip.end, clip.id, cast, files, window=window)
    try:
        action = Action(plan.get("action"))
    except ValueError:
        return {}
    still = None
    if action is Action.ANIMATE:
        pins = [p for p in plan.get("pins") or () if isinstance(p, dict)]
        still = next((p.get("take_id") for p in pins if p.get("still") and p.get("position") == 0), None)
    return _shot_parts(project, clip, action, still, cast, files, shift=clip.source_in if shown else 0)


# --- the parts -------------------------------------------------------------------------------


def _gap_parts(project: Project, track_id: str, start: int, end: int, own: str | None, cast: tuple[str, ...],
               files: FileToken, *, window: tuple[int, int] | None = None) -> dict[str, dict]:
    """The clips around [start, end) and the track's keyframes in `window` (the take's frames on
    the timeline; [start, end) when not given), placed from the window's start."""
    try:
        track = project.track(track_id)
    except KeyError:
        return {}
    before, after = _neighbours(track, start, end, own)
    parts = {"before": _neighbour_part(before, tail=True), "after": _neighbour_part(after, tail=False)}
    first, last = window or (start, end)
    for k in track.keyframes:
        if first <= k.frame < last:
            parts[f"keyframe:{k.id}"] = {"at": k.frame - first, "strength": k.strength, "image": files(k.image),
                                         "frame": k.frame}
    parts.update(_cast_parts(project, cast, files))
    return parts


def _neighbours(track: Track, start: int, end: int, own: str | None) -> tuple[Clip | None, Clip | None]:
    """The nearest clip ending at or before `start` and the nearest starting at or after `end`.
    A track's clips are sorted and never overlap, so both starts and ends are in order: two
    binary searches, not a walk (the badges ask this for every clip after every edit)."""
    clips = track.clips
    i = bisect.bisect_right(clips, start, key=lambda c: c.end) - 1
    while i >= 0 and clips[i].id == own:
        i -= 1
    j = bisect.bisect_left(clips, end, key=lambda c: c.start)
    while j < len(clips) and clips[j].id == own:
        j += 1
    return (clips[i] if i >= 0 else None), (clips[j] if j < len(clips) else None)


def _neighbour_part(clip: Clip | None, *, tail: bool) -> dict[str, Any]:
    """Which frames of a neighbour the take would join: its take and the frames pinned."""
    if clip is None:
        return {"clip": None}
    take = clip.take
    if take is None:
        return {"clip": clip.id, "take": None, "name": clip.name}
    if take.is_still:
        return {"clip": clip.id, "take": take.id, "name": clip.name}
    k = context_count(CONTEXT_FRAMES, clip.length)
    first = clip.source_in + clip.length - k if tail else clip.source_in
    return {"clip": clip.id, "take": take.id, "first": first, "count": k, "name": clip.name}


def _shot_parts(project: Project, clip: Clip, action: Action, still: str | None, cast: tuple[str, ...],
                files: FileToken, *, shift: int = 0) -> dict[str, dict]:
    """`shift`: the take's frame shown at the clip's start (a take made now starts at 0)."""
    parts: dict[str, dict] = {}
    if action in (Action.GENERATE, Action.ANIMATE):
        for k in clip.keyframes:
            if action is Action.ANIMATE and k.frame == 0:
                continue  # the still itself sits there
            parts[f"keyframe:{k.id}"] = {"at": k.frame + shift, "strength": k.strength, "image": files(k.image),
                                         "frame": clip.start + k.frame}
    if still is not None:
        take = next((t for t in clip.takes if t.id == still), None)
        parts["still"] = {"take": still, "image": files(take.media) if take is not None else None}
    parts.update(_cast_parts(project, cast, files))
    return parts


def _cast_parts(project: Project, cast: tuple[str, ...], files: FileToken) -> dict[str, dict]:
    members = {m.id: m for m in project.cast}
    parts = {}
    for cid in cast:
        m = members.get(cid)
        parts[f"cast:{cid}"] = ({"gone": True} if m is None else
                                {"image": files(m.image), "description": m.description, "name": m.name})
    return parts


# --- comparing -------------------------------------------------------------------------------


def stale_reasons(project: Project, clip_id: str, take: Take, files: FileToken = no_files) -> list[str]:
    """What changed in the context `take` (in clip `clip_id`) was made from, in words; [] when fresh
    (or when the take recorded no context)."""
    try:
        track, clip = project.find_clip(clip_id)
    except KeyError:
        return []
    return _reasons(project, track, clip, take, files)


def _reasons(project: Project, track: Track, clip: Clip, take: Take, files: FileToken) -> list[str]:
    then = recorded_context(take)
    if not then:
        return []
    now = _current(project, track, clip, take, files)
    reasons = []
    for key in sorted(set(then) | set(now), key=_order):
        old, new = then.get(key), now.get(key)
        if old is not None and new is not None and _same(old, new):
            continue
        text = _describe(project, key, old, new)
        if text:
            reasons.append(text)
    return reasons


def is_stale(project: Project, clip_id: str, take: Take, files: FileToken = no_files) -> bool:
    return bool(stale_reasons(project, clip_id, take, files))


def _order(key: str) -> tuple[int, str]:
    return ({"before": 0, "after": 1, "still": 2}.get(key, 3 if key.startswith("keyframe:") else 4), key)


def _same(old: dict, new: dict) -> bool:
    for field in set(old) | set(new):
        if field in _WORDING:
            continue
        a, b = old.get(field), new.get(field)
        if field == "image" and (a is None or b is None):
            continue  # unreadable now (or then): not known to differ
        if a != b:
            return False
    return True


def _quoted(name: str | None) -> str:
    return f"“{name}”" if name else ""


def _describe(project: Project, key: str, old: dict | None, new: dict | None) -> str:
    if key in _SIDES:
        return _describe_side(project, key, old or {"clip": None}, new or {"clip": None})
    if key.startswith("keyframe:"):
        if new is None:
            return f"The keyframe at frame {(old or {}).get('frame', '?')} was removed."
        if old is None:
            return f"A keyframe was pinned at frame {new.get('frame', '?')}."
        if old.get("at") != new.get("at"):
            return f"A keyframe moved (now at frame {new.get('frame', '?')})."
        if old.get("image") != new.get("image"):
            return f"The keyframe picture at frame {new.get('frame', '?')} was replaced."
        return f"The keyframe at frame {new.get('frame', '?')} has another strength."
    if key == "still":
        return "The still image it animated changed."
    if key.startswith("cast:"):
        name = (new or {}).get("name") or (old or {}).get("name") or "A cast member"
        if new is None or new.get("gone"):
            return f"Cast member {name} was removed from the project."
        if old is None or old.get("gone"):
            return f"Cast member {name} is back."
        if old.get("image") != new.get("image"):
            return f"{name}'s picture changed."
        return f"{name}'s description changed."
    return ""


def _describe_side(project: Project, side: str, old: dict, new: dict) -> str:
    where = "before" if side == "before" else "after"
    if old.get("clip") != new.get("clip"):
        if new.get("clip") is None:
            return f"The clip {where} it was removed or moved away."
        return f"Another clip is {where} it now ({_quoted(new.get('name')) or 'a new one'})."
    name = _quoted(new.get("name")) or f"the clip {where}"
    name = name[:1].upper() + name[1:]
    if old.get("take") != new.get("take"):
        if old.get("take") is None:
            return f"{name} ({where}) has frames now."
        return f"{name} ({where}) shows another take."
    return f"{name} ({where}) was trimmed: it joins different frames."


def stale_clips(project: Project, files: FileToken = no_files) -> dict[str, list[str]]:
    """{clip id: reasons} for every clip whose active take is stale (the badges' question)."""
    out = {}
    for track in project.tracks:
        for clip in track.clips:
            take = clip.take
            if take is not None and recorded_context(take):
                reasons = _reasons(project, track, clip, take, files)
                if reasons:
                    out[clip.id] = reasons
    return out
