"""Deep copies of project parts: undo snapshots (`Document`) and edits that copy (`ops`).

Written out field by field (only metadata goes through `copy.deepcopy`, and only when it is not
empty); a field added to a dataclass in `project` must be added here too. This module sits below
`document` and `ops`, so both use the same copies without importing each other.
"""

from __future__ import annotations

import copy

from editor.document.project import AudioClip, AudioTrack, CastMember, Clip, Keyframe, Take, Track


def meta_copy(d: dict) -> dict:
    # metadata and records are plain JSON data; most are empty, so skip deepcopy's overhead then
    return copy.deepcopy(d) if d else {}


def clone_keyframe(k: Keyframe) -> Keyframe:
    return Keyframe(id=k.id, image=k.image, frame=k.frame, strength=k.strength, metadata=meta_copy(k.metadata))


def clone_take(t: Take) -> Take:
    return Take(id=t.id, media=t.media, frames=t.frames, is_still=t.is_still, record=meta_copy(t.record),
                label=t.label, metadata=meta_copy(t.metadata))


def clone_clip(c: Clip) -> Clip:
    s = c.shot
    return Clip(
        id=c.id, start=c.start, length=c.length, name=c.name,
        takes=[clone_take(t) for t in c.takes], active_take=c.active_take, source_in=c.source_in,
        shot=type(s)(prompt=s.prompt, negative_prompt=s.negative_prompt, seed=s.seed, steps=s.steps,
                     guidance=s.guidance, model=s.model, cast=list(s.cast)),
        keyframes=[clone_keyframe(k) for k in c.keyframes], metadata=meta_copy(c.metadata), link=c.link,
    )


def clone_track(t: Track) -> Track:
    return Track(id=t.id, name=t.name, clips=[clone_clip(c) for c in t.clips], hidden=t.hidden,
                 keyframes=[clone_keyframe(k) for k in t.keyframes], metadata=meta_copy(t.metadata))


def clone_cast_member(m: CastMember) -> CastMember:
    return CastMember(id=m.id, name=m.name, image=m.image, description=m.description,
                      metadata=meta_copy(m.metadata))


def clone_audio_clip(c: AudioClip) -> AudioClip:
    return AudioClip(id=c.id, source=c.source, start=c.start, length=c.length, source_frames=c.source_frames,
                     source_in=c.source_in, gain_db=c.gain_db, fade_in=c.fade_in, fade_out=c.fade_out,
                     name=c.name, link=c.link, metadata=meta_copy(c.metadata))


def clone_audio_track(t: AudioTrack) -> AudioTrack:
    return AudioTrack(id=t.id, name=t.name, clips=[clone_audio_clip(c) for c in t.clips], volume_db=t.volume_db,
                      muted=t.muted, solo=t.solo, metadata=meta_copy(t.metadata))
