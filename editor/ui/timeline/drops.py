"""Files dropped on the timeline: images pin keyframes on a shot or become stills; videos become clips.

Sound: an audio file (WAV, MP3, ...) becomes a sound clip on the audio lane it is dropped on; dropped
on a video track (or below the tracks) it goes on the first audio track with room at that frame,
a new one when none has room, and the message says so (sound never goes on a video track). A
video with sound gets its sound as a linked clip the same way.

Pure logic (no widgets): given the dropped paths and what is under the drop point, build the one
edit to request. Several files dropped together make one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from editor.document.edits import (
    AddAudioClip,
    AddAudioTrack,
    AddClip,
    AddTrack,
    Composite,
    Edit,
    EditRefused,
    PinKeyframe,
)
from editor.document.project import AudioClip, Clip, Keyframe, Project, Take, new_id
from editor.media.audio import AUDIO_SUFFIXES, SoundInfo
from editor.ui.timeline.commands import track_name
from editor.words import plural

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
VIDEO_EXTS = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".gif"}

# path -> frames in the video (the media layer's probe)
Probe = Callable[[str], int]


def kind_of(path: str | Path) -> str | None:
    """"image", "video", "audio" or None for a file the timeline can't take."""
    ext = Path(path).suffix.lower()
    if ext in AUDIO_SUFFIXES:
        return "audio"
    return "image" if ext in IMAGE_EXTS else "video" if ext in VIDEO_EXTS else None


def usable(paths: list[str]) -> list[str]:
    return [p for p in paths if kind_of(p) is not None and Path(p).is_file()]


def describe_drop(project: Project, paths: list[str], *, clip_id: str | None, on_track: bool) -> str:
    """What dropping here will do, shown next to the drop marker."""
    images = [p for p in paths if kind_of(p) == "image"]
    if clip_id is not None and images and len(images) == len(paths):
        clip = project.find_clip(clip_id)[1]
        what = "keyframe" if len(images) == 1 else plural(len(images), "keyframe")
        return f"Pin {what} on {clip.name or 'the shot'}"
    if paths and all(kind_of(p) == "audio" for p in paths):
        return "Add sound" if len(paths) == 1 else f"Add {plural(len(paths), 'sound')}"
    if not on_track:
        return "Add on a new track"
    return f"Add {plural(len(paths), 'clip')}" if len(paths) > 1 else ("Add still" if images else "Add clip")


def drop_edit(project: Project, paths: list[str], *, track_id: str | None, frame: int,
              clip_id: str | None, still_seconds: float, probe: Probe, pin_on_track: bool = False,
              sounds: dict[str, SoundInfo | None] | None = None, audio_track_id: str | None = None) -> Edit:
    """The edit for dropping `paths` at timeline `frame`.

    - images on a clip or draft shot: keyframes pinned from `frame`, one a second apart;
    - images with `pin_on_track` on empty track space: keyframes pinned on the track (for infill);
    - otherwise each file becomes a clip (stills `still_seconds` long), laid end to end from
      `frame` on `track_id`, or on a new track when `track_id` is None;
    - sound (`sounds`: each audio file's and video's sound, read already; None for a silent
      video) goes on `audio_track_id` when given and free, else on the first audio track with
      room, else on a new one; a video's sound is linked to its clip.
    """
    paths = usable(paths)
    if not paths:
        raise EditRefused("Only image, video and audio files can be dropped on the timeline.")
    sounds = sounds or {}
    audio_files = [p for p in paths if kind_of(p) == "audio"]
    if audio_files:
        if len(audio_files) != len(paths):
            raise EditRefused("Drop sound files apart from pictures: sound goes on the audio tracks.")
        clips, start = [], frame
        for path in audio_files:
            info = sounds.get(path)
            if info is None:
                raise EditRefused(f"{Path(path).name} has no sound that can be read.")
            n = info.frames(project.fps)
            clips.append(AudioClip(id=new_id("sound"), source=str(Path(path).resolve()), start=start, length=n,
                                   source_frames=n, name=Path(path).stem, metadata={"imported": True}))
            start += n
        edits = _place_sound(project, clips, audio_track_id)
        n = len(audio_files)
        return _one(edits, f"Add {plural(n, 'sound')}" if n > 1 else "Add sound")
    fps = project.fps
    if clip_id is not None and all(kind_of(p) == "image" for p in paths):
        clip = project.find_clip(clip_id)[1]
        offset = min(max(0, frame - clip.start), clip.length - 1)
        step = max(1, round(fps))
        edits = []
        taken = {k.frame for k in clip.keyframes}
        for path in paths:
            while offset in taken and offset < clip.length - 1:
                offset += 1  # a keyframe already sits here: pin on the next free frame
            if offset >= clip.length or offset in taken:
                raise EditRefused(f"{clip.name or 'The shot'} has no free frame left for {Path(path).name}.")
            taken.add(offset)
            edits.append(PinKeyframe(clip_id=clip.id, keyframe=Keyframe(id=new_id("kf"), image=path, frame=offset)))
            offset = min(clip.length - 1, offset + step)
        return _one(edits, f"Pin {plural(len(edits), 'keyframe')}")
    if pin_on_track and track_id is not None and all(kind_of(p) == "image" for p in paths):
        edits = [PinKeyframe(track_id=track_id, keyframe=Keyframe(id=new_id("kf"), image=p, frame=frame + i))
                 for i, p in enumerate(paths)]
        return _one(edits, f"Pin {plural(len(edits), 'keyframe')}")

    edits: list[Edit] = []
    if track_id is None:
        add = AddTrack(name=track_name(project))
        edits.append(add)
        track_id = add.track_id
    start = frame
    linked: list[AudioClip] = []
    still_frames = max(1, project.seconds_to_frames(still_seconds))
    for path in paths:
        name = Path(path).stem
        if kind_of(path) == "image":
            take = Take(id=new_id("take"), media=path, frames=1, is_still=True, label=Path(path).name)
            length = still_frames
        else:
            frames = int(probe(path))
            if frames < 1:
                raise EditRefused(f"{Path(path).name} holds no video frames that can be read.")
            take = Take(id=new_id("take"), media=path, frames=frames, label=Path(path).name)
            length = frames
        clip = Clip(id=new_id("clip"), start=start, length=length, name=name, takes=[take])
        edits.append(AddClip(track_id=track_id, clip=clip))
        if sounds.get(path) is not None:
            from editor.media.sound_clips import linked_sound

            linked.append(linked_sound(clip))  # sets clip.link
        start += length
    if linked:
        edits += _place_sound(project, linked, None)
    n = len(paths)
    return _one(edits, f"Add {n} clips" if n > 1 else edits[-1].title)


def audio_track_name(project: Project) -> str:
    """A1, A2, ...: the next free name for an audio track."""
    names = {t.name for t in project.audio_tracks}
    n = len(project.audio_tracks) + 1
    while f"A{n}" in names:
        n += 1
    return f"A{n}"


def _place_sound(project: Project, clips: list[AudioClip], prefer: str | None) -> list[Edit]:
    """AddAudioClip edits putting all `clips` on one audio track: `prefer` when they fit there,
    else the first with room, else a new track (its AddAudioTrack first)."""
    def fits(track) -> bool:
        return all(o.end <= c.start or o.start >= c.end for c in clips for o in track.clips)

    tracks = list(project.audio_tracks)
    preferred = [t for t in tracks if t.id == prefer]
    target = next((t for t in preferred + tracks if fits(t)), None)
    edits: list[Edit] = []
    if target is None:
        add = AddAudioTrack(name=audio_track_name(project))
        edits.append(add)
        track_id = add.track_id
    else:
        track_id = target.id
    edits += [AddAudioClip(track_id=track_id, clip=c) for c in clips]
    return edits


def where_sound_went(project: Project, edit: Edit) -> str:
    """"A1" (the audio track the edit put sound on), or "" when it put none."""
    for e in (edit.edits if isinstance(edit, Composite) else (edit,)):
        if isinstance(e, AddAudioTrack):
            return e.name
        if isinstance(e, AddAudioClip):
            return next((t.name for t in project.audio_tracks if t.id == e.track_id), "")
    return ""


def _one(edits: list[Edit], title: str) -> Edit:
    return edits[0] if len(edits) == 1 else Composite(title, edits)
