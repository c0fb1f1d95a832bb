"""What the cut shows at each timeline frame, as RGB frames for the preview and the export.

The rules, in the user's terms:
- Tracks are listed top to bottom, as the timeline draws them: `project.tracks[0]` is the TOP
  track and wins. At frame t the first visible (not hidden) track with a clip under t decides.
- A gap (no clip on any visible track) is black.
- A draft shot (a clip with no takes) shows a dark title card: "DRAFT", its name, its prompt.
- A still take holds for the whole clip.
- A video take shows media frame `source_in + (t - clip.start)`; before the media's first
  frame its first frame, past its last frame its last frame (held, as editors do).
  Takes play frame for frame at the project rate (generated takes are made at it).
- Each clip is fitted to the output size by `clip.metadata["fit"]` ("letterbox", "crop",
  "stretch"; letterbox when unset).
- Missing or unreadable media shows a "MEDIA OFFLINE" card in the preview; with `strict=True`
  (export) it raises MediaError naming the clip and the file instead.
- With `use_proxies=True` (the preview) a video is read from its proxy when one has been made
  (`editor.media.proxies.build_proxy`); export never uses proxies.

Frames are cached by (media, its mtime, source frame, output size, fit), not by timeline frame,
so an edit never serves a stale picture and moving a clip keeps its frames cached.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from editor.document.media_paths import locate_media
from editor.document.project import Clip, Project, Track
from editor.media.cards import draft_card, offline_card
from editor.media.decoders import DecoderPool
from editor.media.errors import MediaError
from editor.media.fit import FitMode, fit_frame
from editor.media.frame_cache import FrameCache
from editor.media.proxies import existing_proxy
from editor.media.stills import read_still


@dataclass(frozen=True)
class Shown:
    """What the cut shows at one timeline frame."""

    kind: str  # "gap", "draft", "still" or "video"
    track: Track | None = None
    clip: Clip | None = None
    media: Path | None = None  # resolved file of the active take (None when refused)
    source_frame: int = 0  # frame of the media shown (0 for stills, drafts and gaps)
    refused: str = ""  # why the take's path may not be read (editor.document.media_paths): offline


class CutReader:
    """Answers "which RGB frame does the cut show at timeline frame t" for a live Project.

    The project is read on every call, so edits show at once. Returned frames are read-only
    (they may be shared through the cache): copy one before drawing on it. One CutReader
    serves one thread at a time; several may share a FrameCache and a DecoderPool.
    """

    def __init__(
        self,
        project: Project,
        project_root: str | os.PathLike | None,
        *,
        width: int | None = None,
        height: int | None = None,
        frame_cache: FrameCache | None = None,
        decoders: DecoderPool | None = None,
        strict: bool = False,
        default_fit: FitMode | str = FitMode.LETTERBOX,
        use_proxies: bool = False,
    ) -> None:
        self.project = project
        self.project_root = Path(project_root) if project_root is not None else None
        self._width, self._height = width, height
        self.cache = frame_cache if frame_cache is not None else FrameCache()
        self._own_decoders = decoders is None
        self.decoders = decoders if decoders is not None else DecoderPool()
        self.strict = strict
        self.default_fit = FitMode.parse(default_fit)
        self.use_proxies = use_proxies

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the frames returned: as asked, else the project's size."""
        return (self._width or self.project.width, self._height or self.project.height)

    def shown_at(self, t: int) -> Shown:
        """Which track, clip and media frame the cut shows at timeline frame `t`."""
        for track in self.project.tracks:
            if track.hidden:
                continue
            clip = clip_at(track, t)
            if clip is None:
                continue
            take = clip.take
            if take is None:
                return Shown("draft", track, clip)
            where = locate_media(self.project_root, take.media)
            media = where.path
            if take.is_still:
                return Shown("still", track, clip, media, refused=where.refused)
            src = clip.source_in + (t - clip.start)
            if take.frames > 0:
                src = min(src, take.frames - 1)
            src = take.file_frame(src, self.project.fps)  # by time, when the project's rate changed
            return Shown("video", track, clip, media, max(src, 0), refused=where.refused)
        return Shown("gap")

    def frame_at(self, t: int) -> np.ndarray:
        """The RGB uint8 (H, W, 3) frame the cut shows at timeline frame `t` (read-only)."""
        return self.frame_for(self.shown_at(t))

    def frame_for(self, shown: Shown) -> np.ndarray:
        w, h = self.size
        if shown.kind == "gap":
            return self.cache.get_or_make(("black", w, h), lambda: np.zeros((h, w, 3), np.uint8))
        clip = shown.clip
        if shown.kind == "draft":
            key = ("draft", clip.name, clip.shot.prompt, w, h)
            return self.cache.get_or_make(key, lambda: draft_card(w, h, clip.name, clip.shot.prompt))
        fit = FitMode.parse(clip.metadata.get("fit"), self.default_fit)
        try:
            if shown.media is None:  # refused by the containment rule: never read, shown offline
                stored, why = clip.take.media if clip.take else "", shown.refused or "refused"
                raise MediaError(why if stored in why else f"{stored}: {why}")
            stamp = _stamp(shown.media)
            if shown.kind == "still":
                key = ("still", str(shown.media), stamp, w, h, fit)
                return self.cache.get_or_make(key, lambda: fit_frame(read_still(shown.media, at_least=(w, h)), w, h, fit))
            source = shown.media
            if self.use_proxies:
                source = existing_proxy(self.project_root, shown.media) or source
            key = ("video", str(source), stamp, shown.source_frame, w, h, fit)
            return self.cache.get_or_make(key, lambda: fit_frame(self._video_frame(source, shown), w, h, fit))
        except MediaError as exc:
            if self.strict:
                name = clip.name or clip.id
                raise MediaError(f"Clip {name!r}: {exc}") from exc
            reason = shown.refused or _reason(exc)
            name = str(shown.media) if shown.media is not None else (clip.take.media if clip.take else "")
            key = ("offline", name, reason, w, h)
            return self.cache.get_or_make(key, lambda: offline_card(w, h, clip.name, name, reason))

    def close(self) -> None:
        if self._own_decoders:
            self.decoders.close()

    def __enter__(self) -> CutReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _video_frame(self, source: Path, shown: Shown) -> np.ndarray:
        with self.decoders.reader(source) as reader:
            # the take's recorded frame count may be off for imports: the file decides
            return reader.read(min(shown.source_frame, reader.frame_count - 1))


def clip_at(track: Track, t: int) -> Clip | None:
    """The clip of `track` under timeline frame `t` (clips are sorted by start, never overlap)."""
    clips = track.clips
    i = bisect.bisect_right([c.start for c in clips], t) - 1
    if i >= 0 and clips[i].start <= t < clips[i].end:
        return clips[i]
    return None


def _stamp(path: Path | None) -> tuple[int, int]:
    """mtime and size of a media file, part of every cache key; MediaError when it is missing."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise MediaError(f"{path} does not exist; relink the clip or restore the file.") from exc
    return st.st_mtime_ns, st.st_size


def _reason(exc: MediaError) -> str:
    text = str(exc)
    return "the file is missing" if "does not exist" in text else "the file can't be read"
