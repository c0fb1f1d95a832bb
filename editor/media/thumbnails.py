"""Small pictures of media frames for the timeline and storyboard, cached in the project's cache/.

A thumbnail is stored as a JPEG under `<project>/cache/thumbnails/`, named by a hash of the
media's absolute path, modification time, size, the frame and the thumbnail height: a changed
file gets new thumbnails, and the folder can be deleted at any time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np

from editor.document import scratch
from editor.document.project import Clip
from editor.media.cards import draft_card
from editor.media.decoders import DecoderPool
from editor.media.errors import MediaError
from editor.media.fit import resize
from editor.media.paths import media_file, media_subfolder
from editor.media.probe import is_still_file
from editor.media.stills import read_still

THUMB_FOLDER = Path("cache") / "thumbnails"
DEFAULT_HEIGHT = 90
JPEG_QUALITY = 88


class ThumbnailCache:
    """Thumbnails of stills and video frames, `height` pixels tall, aspect ratio kept."""

    def __init__(
        self,
        project_root: str | os.PathLike,
        *,
        height: int = DEFAULT_HEIGHT,
        decoders: DecoderPool | None = None,
    ) -> None:
        self.project_root = Path(project_root)
        self.folder = self.project_root / THUMB_FOLDER
        self.height = height
        self.decoders = decoders if decoders is not None else DecoderPool(max_open=2)

    def path_for(self, media: str | os.PathLike, frame: int = 0) -> Path:
        """The cached thumbnail file of `media` at `frame`, made now if it isn't there yet."""
        src = media_file(self.project_root, media)
        try:
            st = src.stat()
        except OSError as exc:
            raise MediaError(f"{src} does not exist; relink the clip or restore the file.") from exc
        ident = f"{src.absolute()}|{st.st_mtime_ns}|{st.st_size}|{frame}|{self.height}"
        out = self.folder / f"{hashlib.sha1(ident.encode('utf-8')).hexdigest()}.jpg"
        if out.is_symlink():  # planted in the cache: never shown as a thumbnail (the link itself goes)
            media_subfolder(self.project_root, THUMB_FOLDER)
            out.unlink()
        if not out.exists():
            self._write(out, self._make(src, frame))
        return out

    def get(self, media: str | os.PathLike, frame: int = 0) -> np.ndarray:
        """The thumbnail of `media` at `frame` as RGB uint8."""
        path = self.path_for(media, frame)
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:  # damaged cache file (a crash mid-write on a non-atomic file system)
            media_subfolder(self.project_root, THUMB_FOLDER)  # deletes only inside the project
            path.unlink(missing_ok=True)
            bgr = cv2.imread(str(self.path_for(media, frame)), cv2.IMREAD_COLOR)
        return np.ascontiguousarray(bgr[..., ::-1])

    def for_clip(self, clip: Clip, *, aspect: float = 16 / 9) -> np.ndarray:
        """The picture of a shot card: its first shown frame, or a small draft card."""
        take = clip.take
        if take is None:
            return draft_card(max(16, round(self.height * aspect)), self.height, clip.name, clip.shot.prompt)
        frame = 0 if take.is_still else max(0, clip.source_in)
        return self.get(take.media, frame)

    def close(self) -> None:
        self.decoders.close()

    def _make(self, src: Path, frame: int) -> np.ndarray:
        if is_still_file(src):
            rgb = read_still(src, at_least=(1, self.height))  # decoded small when it is large
        else:
            try:
                with self.decoders.reader(src) as reader:
                    rgb = reader.read(min(max(frame, 0), reader.frame_count - 1))
            except MediaError:
                rgb = read_still(src, at_least=(1, self.height))  # an image with an unusual suffix, or a clear error
        h, w = rgb.shape[:2]
        tw = max(1, round(w * self.height / h))
        return resize(rgb, tw, self.height)

    def _write(self, out: Path, rgb: np.ndarray) -> None:
        media_subfolder(self.project_root, THUMB_FOLDER)  # made here; refused when a link leads out
        ok, data = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise MediaError(f"Could not encode a thumbnail for {out.name}.")
        fd, tmp = scratch.create(out, "tmp", ".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.tobytes())
            os.replace(tmp, out)  # two previews making the same thumbnail never see half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

