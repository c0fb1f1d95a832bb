"""How edits change sound: audio tracks and clips, their rules, and the links to the picture.

Sound lives in `Project.audio_tracks` (see `editor.document.project.AudioClip`). A video clip and
the audio clip(s) holding its sound share a `link` id; this module is the one place that makes
linked clips go together:

- `follow_links` runs after every edit (Document.request, before the rules are checked): a clip
  that only *moved* (start changed; length and source_in kept) takes its linked partners along
  by the same number of frames. So MoveClips, ripples, CloseGap, ReorderShot and the pushes of
  extend/loop keep picture and sound in sync without each knowing about sound.
- Trim, split, delete and ripple delete change lengths or remove clips, so `editor.document.ops`
  calls the partner functions here (`partners`, `trim_audio`, `split_partners`, ...) for them.

Every function validates before it changes anything it cannot finish, and raises `EditRefused`
with a message for the user; `check_audio` is the safety net after every edit that touched sound.

For views: the edits are in `editor.document.edits` (AddAudioTrack, RemoveAudioTrack,
SetAudioTrack, AddAudioClip, SetAudioClip, LinkClips, UnlinkClips; MoveClips, TrimClip,
SplitClip, DeleteClips and RippleDelete take audio clip ids too), and every `Change` says which
audio tracks and clips changed (`audio_tracks_changed`, `audio_clips_changed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from editor.document import limits
from editor.document.copies import clone_audio_clip
from editor.document.edit_base import UNCHANGED, EditRefused, Side
from editor.document.project import AudioClip, AudioTrack, Clip, Project, Take, Track
from editor.words import plural

if TYPE_CHECKING:
    from editor.document import edits as E
    from editor.document.document import Transaction


# --- rules ---------------------------------------------------------------------------------


def _name(clip: AudioClip) -> str:
    return f"the sound “{clip.name}”" if clip.name else f"the sound at frame {clip.start}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _gain(value: float, what: str) -> float:
    try:
        return limits.check_gain_db(value, what)
    except limits.LimitError as exc:
        raise EditRefused(f"{_cap(str(exc))}.") from None


def check_audio_clip(clip: AudioClip) -> None:
    """Refuse an audio clip that breaks the document's rules."""
    if clip.length < 1:
        raise EditRefused(f"A clip needs at least one frame ({_name(clip)} would have {clip.length}).")
    if clip.start < 0:
        raise EditRefused(f"{_cap(_name(clip))} would start before frame 0.")
    if clip.end > limits.MAX_FRAMES:
        raise EditRefused(f"{_cap(_name(clip))} would end past frame {limits.MAX_FRAMES}; keep the cut shorter.")
    if not clip.source:
        raise EditRefused("An audio clip needs a media file.")
    if clip.source_frames < 1:
        raise EditRefused("An audio clip's media needs at least one frame of sound.")
    if clip.source_in < 0 or clip.source_in + clip.length > clip.source_frames:
        raise EditRefused(
            f"The media of {_name(clip)} has {plural(clip.source_frames, 'frame')} of sound; it can't play "
            f"frames {clip.source_in}..{clip.source_in + clip.length - 1}."
        )
    _gain(clip.gain_db, "A clip's gain")
    for what, n in (("fade in", clip.fade_in), ("fade out", clip.fade_out)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise EditRefused(f"The {what} is a whole number of frames from 0, not {n!r}.")
    if clip.fade_in + clip.fade_out > clip.length:
        raise EditRefused(
            f"The fades of {_name(clip)} ({clip.fade_in} + {clip.fade_out} frames) must fit in its "
            f"{plural(clip.length, 'frame')}; shorten them first."
        )


def check_audio_track(track: AudioTrack) -> None:
    """Clips sorted by start, none overlapping, each valid; the volume within bounds."""
    _gain(track.volume_db, "A track's volume")
    end = 0
    for clip in track.clips:
        check_audio_clip(clip)
        if clip.start < end:
            raise EditRefused(f"{_cap(_name(clip))} would overlap the sound before it on {track.name or 'the track'}.")
        end = clip.end


def check_audio(project: Project) -> None:
    for t in project.audio_tracks:
        check_audio_track(t)
    links: dict[str, int] = {}
    for t in project.tracks:
        for c in t.clips:
            if c.link is not None:
                links[c.link] = links.get(c.link, 0) + 1
    if any(n > 1 for n in links.values()):
        raise EditRefused("A link joins one video clip with its sound; unlink the clips first.")
    for t in project.audio_tracks:
        for c in t.clips:
            if c.link is not None and c.link not in links:
                # sound linked to a picture that is gone would follow nothing and link to nothing
                raise EditRefused(
                    f"{_cap(_name(c))} on {t.name or 'an audio track'} is linked ({c.link!r}) to a video clip that "
                    "is not in the project; remove its \"link\" (or the sound) in project.json."
                )


def _require_free(track: AudioTrack, start: int, end: int, ignore: Iterable[str] = (), what: str = "The sound",
                  ) -> None:
    skip = set(ignore)
    for c in track.clips:
        if c.id not in skip and c.start < end and start < c.end:
            raise EditRefused(
                f"{what} would overlap {_name(c)} (frames {c.start}..{c.end - 1}) on {track.name or 'the track'}; "
                "make room first."
            )


def _sort(track: AudioTrack) -> None:
    track.clips.sort(key=lambda c: c.start)


# --- look-ups the video ops use --------------------------------------------------------------


def is_audio_clip(project: Project, clip_id: str) -> bool:
    return any(c.id == clip_id for t in project.audio_tracks for c in t.clips)


def is_audio_track(project: Project, track_id: str | None) -> bool:
    return track_id is not None and any(t.id == track_id for t in project.audio_tracks)


def link_of(project: Project, clip_id: str) -> str | None:
    for t in project.tracks:
        for c in t.clips:
            if c.id == clip_id:
                return c.link
    for t in project.audio_tracks:
        for c in t.clips:
            if c.id == clip_id:
                return c.link
    return None


def partners(project: Project, clip_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """The clips `clip_ids` name plus every clip linked to one of them, as (video ids, audio ids),
    each once, in the order given. Unknown ids stay in the video list (the video op refuses them)."""
    video: list[str] = []
    audio: list[str] = []
    for cid in clip_ids:
        (audio if is_audio_clip(project, cid) else video).append(cid)
        vs, aus = project.linked(link_of(project, cid))
        video += [c.id for c in vs]
        audio += [c.id for c in aus]
    return list(dict.fromkeys(video)), list(dict.fromkeys(audio))


def all_ids(project: Project) -> set[str]:
    """Every id in the project (cast, tracks, keyframes, clips, takes, sound): new ones must differ."""
    ids = {m.id for m in project.cast}
    for t in project.tracks:
        ids.add(t.id)
        ids.update(k.id for k in t.keyframes)
        for c in t.clips:
            ids.add(c.id)
            ids.update(k.id for k in c.keyframes)
            ids.update(tk.id for tk in c.takes)
    ids.update(x for t in project.audio_tracks for x in (t.id, *(c.id for c in t.clips)))
    return ids


def require_new_ids(project: Project, ids: list[str]) -> None:
    if len(set(ids)) != len(ids):
        raise EditRefused("The new items repeat an id; give each its own.")
    taken = all_ids(project) & set(ids)
    if taken:
        raise EditRefused(f"The id {sorted(taken)[0]!r} is already used in this project.")


def unique_ids(ids: tuple[str, ...], what: str) -> tuple[str, ...]:
    if not ids:
        raise EditRefused(f"Select at least one {what}.")
    if len(set(ids)) != len(ids):
        raise EditRefused(f"The same {what} was selected twice.")
    return ids


def collapse(x: int, holes: list[tuple[int, int]]) -> int:
    """Where timeline frame x lands after the frame ranges `holes` are cut out of the track."""
    return x - sum(max(0, min(x, end) - start) for start, end in holes if start < x)


# --- following links after any edit --------------------------------------------------------


def follow_links(tx: Transaction) -> None:
    """Move the partners of every linked clip that only moved in this edit by the same frames."""
    if tx.fps_before() != tx.project.fps:
        return  # ChangeFrameRate scales sound itself
    before_video = {c.id: c for t in tx.before_tracks().values() if t is not None for c in t.clips if c.link}
    before_audio_tracks = tx.before_audio()
    before_audio = {c.id: c for t in (before_audio_tracks or []) for c in t.clips if c.link}
    if not before_video and not before_audio:
        return
    now_video = {c.id: c for t in tx.project.tracks for c in t.clips if c.link}
    now_audio = {c.id: c for t in tx.project.audio_tracks for c in t.clips if c.link}

    def moved(before: dict, now: dict) -> dict[str, int]:
        out: dict[str, int] = {}
        for cid, b in before.items():
            n = now.get(cid)
            if n is not None and n.link == b.link and n.start != b.start and n.length == b.length \
                    and n.source_in == b.source_in:
                out.setdefault(n.link, n.start - b.start)
        return out

    def start_before(cid: str, before: dict, now: dict) -> int:
        return before[cid].start if cid in before else now[cid].start

    video_moves, audio_moves = moved(before_video, now_video), moved(before_audio, now_audio)
    for link, delta in video_moves.items():
        for cid, c in now_audio.items():
            if c.link == link and c.start == start_before(cid, before_audio, now_audio):
                track, live = tx.audio_clip(cid)
                live.start += delta
                _sort(track)
    for link, delta in audio_moves.items():
        if link in video_moves:
            continue
        for cid, c in now_video.items():
            if c.link == link and c.start == start_before(cid, before_video, now_video):
                track, live = tx.clip(cid)
                live.start += delta
                track.clips.sort(key=lambda x: x.start)


# --- audio tracks --------------------------------------------------------------------------


def add_audio_track(tx: Transaction, e: E.AddAudioTrack) -> None:
    tracks = tx.audio_tracks()
    n = len(tracks)
    index = n if e.index is None else e.index
    if not 0 <= index <= n:
        raise EditRefused(f"A new audio track can go at position 0..{n}, not {index}.")
    require_new_ids(tx.project, [e.track_id])
    tracks.insert(index, AudioTrack(id=e.track_id, name=e.name.strip() or f"A{n + 1}"))


def remove_audio_track(tx: Transaction, e: E.RemoveAudioTrack) -> None:
    track = tx.audio_track(e.track_id)
    tx.audio_tracks().remove(track)


def set_audio_track(tx: Transaction, e: E.SetAudioTrack) -> None:
    track = tx.audio_track(e.track_id)
    if e.name is not UNCHANGED:
        if not str(e.name).strip():
            raise EditRefused("Give the track a name.")
        track.name = str(e.name).strip()
    if e.volume_db is not UNCHANGED:
        track.volume_db = _gain(e.volume_db, "A track's volume")
    if e.muted is not UNCHANGED:
        track.muted = bool(e.muted)
    if e.solo is not UNCHANGED:
        track.solo = bool(e.solo)


# --- audio clips ---------------------------------------------------------------------------


def add_audio_clip(tx: Transaction, e: E.AddAudioClip) -> None:
    track = tx.audio_track(e.track_id)
    clip = clone_audio_clip(e.clip)
    require_new_ids(tx.project, [clip.id])
    check_audio_clip(clip)
    _require_free(track, clip.start, clip.end, what="The new sound")
    track.clips.append(clip)
    _sort(track)


def set_audio_clip(tx: Transaction, e: E.SetAudioClip) -> None:
    _, clip = tx.audio_clip(e.clip_id)
    if e.gain_db is not UNCHANGED:
        clip.gain_db = _gain(e.gain_db, "A clip's gain")
    if e.fade_in is not UNCHANGED:
        clip.fade_in = e.fade_in
    if e.fade_out is not UNCHANGED:
        clip.fade_out = e.fade_out
    if e.name is not UNCHANGED:
        clip.name = str(e.name).strip()
    check_audio_clip(clip)


def move_audio(tx: Transaction, clip_ids: list[str], delta: int, to_track: str | None) -> None:
    """Move audio clips by `delta` and/or onto the audio track `to_track` (MoveClips with sound)."""
    dest = tx.audio_track(to_track) if to_track is not None else None
    moving = [tx.audio_clip(cid) for cid in clip_ids]
    for _, clip in moving:
        if clip.start + delta < 0:
            raise EditRefused(f"{_cap(_name(clip))} would start before frame 0.")
    for track, clip in moving:
        track.clips.remove(clip)
    for track, clip in moving:
        target = dest or track
        _require_free(target, clip.start + delta, clip.end + delta, what=_cap(_name(clip)))
        clip.start += delta
        target.clips.append(clip)
        _sort(target)


def trim_audio(tx: Transaction, clip_id: str, side: Side, frame: int) -> int:
    """Move one edge of an audio clip to timeline `frame`; returns how far the edge moved."""
    track, clip = tx.audio_clip(clip_id)
    if Side(side) is Side.START:
        if frame >= clip.end:
            raise EditRefused(f"The start must stay before the sound's end (frame {clip.end}).")
        if frame < 0:
            raise EditRefused("A clip can't start before frame 0.")
        delta = frame - clip.start
        if clip.source_in + delta < 0:
            raise EditRefused(
                f"The sound has nothing before its first frame: its start can go back at most to frame "
                f"{clip.start - clip.source_in}."
            )
        _require_free(track, frame, clip.end, ignore=[clip.id], what="The trimmed sound")
        clip.start, clip.length, clip.source_in = frame, clip.length - delta, clip.source_in + delta
    else:
        if frame <= clip.start:
            raise EditRefused(f"The end must stay after the sound's start (frame {clip.start}).")
        delta = frame - clip.end
        if clip.source_in + frame - clip.start > clip.source_frames:
            raise EditRefused(
                f"The sound's media has {plural(clip.source_frames, 'frame')}: its end can go at most to "
                f"frame {clip.start + clip.source_frames - clip.source_in}."
            )
        _require_free(track, clip.start, frame, ignore=[clip.id], what="The trimmed sound")
        clip.length = frame - clip.start
    # fades keep their lengths where they fit; a trim never refuses because of a fade
    clip.fade_in = min(clip.fade_in, clip.length)
    clip.fade_out = min(clip.fade_out, clip.length - clip.fade_in)
    return delta


def trim_partners(tx: Transaction, link: str | None, skip: str, side: Side, delta: int,
                  trim_video: Callable[[str, Side, int], None]) -> None:
    """Trim the clips linked to `skip` by the same `delta` on the same side."""
    if link is None or delta == 0:
        return
    videos, audios = tx.project.linked(link)
    for c in audios:
        if c.id != skip:
            trim_audio(tx, c.id, side, (c.start if Side(side) is Side.START else c.end) + delta)
    for v in videos:
        if v.id != skip:
            trim_video(v.id, side, (v.start if Side(side) is Side.START else v.end) + delta)


def _split_audio(tx: Transaction, clip_id: str, frame: int, new_id: str) -> AudioClip:
    track, clip = tx.audio_clip(clip_id)
    if not clip.start < frame < clip.end:
        raise EditRefused(
            f"Split inside the clip: between frames {clip.start + 1} and {clip.end - 1}, not at {frame}."
        )
    left = frame - clip.start
    right = clone_audio_clip(clip)
    right.id, right.start, right.length, right.source_in = new_id, frame, clip.length - left, clip.source_in + left
    # the fade-in stays on the left part, the fade-out on the right one
    right.fade_in, right.fade_out = 0, min(clip.fade_out, right.length)
    clip.length, clip.fade_out = left, 0
    clip.fade_in = min(clip.fade_in, left)
    track.clips.insert(track.clips.index(clip) + 1, right)
    return right


def split_audio(tx: Transaction, clip_id: str, frame: int, new_id: str) -> None:
    require_new_ids(tx.project, [new_id])
    _split_audio(tx, clip_id, frame, new_id)


def split_partners(tx: Transaction, link: str | None, split_id: str, frame: int, new_id: str,
                   split_video: Callable[[str, int, str], Clip]) -> None:
    """After `split_id` was split at `frame` (its right part is `new_id`): split its partners there
    too, and give the right-hand parts a link of their own."""
    if link is None:
        return
    new_link = f"link-{new_id}"
    videos, audios = tx.project.linked(link)
    n = 0
    for c in [*videos, *audios]:
        if c.id in (split_id, new_id):
            continue
        if c.start < frame < c.end:
            n += 1
            part_id = f"{new_id}-{n}"
            require_new_ids(tx.project, [part_id])
            right = split_video(c.id, frame, part_id) if isinstance(c, Clip) else _split_audio(tx, c.id, frame, part_id)
            right.link = new_link
        elif c.start >= frame:
            (tx.clip(c.id) if isinstance(c, Clip) else tx.audio_clip(c.id))[1].link = new_link
    right = tx.clip(new_id)[1] if not is_audio_clip(tx.project, new_id) else tx.audio_clip(new_id)[1]
    right.link = new_link


def delete_audio(tx: Transaction, clip_ids: list[str], *, ripple: bool) -> None:
    """Remove audio clips; with `ripple`, later sound on their tracks closes up the holes."""
    holes: dict[str, tuple[AudioTrack, list[tuple[int, int]]]] = {}
    for cid in clip_ids:
        track, clip = tx.audio_clip(cid)
        holes.setdefault(track.id, (track, []))[1].append((clip.start, clip.end))
        track.clips.remove(clip)
    if ripple:
        for track, cut in holes.values():
            for c in track.clips:
                c.start = collapse(c.start, cut)


def rescale(tx: Transaction, at: Callable[[int], int]) -> None:
    """ChangeFrameRate: every sound keeps its real time at the new rate (positions rounded as clips are)."""
    for track in tx.audio_tracks():
        for c in track.clips:
            start, end = at(c.start), at(c.end)
            c.start, c.length = start, max(1, end - start)
            c.source_in, c.source_frames = at(c.source_in), max(1, at(c.source_frames))
            c.source_in = min(c.source_in, max(0, c.source_frames - c.length))
            c.length = min(c.length, c.source_frames - c.source_in)
            c.fade_in = min(at(c.fade_in), c.length)
            c.fade_out = min(at(c.fade_out), c.length - c.fade_in)


def relink(tx: Transaction, old: str, new: str, relink_one: Callable[[object, str], None]) -> None:
    if any(c.source == old for t in tx.project.audio_tracks for c in t.clips):
        for t in tx.audio_tracks():
            for c in t.clips:
                relink_one(c, "source")


# --- links ---------------------------------------------------------------------------------


def link_clips(tx: Transaction, e: E.LinkClips) -> None:
    ids = unique_ids(tuple(e.clip_ids), "clip")
    video = [i for i in ids if not is_audio_clip(tx.project, i)]
    audio = [i for i in ids if is_audio_clip(tx.project, i)]
    if len(video) != 1 or not audio:
        raise EditRefused("Select one video clip and the sound that goes with it to link them.")
    tx.clip(video[0])[1].link = e.link_id
    for cid in audio:
        tx.audio_clip(cid)[1].link = e.link_id


def unlink_clips(tx: Transaction, e: E.UnlinkClips) -> None:
    ids = unique_ids(tuple(e.clip_ids), "clip")
    video, audio = partners(tx.project, ids)
    if not any(link_of(tx.project, i) for i in [*video, *audio]):
        raise EditRefused("These clips are not linked to any sound or picture.")
    for cid in video:
        tx.clip(cid)[1].link = None
    for cid in audio:
        tx.audio_clip(cid)[1].link = None


# --- takes and tracks ----------------------------------------------------------------------


def take_has_sound(project: Project, take: Take) -> bool:
    """Whether a take's file has sound, as far as the document knows: the import marks it
    (`metadata["sound"]`); for takes imported before that mark, a clip of sound reading the same
    file is the evidence. A generated take is silent unless its model said otherwise."""
    if take.is_still:
        return False
    if "sound" in take.metadata:
        return bool(take.metadata["sound"])
    return any(c.source == take.media for t in project.audio_tracks for c in t.clips)


def follow_take(tx: Transaction, clip: Clip, old: Take, new: Take) -> None:
    """SwitchTake: the sound linked to `clip` that played the old take's file now plays the new
    take's, for the clip's frames. A new take without sound takes that sound away (as in Resolve:
    a silent take is heard as silence, not as the old take's sound); switching back to a take
    with sound gives the clip its linked sound again, on the first audio track with room."""
    if clip.link is None or old.media == new.media:
        return
    _, audios = tx.project.linked(clip.link)
    followers = [c.id for c in audios if c.source == old.media]
    has_sound = take_has_sound(tx.project, new)
    meta = {"imported": True} if new.metadata.get("imported") else {}
    if not has_sound:
        if followers:
            old.metadata["sound"] = True  # it was heard: switching back brings it again
            delete_audio(tx, followers, ripple=False)
        return
    if not followers:
        if audios:
            return  # sound the user linked by hand, from another file: it stays as it is
        followers = [_new_sound_for(tx, clip, new)]
    for cid in followers:
        track, a = tx.audio_clip(cid)
        a.source, a.source_frames, a.metadata = new.media, new.frames, dict(meta)
        a.start, a.length, a.source_in = clip.start, clip.length, clip.source_in
        a.fade_in = min(a.fade_in, a.length)
        a.fade_out = min(a.fade_out, a.length - a.fade_in)
        _sort(track)


def _new_sound_for(tx: Transaction, clip: Clip, take: Take) -> str:
    ids = all_ids(tx.project)
    cid, n = f"{clip.id}-sound", 1
    while cid in ids:
        n += 1
        cid = f"{clip.id}-sound-{n}"
    tracks = tx.audio_tracks()
    track = next((t for t in tracks if not any(c.start < clip.end and clip.start < c.end for c in t.clips)), None)
    if track is None:
        tid, n = "audio-1", 1
        while tid in ids:
            n += 1
            tid = f"audio-{n}"
        names = {t.name for t in tracks}
        k = len(tracks) + 1
        while f"A{k}" in names:
            k += 1
        track = AudioTrack(id=tid, name=f"A{k}")
        tracks.append(track)
    track.clips.append(AudioClip(id=cid, source=take.media, start=clip.start, length=clip.length,
                                 source_frames=take.frames, source_in=clip.source_in, name=clip.name,
                                 link=clip.link))
    _sort(track)
    return cid


def sound_of_generated(tx: Transaction, clip: Clip, old: Take | None, take: Take) -> None:
    """PlaceGeneratedTake: a take the model made with sound (LTX-2) is heard with its clip, as an
    imported video with sound is: the clip gets a link and a linked audio clip reading the take's
    file (or the linked sound that played the old take's file now plays the new one's: an
    extension's take holds the clip's old sound followed by the new)."""
    if not take_has_sound(tx.project, take):
        return
    if clip.link is None:
        ids, lid, n = all_ids(tx.project), f"{clip.id}-link", 1
        links = {c.link for t in tx.project.tracks for c in t.clips} | {
            a.link for t in tx.project.audio_tracks for a in t.clips}
        while lid in ids or lid in links:
            n += 1
            lid = f"{clip.id}-link-{n}"
        clip.link = lid
    if old is not None:
        follow_take(tx, clip, old, take)
    else:
        _new_sound_for(tx, clip, take)


def remove_track_sound(tx: Transaction, track_id: str) -> None:
    """RemoveTrack: the sound linked to the removed track's clips goes with them (Resolve deletes
    linked audio with its clip), so no sound is left linked to a picture that no longer exists."""
    links = {c.link for t in tx.project.tracks if t.id == track_id for c in t.clips if c.link}
    gone = [c.id for t in tx.project.audio_tracks for c in t.clips if c.link in links]
    if gone:
        delete_audio(tx, gone, ripple=False)


# --- generated frames next to sound ----------------------------------------------------------

SEAM_FADE_FRAMES = 2  # ~80 ms at 24 fps: long enough that a cut in a sound doesn't click, too short to hear as a fade


def fade_seams(tx: Transaction, track: Track, first: int, end: int) -> None:
    """PlaceGeneratedTake: generated frames [first, end) now sit on `track` (an extension or an
    infill, which have no sound of their own). The neighbours' linked sound stays where it is;
    only where it stops at `first` or starts again at `end` does it get a short fade (kept if it
    had a longer one), so the join doesn't click. Sound not linked to this track's pictures
    (music, ambience) runs across the seam and is left alone."""
    before = tx.before_tracks().get(track.id)
    was = {c.id: c for c in before.clips} if before is not None else {}
    shift: dict[str, int] = {}  # link -> frames its picture only moved (follow_links moves its sound after)
    for c in track.clips:
        if c.link is None:
            continue
        b = was.get(c.id)
        moved = b is not None and b.length == c.length and b.source_in == c.source_in
        shift[c.link] = c.start - b.start if moved else 0
    if not shift:
        return
    for t in tx.project.audio_tracks:
        for a in t.clips:
            if a.link not in shift:
                continue
            start, stop = a.start + shift[a.link], a.end + shift[a.link]
            if stop == first:
                live = tx.audio_clip(a.id)[1]
                live.fade_out = min(max(live.fade_out, SEAM_FADE_FRAMES), live.length - live.fade_in)
            if start == end:
                live = tx.audio_clip(a.id)[1]
                live.fade_in = min(max(live.fade_in, SEAM_FADE_FRAMES), live.length - live.fade_out)
