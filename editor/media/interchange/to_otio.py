"""A project as an OpenTimelineIO timeline: the cut other editors read, with Shotline's own data
kept under each item's `metadata["shotline"]`.

The mapping, as an editor moving cuts between Resolve, Premiere and Kdenlive expects it:
- times are `RationalTime(frames, project fps)`; the timeline starts at 0;
- video tracks are stacked bottom first, as OTIO composites them (Shotline lists the top one
  first), then the audio tracks A1, A2, ...; a hidden video track or a muted audio track is
  disabled;
- a clip with media is an OTIO Clip: its media reference is the active take's file (an
  ExternalReference with a file URL, `available_range` the whole file at the file's rate) and its
  source range is the trim (`source_in`, `length`);
- a draft shot (no media yet) is a Gap of its length named after the shot, with its prompt in the
  metadata: an editor that knows nothing of drafts keeps the hole where the shot will go;
- keyframes are markers: on the clip at their frame, or on the track for track keyframes;
- every take (its file, its recipe as `editor.document.recipe` reads it, its whole generation
  record), the shot's settings and the
  keyframes' images go into the item's `shotline` metadata, so that a round trip through .otio
  gives the same project back (`from_otio` reads it).

Pure data: nothing is read from disk (a take's `frames` is its file's length, recorded when it
was made or imported). The file URLs are absolute, so the cut opens elsewhere on this machine.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from fractions import Fraction
from pathlib import Path
from typing import Any

from editor.document.media_paths import locate_media
from editor.document.project import AudioClip, AudioTrack, Clip, Keyframe, Project, Take, Track
from editor.document.recipe import recipe_of

KEY = "shotline"  # the metadata key every Shotline item carries its own data under
META_VERSION = 1


def fps_text(fps: Fraction) -> str:
    fps = Fraction(fps)
    return f"{fps.numerator}/{fps.denominator}"


def project_to_timeline(project: Project, folder: str | os.PathLike | None):
    """The OTIO Timeline of `project` (kept in `folder`, which its relative media paths are in)."""
    import opentimelineio as otio

    builder = _Builder(project, folder)
    timeline = otio.schema.Timeline(name=project.name or "Untitled",
                                    global_start_time=otio.opentime.RationalTime(0, builder.rate))
    timeline.metadata[KEY] = {
        "version": META_VERSION,
        "project": {"name": project.name, "fps": fps_text(project.fps), "width": project.width,
                    "height": project.height},
        "defaults": asdict(project.defaults),
        "cast": [{"id": m.id, "name": m.name, "image": builder.path(m.image), "description": m.description,
                  "metadata": dict(m.metadata)} for m in project.cast],
    }
    for track in reversed(project.tracks):  # OTIO stacks bottom first; Shotline lists the top first
        timeline.tracks.append(builder.video_track(track))
    for track in project.audio_tracks:
        timeline.tracks.append(builder.audio_track(track))
    return timeline


class _Builder:
    def __init__(self, project: Project, folder: str | os.PathLike | None) -> None:
        import opentimelineio as otio

        self.otio = otio
        self.project = project
        self.folder = folder
        self.rate = float(project.fps)

    # --- times and files -------------------------------------------------------------------------
    def time(self, frames: int, rate: float | None = None):
        return self.otio.opentime.RationalTime(frames, self.rate if rate is None else rate)

    def span(self, start: int, length: int, rate: float | None = None):
        return self.otio.opentime.TimeRange(self.time(start, rate), self.time(length, rate))

    def path(self, stored: str) -> str:
        """The absolute file a stored path names (the stored text when the project may not read it)."""
        where = locate_media(self.folder, stored)
        return str(where.path) if where.path is not None else stored

    def reference(self, stored: str, available):
        """An ExternalReference to the file, or a MissingReference when the path is refused."""
        where = locate_media(self.folder, stored)
        if where.path is None:
            return self.otio.schema.MissingReference(name=Path(stored.replace("\\", "/")).name,
                                                     available_range=available,
                                                     metadata={KEY: {"path": stored, "refused": where.refused}})
        return self.otio.schema.ExternalReference(target_url=self.otio.url_utils.url_from_filepath(str(where.path)),
                                                  available_range=available)

    def available(self, take: Take, clip: Clip):
        """The whole file at its own rate: a still lasts as long as the clip shows it."""
        if take.is_still:
            return self.span(0, max(clip.length, 1))
        made_at = take.metadata.get("frames_at_fps")
        if made_at:  # the file keeps its rate; the take counts project frames (Take.file_frame)
            rate = Fraction(made_at)
            return self.span(0, max(1, round(take.frames * rate / self.project.fps)), float(rate))
        return self.span(0, take.frames)

    # --- items -----------------------------------------------------------------------------------
    def video_track(self, track: Track):
        otio = self.otio
        out = otio.schema.Track(name=track.name, kind=otio.schema.TrackKind.Video)
        out.enabled = not track.hidden
        out.metadata[KEY] = {"id": track.id, "hidden": track.hidden, "metadata": dict(track.metadata),
                             "keyframes": [self.keyframe(k) for k in track.keyframes]}
        for k in track.keyframes:  # a track keyframe's frame is a timeline frame
            out.markers.append(self.marker(k, k.frame))
        return self.laid_out(out, track.clips, self.clip)

    def laid_out(self, out, clips: list, item):
        """`out` with `item(clip)` for each clip in timeline order and a Gap for each stretch
        between them (an OTIO track is a sequence, not frame positions); picture and sound tracks alike."""
        pos = 0
        for clip in sorted(clips, key=lambda c: c.start):
            if clip.start > pos:
                out.append(self.otio.schema.Gap(source_range=self.span(0, clip.start - pos)))
            out.append(item(clip))
            pos = clip.end
        return out

    def clip(self, clip: Clip):
        otio = self.otio
        data: dict[str, Any] = {
            "version": META_VERSION,
            "clip": {"id": clip.id, "name": clip.name, "link": clip.link, "metadata": dict(clip.metadata)},
            "shot": asdict(clip.shot),
            "prompt": clip.shot.prompt,
            "draft": clip.is_draft,
            "active_take": clip.active_take,
            "takes": [self.take(t) for t in clip.takes],
            "keyframes": [self.keyframe(k) for k in clip.keyframes],
        }
        take = clip.take
        if take is None:  # a draft shot: the hole where it goes, with what it asks for
            item = otio.schema.Gap(name=clip.name or "Draft shot", source_range=self.span(0, clip.length))
            first = 0
        else:
            item = otio.schema.Clip(name=clip.name or take.label or Path(take.media).stem,
                                    media_reference=self.reference(take.media, self.available(take, clip)),
                                    source_range=self.span(clip.source_in, clip.length))
            first = clip.source_in  # a clip's markers are in its source time
        item.metadata[KEY] = data
        for k in clip.keyframes:
            item.markers.append(self.marker(k, first + k.frame))
        return item

    def take(self, take: Take) -> dict:
        # "recipe": how it was made in the recipe accessor's words (model folder hash included),
        # for other tools; "record": everything, for the round trip back into Shotline
        recipe = recipe_of(take)
        return {"id": take.id, "media": self.path(take.media), "frames": take.frames, "is_still": take.is_still,
                "label": take.label, "recipe": recipe.to_dict() if recipe is not None else None,
                "record": dict(take.record), "metadata": dict(take.metadata)}

    def keyframe(self, k: Keyframe) -> dict:
        return {"id": k.id, "image": self.path(k.image), "frame": k.frame, "strength": k.strength,
                "metadata": dict(k.metadata)}

    def marker(self, k: Keyframe, at: int):
        otio = self.otio
        image = Path(k.image.replace("\\", "/")).name  # a path made on Windows names its file the same
        return otio.schema.Marker(name=f"Keyframe {image}",
                                  marked_range=self.span(at, 0), color=otio.schema.MarkerColor.CYAN,
                                  metadata={KEY: {"keyframe": k.id, "strength": k.strength}})

    def audio_track(self, track: AudioTrack):
        otio = self.otio
        out = otio.schema.Track(name=track.name, kind=otio.schema.TrackKind.Audio)
        out.enabled = not track.muted
        out.metadata[KEY] = {"id": track.id, "volume_db": track.volume_db, "muted": track.muted,
                             "solo": track.solo, "metadata": dict(track.metadata)}
        return self.laid_out(out, track.clips, self.sound)

    def sound(self, clip: AudioClip):
        item = self.otio.schema.Clip(name=clip.name or Path(clip.source).stem,
                                     media_reference=self.reference(clip.source, self.span(0, clip.source_frames)),
                                     source_range=self.span(clip.source_in, clip.length))
        item.metadata[KEY] = {"version": META_VERSION, "id": clip.id, "name": clip.name, "gain_db": clip.gain_db,
                              "fade_in": clip.fade_in, "fade_out": clip.fade_out, "link": clip.link,
                              "metadata": dict(clip.metadata)}
        return item
