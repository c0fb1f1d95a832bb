"""A cut made in another editor (an OTIO timeline) as a Shotline project.

What an editor moving a cut from Resolve, Premiere or Kdenlive expects to find:
- every video track and audio track, in order (OTIO stacks video bottom first; Shotline lists the
  top track first), with their clips where they were, their trims (source ranges) and the gaps;
- one project rate: `fps` when given, else the rate Shotline wrote, else the timeline's own
  (global start time), else the first clip's; every time is conformed to it (start and end of
  each item rounded to the nearest frame, so neighbours never overlap or drift apart);
- a nested sequence (an OTIO Stack or Track inside a track) flattened into its track: what shows
  is what the top layer of the nest shows, trimmed as the nest is;
- transitions become cuts (Shotline has none yet) and effects (speed changes, on clips or on
  nests) are left out, and the user is told (`ImportedCut.notes`); a clip placed straight in a
  nested stack is a layer of its own; a nest that arrives empty (the FCP 7 XML reader leaves out
  the tracks of a sequence nested in a clip) becomes a draft shot named after it;
- a clip whose file is missing (or not a local file) keeps its place and shows offline, ready to
  relink; a clip with no file at all (a generator: bars, a colour matte) becomes a draft shot;
- a file at another frame rate is not converted: its take records the rate it was made at
  (`frames_at_fps`) and is read by time, as after a project rate change;
- what Shotline wrote under `metadata["shotline"]` (other takes with their recipes, a draft's
  prompt and settings, keyframes, cast, links of picture and sound) comes back as it was.

The files a cut points to were chosen by the user, so their absolute paths are kept as imports
(see editor.document.media_paths). Nothing here writes; `create` makes the project folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from editor.document import limits
from editor.document.edits import EditRefused
from editor.document.media_paths import is_absolute
from editor.document.project import (
    AudioClip,
    AudioTrack,
    CastMember,
    Clip,
    GenerationDefaults,
    Keyframe,
    MediaItem,
    Project,
    ShotSettings,
    Take,
    Track,
    new_id,
)
from editor.media.errors import MediaError
from editor.media.interchange.formats import InterchangeError, require_format
from editor.media.interchange.to_otio import KEY
from editor.words import plural

NTSC_BASES = (24, 30, 48, 60, 120)  # 23.976, 29.97, ... are n * 1000 / 1001 (OTIO keeps rates as floats)
DEFAULT_SIZE = (1280, 720)


@dataclass
class ImportedCut:
    """The project made from a cut, and what the user should know about it."""

    project: Project
    notes: list[str] = field(default_factory=list)
    clips: int = 0
    drafts: int = 0
    offline: int = 0
    sounds: int = 0

    def describe(self) -> str:
        p = self.project
        parts = [plural(len(p.tracks), "video track"), plural(self.clips, "clip")]
        if self.drafts:
            parts.append(plural(self.drafts, "draft shot"))
        if p.audio_tracks:
            parts.append(f"{plural(len(p.audio_tracks), 'audio track')} ({plural(self.sounds, 'sound')})")
        if self.offline:
            parts.append(f"{self.offline} offline")
        return (f"{', '.join(parts)}; {plural(p.duration, 'frame')} at {_rate_words(p.fps)} fps, "
                f"{p.width}x{p.height}")


# --- reading the file ----------------------------------------------------------------------------
def read_cut(path: str | os.PathLike, *, rate: Fraction | None = None):
    """The OTIO Timeline in the file at `path` (its suffix names the format); InterchangeError
    with one line saying what is wrong otherwise. `rate` is the frame rate of an EDL (which does
    not say its own; 24 when None)."""
    import opentimelineio as otio

    path = Path(path)
    fmt = require_format(path)
    if not path.is_file():
        raise InterchangeError(f"{path}: no such file; check the path.")
    kwargs: dict[str, Any] = {}
    if fmt.adapter == "cmx_3600":
        kwargs["rate"] = float(rate) if rate else 24.0
    try:
        result = otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter, **kwargs)
    except Exception as exc:  # noqa: BLE001 - whatever the parser tripped on, the file is at fault
        raise InterchangeError(f"{path.name} can't be read as {fmt.title} ({_first_line(exc)}); "
                               "export the cut again from its editor, or choose another file.") from None
    if isinstance(result, otio.schema.SerializableCollection):
        timelines = [t for t in result.find_children(descended_from_type=otio.schema.Timeline)]
        if not timelines:
            raise InterchangeError(f"{path.name} holds no sequence (timeline); export the cut itself.")
        result = timelines[0]
    if not isinstance(result, otio.schema.Timeline):
        raise InterchangeError(f"{path.name} holds a {result.schema_name()}, not a timeline; export the cut itself.")
    return result


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    line = text.splitlines()[0]
    return (line[:160] + "...") if len(line) > 160 else line


# --- rates and times -----------------------------------------------------------------------------
def rate_fraction(rate: float) -> Fraction:
    """An OTIO rate (a float) as the exact rate it stands for: 23.976... -> 24000/1001."""
    for base in NTSC_BASES:
        if abs(rate - base * 1000 / 1001) < 0.005:
            return Fraction(base * 1000, 1001)
    return Fraction(rate).limit_denominator(1001)


def _rate_words(fps: Fraction) -> str:
    return f"{float(fps):.3f}".rstrip("0").rstrip(".")


def _plain(value: Any) -> Any:
    """OTIO metadata (AnyDictionary, AnyVector) as plain dicts and lists."""
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str | bytes):
        return value
    if hasattr(value, "__iter__"):
        return [_plain(v) for v in value]
    return value


def _ours(item) -> dict:
    """What Shotline wrote on an item (an empty dict for anything else)."""
    try:
        data = item.metadata.get(KEY)
    except AttributeError:
        return {}
    data = _plain(data) if data is not None else {}
    return data if isinstance(data, dict) else {}


# --- the conversion ------------------------------------------------------------------------------
def timeline_to_project(timeline, base_dir: str | os.PathLike, *, fps: Fraction | None = None,
                        size: tuple[int, int] | None = None, name: str | None = None) -> ImportedCut:
    """The project `timeline` stands for; relative media paths are taken from `base_dir` (the
    cut's folder, or where a bundle's media were unpacked). InterchangeError when it can't be
    a project (no rate, too long, nothing in it)."""
    import opentimelineio as otio

    try:
        return _Importer(timeline, Path(base_dir), fps, size, name).run()
    except (otio.exceptions.OTIOError, ArithmeticError, ValueError, TypeError, AttributeError, KeyError,
            IndexError, RecursionError) as exc:  # a structure or a value no editor writes
        raise InterchangeError(f"The cut “{timeline.name}” holds something Shotline can't make sense of "
                               f"({type(exc).__name__}: {_first_line(exc)}); export it again from its editor.") \
            from None


class _Importer:
    def __init__(self, timeline, base_dir: Path, fps: Fraction | None, size: tuple[int, int] | None,
                 name: str | None) -> None:
        import opentimelineio as otio

        self.otio = otio
        self.timeline = timeline
        self.base_dir = base_dir
        self.ours = _ours(timeline)
        self.written = self.ours.get("project") if isinstance(self.ours.get("project"), dict) else {}
        self.fps = fps or self._rate()
        try:
            limits.check_fps(self.fps, "the cut's frame rate")
        except limits.LimitError as exc:
            raise InterchangeError(f"{exc}; give the project's rate with --fps (or in the new project's settings).") \
                from None
        self.written_fps = self._written_fps()
        self.size = size
        self.name = name
        self.ids: set[str] = set()
        self.counts: dict[str, int] = {}
        self.imported = ImportedCut(Project())
        self._probed: dict[str, object] = {}
        self._sizes: list[tuple[int, int]] = []

    # --- the project ---------------------------------------------------------------------------
    def run(self) -> ImportedCut:
        otio = self.otio
        stacked = [t for t in self.timeline.tracks if isinstance(t, otio.schema.Track)]
        video = [t for t in stacked if t.kind == otio.schema.TrackKind.Video]
        audio = [t for t in stacked if t.kind == otio.schema.TrackKind.Audio]
        self.count("other tracks", len(stacked) - len(video) - len(audio))  # subtitles, data: none here
        tracks = [self.video_track(t, i) for i, t in enumerate(video)]
        tracks.reverse()  # OTIO: bottom first; Shotline: top first
        if not tracks:
            tracks = [Track(id=self.fresh("track"), name="V1")]
        audio_tracks = [self.audio_track(t, i) for i, t in enumerate(audio)]
        project = Project(name=self.name or self.written.get("name") or self.timeline.name or "Untitled",
                          fps=self.fps, tracks=tracks, audio_tracks=audio_tracks)
        project.width, project.height = self._size()
        project.cast = self.cast()
        project.defaults = self.defaults()
        self._keep_links(project)
        project.media = self.media_list(project)
        if not any(t.clips for t in tracks) and not any(t.clips for t in audio_tracks):
            raise InterchangeError(f"The cut “{self.timeline.name}” holds no clips; export the sequence that "
                                   "holds the cut.")
        self._check(project)
        self.imported.project = project
        self.imported.notes = self.notes()
        return self.imported

    def _rate(self) -> Fraction:
        written = self.written.get("fps")
        if isinstance(written, str):
            try:
                return Fraction(written)
            except (ValueError, ZeroDivisionError):
                pass
        start = self.timeline.global_start_time
        if start is not None and start.rate > 0:
            return rate_fraction(start.rate)
        for clip in self.timeline.find_clips():
            try:
                rng = clip.trimmed_range()
            except Exception:  # noqa: BLE001 - a clip with no range says nothing of the rate
                continue
            if rng.duration.rate > 0:
                return rate_fraction(rng.duration.rate)
        return Fraction(24)

    def _written_fps(self) -> Fraction:
        """The rate the take and keyframe frames in Shotline's metadata count in."""
        try:
            return Fraction(self.written.get("fps") or self.fps)
        except (TypeError, ValueError, ZeroDivisionError):
            return self.fps

    def _size(self) -> tuple[int, int]:
        candidates = []
        if self.size:
            candidates.append(self.size)
        w, h = self.written.get("width"), self.written.get("height")
        if isinstance(w, int) and isinstance(h, int):
            candidates.append((w, h))
        candidates += self._sizes  # the first picture's size, as an editor's "match the first clip"
        for w, h in candidates:
            w, h = w - w % 2, h - h % 2  # H.264/H.265 need even sides
            try:
                return limits.check_size(w, h)
            except limits.LimitError:
                continue
        return DEFAULT_SIZE

    def _check(self, project: Project) -> None:
        from editor.document.audio_ops import check_audio
        from editor.document.ops import check_track

        try:
            limits.check_project_length(project.duration, project.fps, "the cut")
            for track in project.tracks:
                check_track(track)
                for clip in track.clips:
                    for take in clip.takes:
                        limits.check_frames(take.frames, f"the file of {clip.name or 'a clip'}")
            check_audio(project)
            for track in project.audio_tracks:
                for sound in track.clips:
                    limits.check_frames(sound.source_frames, f"the file of {sound.name or 'a sound'}")
        except (limits.LimitError, EditRefused) as exc:
            raise InterchangeError(f"The cut can't be imported: {str(exc).rstrip('.')}.") from None
        from editor.document.storage import ProjectError, project_from_dict, project_to_dict

        try:  # what is made must open: the loader's own checks, once
            project_from_dict(project_to_dict(project), source=self.timeline.name or "the cut")
        except ProjectError as exc:
            why = str(exc).split(": ", 1)[-1].split(" Fix that value")[0]
            raise InterchangeError(f"The cut can't be imported: {why}") from None

    # --- times ---------------------------------------------------------------------------------
    def frames(self, t) -> int:
        """A RationalTime as project frames (nearest)."""
        rate = rate_fraction(t.rate) if t.rate > 0 else self.fps
        return round(Fraction(t.value).limit_denominator(1_000_000) * self.fps / rate)

    def rescaled(self, frames: Any) -> int | None:
        """A frame count from Shotline's metadata at the project's rate (None when it is no count)."""
        if isinstance(frames, bool) or not isinstance(frames, int):
            return None
        return frames if self.written_fps == self.fps else round(frames * self.fps / self.written_fps)

    def fresh(self, prefix: str, wanted: Any = None) -> str:
        """`wanted` (an id Shotline wrote) when it is free, else a new id."""
        found = wanted if isinstance(wanted, str) and wanted and wanted not in self.ids else new_id(prefix)
        self.ids.add(found)
        return found

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    # --- walking a track -----------------------------------------------------------------------
    def leaves(self, track, kind: str):
        """(item, start frame, end frame) for each clip and gap that shows on `track`, nested
        sequences flattened, transitions left out. Start and end are conformed each on its own,
        so an item ends exactly where the next begins."""
        for item, rng in self._ranges(track, kind):
            yield item, self.frames(rng.start_time), self.frames(rng.end_time_exclusive())

    def _ranges(self, track, kind: str):
        """(item, its range in `track`'s time) for the clips and gaps of `track`, nests flattened."""
        otio = self.otio
        track = self._without_transitions(track.deepcopy())
        if track.source_range is not None:
            track = self._trimmed(track, track.trimmed_range())
        for i, child in enumerate(track):
            rng = track.range_of_child_at_index(i)
            if isinstance(child, otio.schema.Clip | otio.schema.Gap):
                yield child, rng
            elif isinstance(child, otio.schema.Stack | otio.schema.Track):
                if self._has_effects(child):
                    self.count("effects")  # a nest sped up or frozen: shown at normal speed
                if len(child) == 0:
                    # a nest whose contents the file left out (the FCP 7 XML reader drops the
                    # tracks of a sequence nested in a clip): a draft keeps its place and name
                    self.count("empty nests")
                    if kind == "Video":
                        yield otio.schema.Gap(name=child.name, source_range=rng,
                                              metadata={KEY: {"draft": True}}), rng
                    continue
                self.count("nested")
                inner = self._flattened(child, kind)
                if inner is None:
                    continue
                for item, inner_rng in self._ranges(inner, kind):  # moved to where the nest sits
                    yield item, otio.opentime.TimeRange(rng.start_time + inner_rng.start_time, inner_rng.duration)
            else:
                self.count("unknown")

    def _flattened(self, nest, kind: str):
        """A nested Stack or Track as one track, trimmed as the nest is (None when nothing of
        `kind` is in it): what shows is what the nest's top layer shows."""
        otio = self.otio
        if isinstance(nest, otio.schema.Track):
            track = nest.deepcopy()
            track.source_range = None
        else:
            layers = []
            for t in nest:
                if isinstance(t, otio.schema.Track):
                    if _kind(t, otio) == kind:
                        layers.append(self._without_transitions(t.deepcopy()))
                elif isinstance(t, otio.schema.Clip | otio.schema.Gap | otio.schema.Stack):
                    # a clip (or nest) placed straight in a stack: a layer of its own, of the
                    # kind of the track holding the stack (OTIO allows it; its samples do it)
                    layer = otio.schema.Track(kind=otio.schema.TrackKind.Audio if kind == "Audio"
                                              else otio.schema.TrackKind.Video)
                    layer.append(t.deepcopy())
                    layers.append(layer)
            if not layers:
                return None
            stack = otio.schema.Stack()
            for layer in layers:
                stack.append(layer)
            track = otio.algorithms.flatten_stack(stack)
        return self._trimmed(self._without_transitions(track), nest.trimmed_range())

    def _without_transitions(self, track):
        otio = self.otio
        found = [i for i, c in enumerate(track) if isinstance(c, otio.schema.Transition)]
        self.count("transitions", len(found))
        for i in reversed(found):
            del track[i]
        return track

    def _trimmed(self, track, rng):
        try:
            return self.otio.algorithms.track_trimmed_to_range(track, rng)
        except Exception:  # noqa: BLE001 - a range the algorithm can't cut: the nest as it is
            return track

    # --- video ---------------------------------------------------------------------------------
    def video_track(self, track, index: int) -> Track:
        ours = _ours(track)
        out = Track(id=self.fresh("track", ours.get("id")), name=_track_name(track.name, f"V{index + 1}"),
                    hidden=not track.enabled)
        if isinstance(ours.get("metadata"), dict):
            out.metadata = ours["metadata"]
        for k in ours.get("keyframes") or []:
            kf = self.keyframe(k, None)
            if kf is not None:
                out.keyframes.append(kf)
        for item, start, end in self.leaves(track, "Video"):
            if end - start < 1:
                if isinstance(item, self.otio.schema.Clip):
                    self.count("too short")
                continue
            if not item.enabled:
                self.count("disabled")
                continue
            clip = self.video_item(item, start, end - start)
            if clip is not None:
                out.clips.append(clip)
        return out

    def video_item(self, item, start: int, length: int) -> Clip | None:
        otio = self.otio
        ours = _ours(item)
        if self._has_effects(item):
            self.count("effects")
        if isinstance(item, otio.schema.Gap):
            if not ours.get("draft"):
                return None  # a plain gap: the space between clips
            return self.draft(item, ours, start, length)
        ref = item.media_reference
        if isinstance(ref, otio.schema.GeneratorReference):
            self.count("generators")
            return self.draft(item, ours, start, length)
        path, missing_reason = self.file_of(ref, item.name)
        info = self.probe(path)
        source = item.trimmed_range()
        available = getattr(ref, "available_range", None)
        source_in = self.frames(source.start_time - available.start_time if available is not None
                                else source.start_time)
        active, match = self.active_take(ours, path, info, available, source_in + length)
        takes = self.all_takes(ours, active, match)
        clip = Clip(id=self.fresh("clip", (ours.get("clip") or {}).get("id")), start=start, length=length,
                    name=self._clip_name(item, ours), takes=takes, active_take=takes.index(active),
                    source_in=max(0, source_in))
        self.fit_trim(clip)
        self.shot_data(clip, ours, item, source.start_time)
        self.imported.clips += 1
        if info is None and (missing_reason or not Path(active.media).exists()):
            self.imported.offline += 1
        return clip

    def _clip_name(self, item, ours: dict) -> str:
        written = (ours.get("clip") or {}).get("name") if isinstance(ours.get("clip"), dict) else None
        return written if isinstance(written, str) else str(item.name or "")

    def _has_effects(self, item) -> bool:
        try:
            return len(item.effects) > 0
        except AttributeError:
            return False

    def draft(self, item, ours: dict, start: int, length: int) -> Clip:
        clip = Clip(id=self.fresh("clip", (ours.get("clip") or {}).get("id")), start=start, length=length,
                    name=self._clip_name(item, ours))
        self.shot_data(clip, ours, item, item.trimmed_range().start_time)
        self.imported.drafts += 1
        return clip

    def shot_data(self, clip: Clip, ours: dict, item, source_start) -> None:
        """The shot's settings, link, metadata and keyframes Shotline wrote on the item."""
        clip.shot = _shot(ours.get("shot"))
        written = ours.get("clip") if isinstance(ours.get("clip"), dict) else {}
        if isinstance(written.get("metadata"), dict):
            clip.metadata = written["metadata"]
        if isinstance(written.get("link"), str):
            clip.link = written["link"]
        marks = self._marker_offsets(item, source_start)
        taken: set[int] = set()
        for k in ours.get("keyframes") or []:
            kf = self.keyframe(k, marks)
            if kf is None:
                continue
            if not 0 <= kf.frame < clip.length:
                self.count("keyframes outside")
                continue
            while kf.frame in taken and kf.frame < clip.length - 1:
                kf.frame += 1
            if kf.frame in taken:
                self.count("keyframes outside")
                continue
            taken.add(kf.frame)
            clip.keyframes.append(kf)

    def _marker_offsets(self, item, source_start) -> dict[str, int]:
        """Keyframe id -> frame within the item, from the markers (they move with the media when
        the other editor trimmed the clip)."""
        out = {}
        for marker in getattr(item, "markers", []):
            ours = _ours(marker)
            if isinstance(ours.get("keyframe"), str):
                out[ours["keyframe"]] = self.frames(marker.marked_range.start_time - source_start)
        return out

    def keyframe(self, data: Any, marks: dict[str, int] | None) -> Keyframe | None:
        if not isinstance(data, dict) or not isinstance(data.get("image"), str) or not data["image"]:
            return None
        frame = marks.get(data.get("id")) if marks else None
        if frame is None:
            frame = self.rescaled(data.get("frame"))
        if frame is None:
            return None
        strength = data.get("strength", 1.0)
        if isinstance(strength, bool) or not isinstance(strength, int | float) or not 0 <= strength <= 1:
            strength = 1.0
        image = self.absolute(data["image"])
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        return Keyframe(id=self.fresh("kf", data.get("id")), image=image, frame=frame, strength=float(strength),
                        metadata={**meta, "imported": True})

    # --- takes ---------------------------------------------------------------------------------
    def active_take(self, ours: dict, path: str, info, available, needed: int) -> tuple[Take, dict | None]:
        """The take the clip shows, and the entry Shotline wrote for it (None for a file it did
        not write): that entry's take when it names this file (its recipe kept), else a new
        imported take of the file."""
        written = [t for t in (ours.get("takes") or []) if isinstance(t, dict)]
        active = ours.get("active_take") if isinstance(ours.get("active_take"), int) else 0
        shown = written[active] if 0 <= active < len(written) else None
        shown_media = shown.get("media") if shown is not None and isinstance(shown.get("media"), str) else ""
        if shown_media and _same_path(shown_media, path):
            match = shown  # as written (several takes may share a file)
        else:  # the other editor switched to another of the takes' files
            match = next((t for t in written if isinstance(t.get("media"), str) and _same_path(t["media"], path)),
                         None)
        if match is None and shown_media and Path(shown_media).name == Path(path).name:
            match = shown  # the same file moved (a bundle unpacked, another disk): the same name
        take = self.take_from(match) if match is not None else None
        if take is None:
            match = None
            take = Take(id=self.fresh("take"), media=path, frames=1, label=Path(path).name, metadata={})
        take.media = path
        take.metadata["imported"] = True
        self._measure(take, info, available, needed)
        return take, match

    def all_takes(self, ours: dict, active: Take, match: dict | None) -> list[Take]:
        """Every take Shotline wrote for the clip, in order, with `active` in its entry's place
        (last when the clip now shows a file Shotline did not write)."""
        out = []
        for data in ours.get("takes") or []:
            if data is match:
                out.append(active)
            elif isinstance(data, dict):
                take = self.take_from(data)
                if take is not None:
                    out.append(take)
        if match is None:
            out.append(active)
        return out

    def take_from(self, data: dict) -> Take | None:
        media = data.get("media")
        if not isinstance(media, str) or not media:
            return None
        frames = self.rescaled(data.get("frames"))
        is_still = data.get("is_still") is True
        meta = dict(data["metadata"]) if isinstance(data.get("metadata"), dict) else {}
        if self.written_fps != self.fps and not is_still:
            made_at = Fraction(meta.get("frames_at_fps") or self.written_fps)
            if made_at == self.fps:
                meta.pop("frames_at_fps", None)
            else:
                meta["frames_at_fps"] = f"{made_at.numerator}/{made_at.denominator}"
        record = data.get("record") if isinstance(data.get("record"), dict) else {}
        label = data.get("label") if isinstance(data.get("label"), str) else ""
        take = Take(id=self.fresh("take", data.get("id")), media=self.absolute(media),
                    frames=max(1, frames or 1), is_still=is_still, record=record, label=label,
                    metadata={**meta, "imported": True})
        return take

    def _measure(self, take: Take, info, available, needed: int) -> None:
        """The take's frames (project frames) and whether it is a still, from the file itself
        when it is here, else from what the cut says of it."""
        if info is not None:
            take.is_still = info.is_still
            if info.is_still:
                take.frames = 1
                take.metadata.pop("frames_at_fps", None)
                return
            made_at = info.fps or self.fps
            if made_at != self.fps:
                take.frames = max(1, round(info.frames * self.fps / made_at))
                take.metadata["frames_at_fps"] = f"{made_at.numerator}/{made_at.denominator}"
            else:
                take.frames = info.frames
                take.metadata.pop("frames_at_fps", None)
            return
        from editor.media.probe import is_still_file

        if take.record or take.frames > 1:
            take.frames = max(take.frames, needed)  # what Shotline wrote, the file being away
            return
        take.is_still = is_still_file(take.media) if Path(take.media).suffix else False
        if take.is_still:
            take.frames = 1
            return
        if available is not None and available.duration.value > 0:
            take.frames = max(self.frames(available.duration), 1)
            rate = rate_fraction(available.duration.rate)
            if rate != self.fps and not take.metadata.get("frames_at_fps"):
                take.metadata["frames_at_fps"] = f"{rate.numerator}/{rate.denominator}"
        take.frames = max(take.frames, needed)  # the file is away: what the cut uses of it exists

    def fit_trim(self, clip: Clip) -> None:
        """Keep the trim inside the take (a cut made at another rate may ask for a frame past the
        file's end after rounding)."""
        take = clip.take
        if take.is_still:
            clip.source_in = 0
            return
        if clip.source_in + clip.length > take.frames:
            clip.source_in = max(0, take.frames - clip.length)
            if clip.length > take.frames:
                clip.length = take.frames
                self.count("shortened")

    # --- files ---------------------------------------------------------------------------------
    def file_of(self, ref, clip_name: str) -> tuple[str, str]:
        """(absolute path, why it can't be read or ""): where a media reference's file is. A clip
        with no file gets a path named after it beside the cut, so it shows offline by name."""
        otio = self.otio
        url = getattr(ref, "target_url", None) if isinstance(ref, otio.schema.ExternalReference) else None
        # Premiere writes <pathurl> on lines of its own: the spaces around it are not the name's
        url = url.strip() if isinstance(url, str) else url
        if isinstance(ref, otio.schema.ImageSequenceReference):
            self.count("sequences")
            url = None
        if not url:
            self.count("no file")
            name = str(getattr(ref, "name", "") or clip_name or "missing media")
            return str(self.base_dir / _safe_name(name)), "the cut names no file"
        scheme = urlparse(url).scheme.lower()
        if scheme not in ("", "file") and not (len(scheme) == 1 and url[1:2] == ":"):  # C:\... is a path
            self.count("not local")
            return str(self.base_dir / _safe_name(Path(urlparse(url).path).name or clip_name)), f"{url} is not a file"
        return self.absolute(otio.url_utils.filepath_from_url(url) if scheme == "file" else url), ""

    def absolute(self, path: str) -> str:
        if is_absolute(path):
            return path if not os.path.isabs(path) else os.path.normpath(path)
        return os.path.normpath(self.base_dir / path)

    def probe(self, path: str):
        """What the file holds, or None when it is not here (or not readable: then it shows offline)."""
        if path in self._probed:
            return self._probed[path]
        info = None
        if os.path.isabs(path) and os.path.isfile(path):
            from editor.media.probe import probe

            try:
                info = probe(path)
            except MediaError:
                self.count("unreadable")
            except Exception:  # noqa: BLE001 - any decoder complaint is the file's problem
                self.count("unreadable")
        if info is not None and not info.is_still:
            self._sizes.append((info.width, info.height))
        self._probed[path] = info
        return info

    # --- sound ---------------------------------------------------------------------------------
    def audio_track(self, track, index: int) -> AudioTrack:
        ours = _ours(track)
        out = AudioTrack(id=self.fresh("audio", ours.get("id")), name=_track_name(track.name, f"A{index + 1}"),
                         muted=not track.enabled)
        volume = ours.get("volume_db")
        if isinstance(volume, int | float) and not isinstance(volume, bool) and limits.MIN_GAIN_DB <= volume \
                <= limits.MAX_GAIN_DB:
            out.volume_db = float(volume)
        out.solo = ours.get("solo") is True
        if isinstance(ours.get("metadata"), dict):
            out.metadata = ours["metadata"]
        for item, start, end in self.leaves(track, "Audio"):
            if end - start < 1 or not isinstance(item, self.otio.schema.Clip):
                continue
            if not item.enabled:
                self.count("disabled")
                continue
            sound = self.sound(item, start, end - start)
            if sound is not None:
                out.clips.append(sound)
        return out

    def sound(self, item, start: int, length: int) -> AudioClip | None:
        otio = self.otio
        ref = item.media_reference
        if isinstance(ref, otio.schema.GeneratorReference):
            self.count("silent generators")
            return None
        ours = _ours(item)
        path, _reason = self.file_of(ref, item.name)
        source = item.trimmed_range()
        available = getattr(ref, "available_range", None)
        source_in = max(0, self.frames(source.start_time - available.start_time if available is not None
                                       else source.start_time))
        frames = self.frames(available.duration) if available is not None else 0
        if os.path.isfile(path):
            from editor.media.audio import sound_info

            try:
                info = sound_info(path)
            except Exception:  # noqa: BLE001 - a file the decoder can't open shows as unreadable sound
                info = None
                self.count("unreadable")
            if info is None:
                self.count("no sound")
                return None
            frames = info.frames(self.fps)
        clip = AudioClip(id=self.fresh("sound", ours.get("id")), source=path, start=start, length=length,
                         source_frames=max(frames, source_in + length, 1), source_in=source_in,
                         name=ours.get("name") if isinstance(ours.get("name"), str) else str(item.name or ""),
                         metadata={**(ours.get("metadata") if isinstance(ours.get("metadata"), dict) else {}),
                                   "imported": True})
        gain = ours.get("gain_db")
        if isinstance(gain, int | float) and not isinstance(gain, bool) and limits.MIN_GAIN_DB <= gain \
                <= limits.MAX_GAIN_DB:
            clip.gain_db = float(gain)
        fade_in, fade_out = self.rescaled(ours.get("fade_in")) or 0, self.rescaled(ours.get("fade_out")) or 0
        if 0 <= fade_in and 0 <= fade_out and fade_in + fade_out <= length:
            clip.fade_in, clip.fade_out = fade_in, fade_out
        if isinstance(ours.get("link"), str):
            clip.link = ours["link"]
        self.imported.sounds += 1
        if not os.path.isfile(path):
            self.imported.offline += 1
        return clip

    def _keep_links(self, project: Project) -> None:
        """A link Shotline wrote joins one video clip and its sound; any other is dropped."""
        pictures: dict[str, int] = {}
        for t in project.tracks:
            for c in t.clips:
                if c.link:
                    pictures[c.link] = pictures.get(c.link, 0) + 1
        sounds = {c.link for t in project.audio_tracks for c in t.clips if c.link}
        for t in project.tracks:
            for c in t.clips:
                if c.link and (pictures[c.link] != 1 or c.link not in sounds):
                    c.link = None
        for t in project.audio_tracks:
            for c in t.clips:
                if c.link and pictures.get(c.link) != 1:
                    c.link = None

    # --- the rest of the project -----------------------------------------------------------------
    def cast(self) -> list[CastMember]:
        out = []
        for data in self.ours.get("cast") or []:
            if not isinstance(data, dict) or not isinstance(data.get("image"), str) or not data["image"]:
                continue
            meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            out.append(CastMember(id=self.fresh("cast", data.get("id")), name=str(data.get("name") or ""),
                                  image=self.absolute(data["image"]), description=str(data.get("description") or ""),
                                  metadata={**meta, "imported": True}))
        return out

    def defaults(self) -> GenerationDefaults:
        data = self.ours.get("defaults")
        out = GenerationDefaults()
        if not isinstance(data, dict):
            return out
        if isinstance(data.get("model"), str):
            out.model = data["model"]
        if isinstance(data.get("steps"), int) and not isinstance(data.get("steps"), bool) and data["steps"] > 0:
            out.steps = data["steps"]
        if isinstance(data.get("guidance"), int | float) and not isinstance(data.get("guidance"), bool):
            out.guidance = float(data["guidance"])
        if isinstance(data.get("negative_prompt"), str):
            out.negative_prompt = data["negative_prompt"]
        return out

    def media_list(self, project: Project) -> list[MediaItem]:
        from editor.document.storage import derived_media

        media = derived_media(project)
        seen = {m.path for m in media}
        for t in project.audio_tracks:
            for c in t.clips:
                if c.source not in seen:
                    seen.add(c.source)
                    media.append(MediaItem(c.source, {"imported": True}))
        for m in media:
            m.metadata["imported"] = True
        return media

    def notes(self) -> list[str]:
        c = self.counts
        notes = []

        def say(key: str, text: str) -> None:
            if c.get(key):
                one = c[key] == 1
                notes.append(text.format(n=c[key], s="" if one else "s", were="was" if one else "were",
                                         are="is" if one else "are", their="its" if one else "their",
                                         them="it" if one else "them", v="s" if one else "", a="a " if one else ""))

        say("transitions", "{n} transition{s} became {a}cut{s} (Shotline has no transitions).")
        say("nested", "{n} nested sequence{s} {were} flattened into {their} track{s}.")
        say("empty nests", "{n} nested sequence{s} came empty (the file left out what was in {them}) "
                           "and became {a}draft shot{s} named after {them}.")
        say("effects", "{n} clip{s} had effects (speed changes, filters) that were left out.")
        say("generators", "{n} generated clip{s} (colour mattes, bars, titles) became {a}draft shot{s}.")
        say("disabled", "{n} disabled clip{s} {were} left out.")
        say("other tracks", "{n} track{s} that hold{v} neither picture nor sound (subtitles, data) were left out.")
        say("too short", "{n} clip{s} shorter than a frame at the project rate were left out.")
        say("shortened", "{n} clip{s} {were} longer than {their} files and {were} shortened to fit.")
        say("sequences", "{n} image sequence{s} {are} offline: Shotline reads single files; relink a video.")
        say("not local", "{n} clip{s} point{v} to files that are not on this machine (URLs).")
        say("unreadable", "{n} file{s} could not be read and show{v} offline.")
        say("no sound", "{n} sound{s} had no audio stream in {their} file{s} and {were} left out.")
        say("keyframes outside", "{n} keyframe{s} fell outside {their} trimmed shot{s} and {were} left out.")
        if self.imported.offline:
            n = self.imported.offline
            notes.append(f"{plural(n, 'clip')} {'is' if n == 1 else 'are'} offline (file missing): select "
                         "one and use Edit ▸ Relink Media… to point it at the file.")
        return notes


def _kind(track, otio) -> str:
    return "Audio" if track.kind == otio.schema.TrackKind.Audio else "Video"


def _track_name(name: str, default: str) -> str:
    """The track's own name, or V1/A1... for none or a bare number (FCPXML's lanes, an EDL's "V")."""
    name = str(name or "").strip()
    return name if name and not name.lstrip("-").isdigit() and name not in ("V", "A") else default


def _same_path(a: str, b: str) -> bool:
    return os.path.normpath(a) == os.path.normpath(b)


def _safe_name(name: str) -> str:
    """A clip or reel name as a file name (no folders, no control characters)."""
    clean = "".join(ch if ch.isprintable() and ch not in "/\\\x00" else "_" for ch in name).strip(" .")
    return clean[:120] or "missing media"


def _shot(data: Any) -> ShotSettings:
    """ShotSettings from what Shotline wrote, keeping only values of the right type."""
    shot = ShotSettings()
    if not isinstance(data, dict):
        return shot
    kinds = {"prompt": str, "negative_prompt": str, "seed": int, "steps": int, "guidance": (int, float),
             "model": str}
    for f in fields(ShotSettings):
        value = data.get(f.name)
        if f.name == "cast":
            if isinstance(value, list):
                shot.cast = [v for v in value if isinstance(v, str)]
        elif isinstance(value, kinds[f.name]) and not isinstance(value, bool):
            setattr(shot, f.name, float(value) if f.name == "guidance" else value)
    return shot
