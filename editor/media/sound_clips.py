"""Audio clips for imported files: a video's linked sound, an audio file's clip. Shared by the
CLI's `new` and the window's import, so both give a file the same sound the same way.

A video with sound gets an AudioClip on an audio track with the same `link` as its video clip,
reading the same file (after conforming: the conformed copy, which keeps the sound at real
time), for exactly the clip's frames: the decoder pads a sound shorter than the picture with
silence and the clip's length cuts one that is longer. An audio-only file (WAV, FLAC, MP3,
AAC/M4A, OGG/Opus) becomes an AudioClip of its own length; it never goes on a video track.
Each file's sound is decoded once here (`check_sound`), so a corrupt stream is refused with a
message before anything is added or written.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

from editor.document.project import AudioClip, Clip, new_id
from editor.media.audio import SoundInfo, check_sound, sound_info


def video_sound(path: str | os.PathLike) -> SoundInfo | None:
    """The sound of a video file, checked by decoding it whole; None for a silent video.
    MediaError when the file has a sound that can't be decoded."""
    info = sound_info(path)
    return None if info is None else check_sound(path)


def linked_sound(clip: Clip, *, link: str | None = None) -> AudioClip:
    """The sound of a video clip (its active take's file), linked to it: sets `clip.link`."""
    take = clip.take
    if take is None or take.is_still:
        raise ValueError("only a video clip has sound")
    clip.link = link or clip.link or new_id("link")
    take.metadata["sound"] = True  # SwitchTake knows which takes have sound (audio_ops.take_has_sound)
    meta = {"imported": True} if take.metadata.get("imported") and os.path.isabs(take.media) else {}
    return AudioClip(id=new_id("sound"), source=take.media, start=clip.start, length=clip.length,
                     source_in=clip.source_in, source_frames=take.frames, name=clip.name, link=clip.link,
                     metadata=meta)


def audio_file_clip(path: str | os.PathLike, fps: Fraction, start: int = 0) -> AudioClip:
    """An audio-only file as a clip of its whole length at `start` (checked by decoding it whole)."""
    p = Path(path)
    info = check_sound(p)
    frames = info.frames(fps)
    return AudioClip(id=new_id("sound"), source=str(p.resolve()), start=start, length=frames, source_frames=frames,
                     name=p.stem, metadata={"imported": True})
