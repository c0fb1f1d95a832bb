"""Deterministic sample projects of any size, for tests, benchmarks and demos (no media files)."""

from __future__ import annotations

import random
from fractions import Fraction

from editor.document.project import CastMember, Clip, Keyframe, Project, ShotSettings, Take, Track


def sample_project(*, tracks: int = 2, clips_per_track: int = 5, seed: int = 0, name: str = "Sample") -> Project:
    """Tracks of clips with gaps between some; every third clip a draft shot, the others with one
    or two takes (some generated, some stills), keyframes on some, and one cast member."""
    rng = random.Random(seed)
    project = Project(name=name, fps=Fraction(24), width=640, height=352)
    project.cast = [CastMember(id="cast-hero", name="Hero", image="media/cast/hero.png", description="a red fox")]
    n = 0
    for ti in range(tracks):
        track = Track(id=f"track-{ti}", name=f"Track {ti + 1}")
        pos = 0
        for ci in range(clips_per_track):
            pos += rng.choice((0, 0, 6, 12))
            length = rng.randrange(24, 97)
            cid = f"clip-{ti}-{ci}"
            clip = Clip(id=cid, start=pos, length=length, name=f"Shot {n + 1}",
                        shot=ShotSettings(prompt=f"shot {n + 1}: a fox runs through snow", seed=n,
                                          cast=["cast-hero"] if n % 4 == 0 else []))
            if n % 3 != 2:
                extra = rng.randrange(0, 9)
                still = n % 7 == 0
                clip.takes.append(Take(id=f"take-{cid}-0", media=f"media/{cid}-0.png" if still else f"media/{cid}-0.mkv",
                                       frames=1 if still else length + extra, is_still=still))
                if n % 2 == 0 and not still:
                    clip.takes.append(Take(
                        id=f"take-{cid}-1", media=f"media/{cid}-1.mkv", frames=length + extra, label="take 2",
                        record={"model": "ltx-tiny", "seed": n, "prompt": clip.shot.prompt, "steps": 30},
                    ))
                    clip.active_take = 1
                clip.source_in = 0 if still else rng.randrange(0, extra + 1)
            if n % 5 == 0:
                clip.keyframes.append(Keyframe(id=f"kf-{cid}", image=f"media/{cid}-kf.png", frame=length // 2,
                                               strength=0.8))
            track.clips.append(clip)
            pos += length
            n += 1
        project.tracks.append(track)
    return project
