"""How each edit changes a project: validate first, then mutate through the transaction.

Every function here raises `EditRefused` with a message for the user before it changes
anything it cannot finish; the transaction rolls back whatever was changed anyway, and
`check_track` re-checks the rules on every touched track before an edit is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING

from editor.document import audio_ops, limits
from editor.document.copies import clone_cast_member, clone_clip, clone_keyframe, clone_take
from editor.document.edit_base import UNCHANGED, EditRefused, Side
from editor.document.late_results import at_project_rate
from editor.document.media_paths import is_absolute, path_escapes
from editor.document.project import (
    Clip,
    Keyframe,
    MediaItem,
    Project,
    ShotSettings,
    Take,
    Track,
    carry_take_to_rate,
    new_id,
)
from editor.words import plural
from model.request import Action

if TYPE_CHECKING:
    from editor.document import edits as E
    from editor.document.document import Transaction

MAX_STEPS = 500


# --- rules ---------------------------------------------------------------------------------


def _name(clip: Clip) -> str:
    return f"“{clip.name}”" if clip.name else f"the clip at frame {clip.start}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]  # str.capitalize() would lower-case the rest of a name


def check_clip(clip: Clip) -> None:
    """Refuse a clip that breaks the document's rules (the safety net after every edit)."""
    if clip.length < 1:
        raise EditRefused(f"A clip needs at least one frame ({_name(clip)} would have {clip.length}).")
    if clip.start < 0:
        raise EditRefused(f"{_cap(_name(clip))} would start before frame 0.")
    if clip.end > limits.MAX_FRAMES:  # past what a view can draw or a number keep exactly
        raise EditRefused(f"{_cap(_name(clip))} would end past frame {limits.MAX_FRAMES} "
                          f"({limits.MAX_PROJECT_SECONDS // 3600} h at {limits.MAX_FPS} fps); keep the cut shorter.")
    if clip.takes:
        if not 0 <= clip.active_take < len(clip.takes):
            raise EditRefused(f"{_cap(_name(clip))} has no take number {clip.active_take + 1}.")
        take = clip.takes[clip.active_take]
        if take.is_still:
            if clip.source_in != 0:
                raise EditRefused("A still has only one frame to show.")
        elif clip.source_in < 0 or clip.source_in + clip.length > take.frames:
            raise EditRefused(
                f"The take of {_name(clip)} has {plural(take.frames, 'frame')}; it can't show frames "
                f"{clip.source_in}..{clip.source_in + clip.length - 1}."
            )
    elif clip.source_in != 0:
        raise EditRefused("A draft shot has no media to trim.")
    frames = set()
    for k in clip.keyframes:
        if not 0 <= k.frame < clip.length:
            raise EditRefused(
                f"Keyframe at offset {k.frame} would fall outside {_name(clip)} ({plural(clip.length, 'frame')}); "
                "move or remove the keyframe first."
            )
        if k.frame in frames:
            raise EditRefused(f"Two keyframes of {_name(clip)} would sit on the same frame {k.frame}.")
        frames.add(k.frame)
        _check_strength(k.strength)


def check_track(track: Track) -> None:
    """Clips sorted by start, none overlapping, each valid."""
    end = 0
    for clip in track.clips:
        check_clip(clip)
        if clip.start < end:
            raise EditRefused(
                f"{_cap(_name(clip))} would overlap the clip before it on {track.name or 'the track'}."
            )
        end = clip.end


def _check_strength(strength: float) -> None:
    if not 0.0 <= strength <= 1.0:
        raise EditRefused(f"A keyframe's strength must be between 0 and 1, not {strength}.")


def _blocker(track: Track, start: int, end: int, ignore: Iterable[str] = ()) -> Clip | None:
    skip = set(ignore)
    for c in track.clips:
        if c.id not in skip and c.start < end and start < c.end:
            return c
    return None


def _require_free(track: Track, start: int, end: int, ignore: Iterable[str] = (), what: str = "The clip") -> None:
    other = _blocker(track, start, end, ignore)
    if other is not None:
        raise EditRefused(
            f"{what} would overlap {_name(other)} (frames {other.start}..{other.end - 1}) on "
            f"{track.name or 'the track'}; make room first."
        )


def _sort(track: Track) -> None:
    track.clips.sort(key=lambda c: c.start)


# one rule for ids and for cutting holes out of a track, shared with the sound edits
_require_new_ids = audio_ops.require_new_ids
_unique = audio_ops.unique_ids
_collapse = audio_ops.collapse


def _shift_after(track: Track, frame: int, by: int, *, also: Clip | None = None) -> None:
    """Move every clip starting at or after `frame` (and track keyframes there) by `by` frames."""
    for c in track.clips:
        if c is not also and c.start >= frame:
            c.start += by
    if also is not None:
        also.start += by
    for k in track.keyframes:
        if k.frame >= frame:
            k.frame += by


def _grow_forward(track: Track, clip: Clip, new_length: int) -> None:
    """Make the clip `new_length` long keeping its start; push later clips by the overlap."""
    later = [c for c in track.clips if c.start >= clip.end and c is not clip]
    new_end = clip.start + new_length
    if later:
        overlap = new_end - min(c.start for c in later)
        if overlap > 0:
            _shift_after(track, min(c.start for c in later), overlap)
    clip.length = new_length


def _grow_backward(track: Track, clip: Clip, new_length: int) -> None:
    """Make the clip `new_length` long keeping its end; when there is no room before it, the
    clip and everything after it move right by the shortfall (earlier clips never move)."""
    earlier = [c for c in track.clips if c.end <= clip.start and c is not clip]
    floor = max((c.end for c in earlier), default=0)
    new_start = clip.end - new_length
    if new_start < floor:
        _shift_after(track, clip.start, floor - new_start, also=clip)
        new_start = floor
    clip.start, clip.length = new_start, new_length


def _show_whole_take(track: Track, clip: Clip) -> None:
    take = clip.takes[clip.active_take]
    clip.source_in = 0
    if take.is_still:
        return
    if take.frames > clip.length:
        _grow_forward(track, clip, take.frames)
    else:
        clip.length = take.frames


def _check_take(take: Take) -> None:
    if take.frames < 1:
        raise EditRefused("A take needs at least one frame.")
    if take.is_still and take.frames != 1:
        raise EditRefused("A still take holds exactly one frame.")
    if not take.media:
        raise EditRefused("A take needs a media file.")


def _check_cast_ids(project: Project, ids: Iterable[str]) -> None:
    known = {m.id for m in project.cast}
    for cid in ids:
        if cid not in known:
            raise EditRefused(f"There is no cast member {cid!r}; add it to the cast first.")


# --- tracks --------------------------------------------------------------------------------


def add_track(tx: Transaction, e: E.AddTrack) -> None:
    n = len(tx.project.tracks)
    index = n if e.index is None else e.index
    if not 0 <= index <= n:
        raise EditRefused(f"A new track can go at position 0..{n}, not {index}.")
    _require_new_ids(tx.project, [e.track_id])
    tx.add_track(Track(id=e.track_id, name=e.name.strip() or f"Track {n + 1}"), index)


def remove_track(tx: Transaction, e: E.RemoveTrack) -> None:
    tx.track(e.track_id)  # refuses an unknown id before any sound is touched
    audio_ops.remove_track_sound(tx, e.track_id)
    tx.remove_track(e.track_id)


def rename_track(tx: Transaction, e: E.RenameTrack) -> None:
    name = e.name.strip()
    if not name:
        raise EditRefused("Give the track a name.")
    tx.track(e.track_id).name = name


def set_track_hidden(tx: Transaction, e: E.SetTrackHidden) -> None:
    tx.track(e.track_id).hidden = bool(e.hidden)


def move_track(tx: Transaction, e: E.MoveTrack) -> None:
    n = len(tx.project.tracks)
    if not 0 <= e.index < n:
        raise EditRefused(f"A track can move to position 0..{n - 1}, not {e.index}.")
    tx.move_track(e.track_id, e.index)


# --- clips ---------------------------------------------------------------------------------


def add_clip(tx: Transaction, e: E.AddClip) -> None:
    track = tx.track(e.track_id)
    clip = clone_clip(e.clip)
    _require_new_ids(tx.project, [clip.id, *(t.id for t in clip.takes), *(k.id for k in clip.keyframes)])
    for take in clip.takes:
        _check_take(take)
    _check_cast_ids(tx.project, clip.shot.cast)
    check_clip(clip)
    _require_free(track, clip.start, clip.end, what="The new clip")
    track.clips.append(clip)
    _sort(track)
    # a file dropped straight on the timeline joins the media bin, and stays there if the clip goes
    _list_media(tx, [t.media for t in clip.takes])


def import_media(tx: Transaction, e: E.ImportMedia) -> None:

    for path in e.paths:
        if not isinstance(path, str) or not path:
            raise EditRefused("Choose a file to import.")
        if not is_absolute(path) and path_escapes(path):
            raise EditRefused(f"{path} climbs out of the project folder; import the file itself.")
    _list_media(tx, e.paths)


def _list_media(tx: Transaction, paths: Iterable[str]) -> None:
    listed = {m.path for m in tx.project.media}
    new = [p for p in dict.fromkeys(paths) if p not in listed]
    if new:
        tx.media().extend(MediaItem(p, {"imported": True} if is_absolute(p) else {}) for p in new)


def move_clips(tx: Transaction, e: E.MoveClips) -> None:
    ids = _unique(tuple(e.clip_ids), "clip")
    # sound moves on audio tracks only, picture on video tracks only (linked partners follow later)
    sound = [i for i in ids if audio_ops.is_audio_clip(tx.project, i)]
    ids = tuple(i for i in ids if i not in sound)
    onto_audio = audio_ops.is_audio_track(tx.project, e.to_track)
    if sound:
        if e.to_track is not None and not onto_audio:
            raise EditRefused("Sound goes on an audio track (A1, A2, ...), not on a video track.")
        audio_ops.move_audio(tx, sound, e.delta, e.to_track)
    if not ids:
        return
    if onto_audio:
        raise EditRefused("An audio track holds sound only; put pictures on a video track.")
    dest = tx.track(e.to_track) if e.to_track is not None else None
    moving: list[tuple[Track, Clip]] = []
    for cid in ids:
        track, clip = tx.clip(cid)
        if clip.start + e.delta < 0:
            raise EditRefused(f"{_cap(_name(clip))} would start before frame 0.")
        moving.append((track, clip))
    for track, clip in moving:
        track.clips.remove(clip)
    placed: list[tuple[Track, Clip]] = []
    for track, clip in moving:
        target = dest or track
        start = clip.start + e.delta
        _require_free(target, start, start + clip.length, what=_cap(_name(clip)))
        for other_track, other in placed:
            # both move by the same delta, so they overlap now iff they overlapped before
            if other_track is target and other.start < clip.end and clip.start < other.end:
                raise EditRefused("The moved clips would overlap each other on one track.")
        placed.append((target, clip))
    for target, clip in placed:
        clip.start += e.delta
        target.clips.append(clip)
    for target in {id(t): t for t, _ in placed}.values():
        _sort(target)


def trim_clip(tx: Transaction, e: E.TrimClip) -> None:
    link = audio_ops.link_of(tx.project, e.clip_id)
    if audio_ops.is_audio_clip(tx.project, e.clip_id):
        delta = audio_ops.trim_audio(tx, e.clip_id, e.side, e.frame)
    else:
        delta = _trim_video(tx, e.clip_id, Side(e.side), e.frame)
    # linked sound (or picture) is trimmed by as many frames on the same side
    audio_ops.trim_partners(tx, link, e.clip_id, Side(e.side), delta,
                            lambda cid, side, frame: _trim_video(tx, cid, side, frame))


def _trim_video(tx: Transaction, clip_id: str, side: Side, frame: int) -> int:
    """Trim one video clip's edge to `frame`; returns how far the edge moved."""
    track, clip = tx.clip(clip_id)
    take = clip.take
    video = take is not None and not take.is_still
    before = clip.start if side is Side.START else clip.end
    _trim_edge(track, clip, take, video, side, frame)
    return (clip.start if side is Side.START else clip.end) - before


def _trim_edge(track: Track, clip: Clip, take: Take | None, video: bool, side: Side, frame: int) -> None:
    if side is Side.START:
        if frame >= clip.end:
            raise EditRefused(f"The start must stay before the clip's end (frame {clip.end}).")
        if frame < 0:
            raise EditRefused("A clip can't start before frame 0.")
        delta = frame - clip.start
        if video and clip.source_in + delta < 0:
            raise EditRefused(
                f"The take has no frames before its first one: the start can go back at most "
                f"{clip.source_in} frames, to frame {clip.start - clip.source_in}."
            )
        for k in clip.keyframes:
            if not 0 <= k.frame - delta < clip.length - delta:
                raise EditRefused(
                    f"Trimming to frame {frame} would cut off the keyframe at frame {clip.start + k.frame}; "
                    "move or remove it first."
                )
        _require_free(track, frame, clip.end, ignore=[clip.id], what="The trimmed clip")
        clip.start, clip.length = frame, clip.length - delta
        if video:
            clip.source_in += delta
        for k in clip.keyframes:
            k.frame -= delta
    else:
        if frame <= clip.start:
            raise EditRefused(f"The end must stay after the clip's start (frame {clip.start}).")
        length = frame - clip.start
        if video and clip.source_in + length > take.frames:
            raise EditRefused(
                f"The take has {plural(take.frames, 'frame')}: the end can go at most to frame "
                f"{clip.start + take.frames - clip.source_in}. Extend the clip to make more."
            )
        for k in clip.keyframes:
            if k.frame >= length:
                raise EditRefused(
                    f"Trimming to frame {frame} would cut off the keyframe at frame {clip.start + k.frame}; "
                    "move or remove it first."
                )
        _require_free(track, clip.start, frame, ignore=[clip.id], what="The trimmed clip")
        clip.length = length


def split_clip(tx: Transaction, e: E.SplitClip) -> None:
    link = audio_ops.link_of(tx.project, e.clip_id)
    if audio_ops.is_audio_clip(tx.project, e.clip_id):
        audio_ops.split_audio(tx, e.clip_id, e.frame, e.new_clip_id)
    else:
        _split_video(tx, e.clip_id, e.frame, e.new_clip_id)
    # linked sound (or picture) is cut at the same frame
    audio_ops.split_partners(tx, link, e.clip_id, e.frame, e.new_clip_id,
                             lambda cid, frame, new_id: _split_video(tx, cid, frame, new_id))


def _split_video(tx: Transaction, clip_id: str, frame: int, new_clip_id: str) -> Clip:
    """Split one video clip at timeline `frame`; returns the right part."""
    track, clip = tx.clip(clip_id)
    if not clip.start < frame < clip.end:
        raise EditRefused(
            f"Split inside the clip: between frames {clip.start + 1} and {clip.end - 1}, not at {frame}."
        )
    _require_new_ids(tx.project, [new_clip_id])
    left = frame - clip.start
    right = clone_clip(clip)
    right.id = new_clip_id
    right.start, right.length = frame, clip.length - left
    for t in right.takes:
        t.id = new_id("take")
    take = clip.take
    right.source_in = clip.source_in + left if take is not None and not take.is_still else 0
    right.keyframes = [k for k in right.keyframes if k.frame >= left]
    right.metadata.pop("infill_before", None)  # the gap before the clip stays the left part's (gap_sampling.KEY)
    for k in right.keyframes:
        k.frame -= left
    clip.keyframes = [k for k in clip.keyframes if k.frame < left]
    clip.length = left
    track.clips.insert(track.clips.index(clip) + 1, right)
    return right


def delete_clips(tx: Transaction, e: E.DeleteClips) -> None:
    # a clip goes with the sound (or picture) linked to it
    video, sound = audio_ops.partners(tx.project, _unique(tuple(e.clip_ids), "clip"))
    audio_ops.delete_audio(tx, sound, ripple=False)
    for cid in video:
        track, clip = tx.clip(cid)
        track.clips.remove(clip)


def ripple_delete(tx: Transaction, e: E.RippleDelete) -> None:
    holes: dict[str, tuple[Track, list[tuple[int, int]]]] = {}
    video, sound = audio_ops.partners(tx.project, _unique(tuple(e.clip_ids), "clip"))
    audio_ops.delete_audio(tx, sound, ripple=True)
    for cid in video:
        track, clip = tx.clip(cid)
        holes.setdefault(track.id, (track, []))[1].append((clip.start, clip.end))
        track.clips.remove(clip)
    for track, cut in holes.values():
        _close(track, cut)


def _close(track: Track, cut: list[tuple[int, int]]) -> None:
    for c in track.clips:
        c.start = _collapse(c.start, cut)
    for k in track.keyframes:
        k.frame = _collapse(k.frame, cut)


def close_gap(tx: Transaction, e: E.CloseGap) -> None:
    track = tx.track(e.track_id)
    for gap in tx.project.gaps(track.id):
        if gap.start <= e.frame < gap.end:
            _close(track, [(gap.start, gap.end)])
            return
    raise EditRefused(f"There is no gap at frame {e.frame} on {track.name or 'that track'}.")


def reorder_shot(tx: Transaction, e: E.ReorderShot) -> None:
    track, clip = tx.clip(e.clip_id)
    order = list(track.clips)
    if not 0 <= e.index < len(order):
        raise EditRefused(f"A shot on this track can go to position 1..{len(order)}, not {e.index + 1}.")
    gaps, end = [], 0
    for c in order:
        gaps.append(c.start - end)
        end = c.end
    order.remove(clip)
    order.insert(e.index, clip)
    pos = 0
    for gap, c in zip(gaps, order, strict=True):
        pos += gap
        c.start = pos
        pos += c.length
    track.clips[:] = order


def set_clip_length(tx: Transaction, e: E.SetClipLength) -> None:
    track, clip = tx.clip(e.clip_id)
    if clip.take is not None and not clip.take.is_still:
        raise EditRefused("This clip shows a video take: trim it instead, or extend it to make it longer.")
    if e.length < 1:
        raise EditRefused("A shot needs at least one frame.")
    for k in clip.keyframes:
        if k.frame >= e.length:
            raise EditRefused(
                f"A keyframe sits at offset {k.frame}; the shot must stay longer than that (move it first)."
            )
    _require_free(track, clip.start, clip.start + e.length, ignore=[clip.id], what="The longer shot")
    clip.length = e.length


def rename_clip(tx: Transaction, e: E.RenameClip) -> None:
    _, clip = tx.clip(e.clip_id)
    clip.name = e.name.strip()


def _check_shot_values(*, seed, steps, guidance, model) -> None:
    if seed is not None and not (isinstance(seed, int) and 0 <= seed < 2**63):
        raise EditRefused("The seed must be a whole number from 0 to 2^63-1 (or empty for a random one).")
    if steps is not None and not (isinstance(steps, int) and 1 <= steps <= MAX_STEPS):
        raise EditRefused(f"Steps must be a whole number from 1 to {MAX_STEPS}.")
    if guidance is not None and not (isinstance(guidance, int | float) and 0 <= guidance <= 100):
        raise EditRefused("Guidance must be a number from 0 to 100.")
    if model is not None and not (isinstance(model, str) and model.strip()):
        raise EditRefused("Choose a model folder, or leave it empty for the project's default.")


def set_shot_settings(tx: Transaction, e: E.SetShotSettings) -> None:
    _, clip = tx.clip(e.clip_id)
    s = clip.shot
    new = ShotSettings(
        prompt=s.prompt if e.prompt is UNCHANGED else str(e.prompt),
        negative_prompt=s.negative_prompt if e.negative_prompt is UNCHANGED else str(e.negative_prompt),
        seed=s.seed if e.seed is UNCHANGED else e.seed,
        steps=s.steps if e.steps is UNCHANGED else e.steps,
        guidance=s.guidance if e.guidance is UNCHANGED else e.guidance,
        model=s.model if e.model is UNCHANGED else e.model,
        cast=list(s.cast) if e.cast is UNCHANGED else list(e.cast),
    )
    _check_shot_values(seed=new.seed, steps=new.steps, guidance=new.guidance, model=new.model)
    if len(set(new.cast)) != len(new.cast):
        raise EditRefused("A cast member is listed twice for this shot.")
    _check_cast_ids(tx.project, new.cast)
    clip.shot = new


# --- keyframes -----------------------------------------------------------------------------


def pin_keyframe(tx: Transaction, e: E.PinKeyframe) -> None:
    if (e.clip_id is None) == (e.track_id is None):
        raise EditRefused("Pin a keyframe on either a shot or a track.")
    k = clone_keyframe(e.keyframe)
    _require_new_ids(tx.project, [k.id])
    _check_strength(k.strength)
    if not k.image:
        raise EditRefused("A keyframe needs an image.")
    if e.clip_id is not None:
        _, clip = tx.clip(e.clip_id)
        if not 0 <= k.frame < clip.length:
            raise EditRefused(f"The keyframe must sit inside the shot: offset 0..{clip.length - 1}, not {k.frame}.")
        owner = clip.keyframes
    else:
        if k.frame < 0:
            raise EditRefused("A keyframe can't sit before frame 0.")
        owner = tx.track(e.track_id).keyframes
    if any(o.frame == k.frame for o in owner):
        raise EditRefused(f"A keyframe already sits on frame {k.frame}; move or remove it first.")
    owner.append(k)
    owner.sort(key=lambda x: x.frame)


def _keyframe(tx: Transaction, keyframe_id: str) -> tuple[list[Keyframe], Keyframe, Clip | None]:
    for t in tx.project.tracks:
        for k in t.keyframes:
            if k.id == keyframe_id:
                track = tx.track(t.id)
                return track.keyframes, k, None
        for c in t.clips:
            for k in c.keyframes:
                if k.id == keyframe_id:
                    tx.track(t.id)
                    return c.keyframes, k, c
    raise EditRefused(f"There is no keyframe {keyframe_id!r} (it may have been removed).")


def move_keyframe(tx: Transaction, e: E.MoveKeyframe) -> None:
    owner, k, clip = _keyframe(tx, e.keyframe_id)
    if clip is not None and not 0 <= e.frame < clip.length:
        raise EditRefused(f"The keyframe must stay inside the shot: offset 0..{clip.length - 1}.")
    if e.frame < 0:
        raise EditRefused("A keyframe can't sit before frame 0.")
    if any(o.frame == e.frame and o is not k for o in owner):
        raise EditRefused(f"Another keyframe already sits on frame {e.frame}.")
    k.frame = e.frame
    owner.sort(key=lambda x: x.frame)


def set_keyframe_strength(tx: Transaction, e: E.SetKeyframeStrength) -> None:
    _check_strength(e.strength)
    _, k, _ = _keyframe(tx, e.keyframe_id)
    k.strength = float(e.strength)


def remove_keyframe(tx: Transaction, e: E.RemoveKeyframe) -> None:
    owner, k, _ = _keyframe(tx, e.keyframe_id)
    owner.remove(k)


# --- takes ---------------------------------------------------------------------------------


def add_take(tx: Transaction, e: E.AddTake) -> None:
    track, clip = tx.clip(e.clip_id)
    take = clone_take(e.take)
    _check_take(take)
    _require_new_ids(tx.project, [take.id])
    clip.takes.append(take)
    clip.active_take = len(clip.takes) - 1
    _show_whole_take(track, clip)


def switch_take(tx: Transaction, e: E.SwitchTake) -> None:
    track, clip = tx.clip(e.clip_id)
    for i, take in enumerate(clip.takes):
        if take.id == e.take_id:
            if i != clip.active_take:
                old = clip.takes[clip.active_take] if 0 <= clip.active_take < len(clip.takes) else None
                clip.active_take = i
                _show_whole_take(track, clip)
                if old is not None:
                    audio_ops.follow_take(tx, clip, old, take)
            return
    raise EditRefused(f"{_cap(_name(clip))} has no take {e.take_id!r}.")


def place_generated_take(tx: Transaction, e: E.PlaceGeneratedTake) -> None:
    plan = e.plan
    # planned at another rate (Project Settings changed it while the job ran): placed by time
    take, target = at_project_rate(plan, clone_take(e.take), tx.project.fps)
    _check_take(take)
    _require_new_ids(tx.project, [take.id])
    existing = _find(tx.project, target.clip_id) if target.clip_id else None
    if existing is not None:
        track, clip = tx.clip(target.clip_id)
        old_length = clip.length
        old_take = clip.take
        clip.takes.append(take)
        clip.active_take = len(clip.takes) - 1
        clip.source_in = 0
        if plan.action in (Action.EXTEND_FORWARD, Action.LOOP):
            _grow_forward(track, clip, take.frames)
            audio_ops.fade_seams(tx, track, clip.start + old_length, clip.end)
        elif plan.action is Action.EXTEND_BACKWARD:
            _grow_backward(track, clip, take.frames)
            audio_ops.fade_seams(tx, track, clip.start, clip.end - old_length)
        else:
            clip.length = min(clip.length, take.frames)
        audio_ops.sound_of_generated(tx, clip, old_take, take)
        return
    length = min(take.frames, target.length) if target.length > 0 else take.frames
    cast = [c for c in plan.cast if any(m.id == c for m in tx.project.cast)]
    if take.record.get("engine") == "interpolate":
        # frame interpolation used no prompt, seed, steps or guidance: the new shot must not
        # claim it did; its settings start empty, for a later take made with a model
        shot = ShotSettings(cast=cast)
    else:
        shot = ShotSettings(prompt=plan.prompt, negative_prompt=plan.negative_prompt, seed=plan.seed,
                            steps=plan.steps, guidance=plan.guidance, model=plan.model, cast=cast)
    clip = Clip(id=e.new_clip_id, start=max(0, target.start), length=length, name=target.name, takes=[take],
                shot=shot)
    _require_new_ids(tx.project, [clip.id])
    track = None
    if _has_track(tx.project, target.track_id):
        track = tx.track(target.track_id)
        before = _on_track(track, target.before)
        after = _on_track(track, target.after)
        if target.new_clip and (before is not None or after is not None):
            # the gap is still there between the same clips (maybe moved): fill it
            if before is not None:
                clip.start = before.end
            else:
                earlier = max((c.end for c in track.clips if c.end <= after.start), default=0)
                clip.start = max(earlier, after.start - length)
            later = [c.start for c in track.clips if c.start >= clip.start]
            if later and min(later) < clip.end:  # the gap shrank meanwhile: push what follows
                _shift_after(track, min(later), clip.end - min(later))
            track.clips.append(clip)
            _sort(track)
            audio_ops.fade_seams(tx, track, clip.start, clip.end)
            audio_ops.sound_of_generated(tx, clip, None, take)
            return
        if _blocker(track, clip.start, clip.end) is not None:
            track = None
    if track is None:
        # the planned place is gone or taken: a new track keeps the result rather than losing it
        tx.add_track(Track(id=e.new_track_id, name="Generated"), len(tx.project.tracks))
        track = tx.track(e.new_track_id)
    track.clips.append(clip)
    _sort(track)
    audio_ops.sound_of_generated(tx, clip, None, take)


def _find(project: Project, clip_id: str) -> Clip | None:
    for t in project.tracks:
        for c in t.clips:
            if c.id == clip_id:
                return c
    return None


def _has_track(project: Project, track_id: str) -> bool:
    return any(t.id == track_id for t in project.tracks)


def _on_track(track: Track, clip_id: str | None) -> Clip | None:
    if clip_id is None:
        return None
    return next((c for c in track.clips if c.id == clip_id), None)


# --- cast and project ----------------------------------------------------------------------


def add_cast_member(tx: Transaction, e: E.AddCastMember) -> None:
    m = clone_cast_member(e.member)
    if not m.name.strip():
        raise EditRefused("Give the cast member a name.")
    if not m.image:
        raise EditRefused("A cast member needs a reference image.")
    _require_new_ids(tx.project, [m.id])
    tx.cast().append(m)


def update_cast_member(tx: Transaction, e: E.UpdateCastMember) -> None:
    cast = tx.cast()
    m = next((m for m in cast if m.id == e.cast_id), None)
    if m is None:
        raise EditRefused(f"There is no cast member {e.cast_id!r}.")
    if e.name is not UNCHANGED:
        if not str(e.name).strip():
            raise EditRefused("Give the cast member a name.")
        m.name = str(e.name).strip()
    if e.image is not UNCHANGED:
        if not e.image:
            raise EditRefused("A cast member needs a reference image.")
        m.image = str(e.image)
    if e.description is not UNCHANGED:
        m.description = str(e.description)


def remove_cast_member(tx: Transaction, e: E.RemoveCastMember) -> None:
    cast = tx.cast()
    m = next((m for m in cast if m.id == e.cast_id), None)
    if m is None:
        raise EditRefused(f"There is no cast member {e.cast_id!r}.")
    cast.remove(m)
    for t in list(tx.project.tracks):
        if any(e.cast_id in c.shot.cast for c in t.clips):
            for c in tx.track(t.id).clips:
                if e.cast_id in c.shot.cast:
                    c.shot.cast = [x for x in c.shot.cast if x != e.cast_id]


def set_project_settings(tx: Transaction, e: E.SetProjectSettings) -> None:
    p = tx.project
    name = p.name if e.name is UNCHANGED else str(e.name).strip()
    if not name:
        raise EditRefused("Give the project a name.")
    fps = p.fps if e.fps is UNCHANGED else e.fps
    if not isinstance(fps, Fraction | int) or isinstance(fps, bool):
        raise EditRefused("The frame rate must be a number from 1 to 240, e.g. 24 or 30000/1001.")
    width = p.width if e.width is UNCHANGED else e.width
    height = p.height if e.height is UNCHANGED else e.height
    for side in (width, height):
        if not isinstance(side, int) or isinstance(side, bool) or side % 2:
            raise EditRefused(f"Width and height must be even numbers, not {side}.")
    try:  # the bounds every part of Shotline shares
        limits.check_fps(Fraction(fps))
        limits.check_size(width, height)
    except limits.LimitError as exc:
        raise EditRefused(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
    defaults = p.defaults if e.defaults is UNCHANGED else e.defaults
    if not (isinstance(defaults.steps, int) and 1 <= defaults.steps <= MAX_STEPS):
        raise EditRefused(f"Default steps must be a whole number from 1 to {MAX_STEPS}.")
    if not 0 <= defaults.guidance <= 100:
        raise EditRefused("Default guidance must be a number from 0 to 100.")
    where = e.where_jobs_run
    if where is not UNCHANGED and where is not None and not isinstance(where, str):
        raise EditRefused("Where jobs run must be a Ray cluster's address, or empty for this computer.")
    speed = _project_speed(e.speed)
    s = tx.settings()
    if speed is not UNCHANGED:  # read by editor.generation.project_speed when a job is queued
        s.metadata = {k: v for k, v in s.metadata.items() if k != "speed"}
        if speed is not None:
            s.metadata["speed"] = speed
    if where is not UNCHANGED:  # read by editor.ui.jobs.where when the project opens
        s.metadata = {k: v for k, v in s.metadata.items() if k != "where_jobs_run"}
        if where is not None:
            s.metadata["where_jobs_run"] = where.strip()
    s.name, s.fps, s.width, s.height = name, Fraction(fps), width, height
    s.defaults = type(defaults)(**vars(defaults))


def _project_speed(speed: object) -> object:
    """A project's Speed as stored ({"cache", "compile"}), UNCHANGED or None; EditRefused when unknown."""
    if speed is UNCHANGED or speed is None:
        return speed
    from model.speed import CACHES, Speed, SpeedError

    if not isinstance(speed, dict) or not isinstance(speed.get("compile", False), bool):
        raise EditRefused('The project\'s speed is a step cache and a compile switch, e.g. {"cache": "taylorseer"}.')
    try:
        return Speed(cache=str(speed.get("cache", "off")), compile=speed.get("compile", False)).describe()
    except SpeedError:
        raise EditRefused(f"Unknown step cache {speed.get('cache')!r}; use one of {', '.join(CACHES)}.") from None


def change_frame_rate(tx: Transaction, e: E.ChangeFrameRate) -> None:
    old = tx.project.fps
    new = e.fps
    if not isinstance(new, Fraction | int) or isinstance(new, bool) or not 0 < new <= 240:
        raise EditRefused("The frame rate must be a positive number up to 240, e.g. 24 or 30000/1001.")
    new = Fraction(new)
    if new == old:
        return
    ratio = new / old

    def at(frame: int) -> int:
        return round(frame * ratio)

    for t in list(tx.project.tracks):
        track = tx.track(t.id)
        for k in track.keyframes:
            k.frame = at(k.frame)
        for clip in track.clips:
            start, end = at(clip.start), at(clip.end)
            clip.start, clip.length = start, max(1, end - start)
            clip.source_in = at(clip.source_in)
            for take in clip.takes:
                carry_take_to_rate(take, old, new)  # its file stays at its rate; it counts project frames
            take = clip.take
            if take is not None and not take.is_still:
                clip.source_in = min(clip.source_in, max(0, take.frames - clip.length))
                clip.length = min(clip.length, take.frames - clip.source_in)
            for k in clip.keyframes:
                k.frame = min(at(k.frame), clip.length - 1)
            seen: set[int] = set()
            for k in sorted(clip.keyframes, key=lambda k: k.frame):
                while k.frame in seen and k.frame < clip.length - 1:
                    k.frame += 1  # two keyframes rounded onto one frame: keep both, a frame apart
                seen.add(k.frame)
    if tx.project.audio_tracks:
        audio_ops.rescale(tx, at)
    tx.settings().fps = new


def relink_media(tx: Transaction, e: E.RelinkMedia) -> None:
    if not e.new:
        raise EditRefused("Choose the file to use instead.")

    if not is_absolute(e.new) and path_escapes(e.new):
        raise EditRefused(f"{e.new} climbs out of the project folder; choose the file itself.")
    found = False

    def relink(obj, attr: str) -> None:
        nonlocal found
        if getattr(obj, attr) == e.old:
            setattr(obj, attr, e.new)
            if is_absolute(e.new):
                obj.metadata["imported"] = True
            found = True

    if any(m.path == e.old for m in tx.project.media):
        for m in tx.media():
            relink(m, "path")
    if any(m.image == e.old for m in tx.project.cast):
        for m in tx.cast():
            relink(m, "image")
    for t in list(tx.project.tracks):
        uses = any(k.image == e.old for k in t.keyframes) or any(
            k.image == e.old for c in t.clips for k in c.keyframes) or any(
            tk.media == e.old for c in t.clips for tk in c.takes)
        if uses:
            track = tx.track(t.id)
            for k in track.keyframes:
                relink(k, "image")
            for c in track.clips:
                for k in c.keyframes:
                    relink(k, "image")
                for tk in c.takes:
                    relink(tk, "media")
    audio_ops.relink(tx, e.old, e.new, relink)
    if not found:
        raise EditRefused(f"Nothing in the project uses {e.old}.")
