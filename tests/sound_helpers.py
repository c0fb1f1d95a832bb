"""Real test media with sound, made by ffmpeg, and readers that find clicks and flashes in files.

The flash-and-click video and its readers live in `bench.sync_media` (the sync benchmark uses
them too); they are re-exported here with a tone generator for the tests.
"""

from __future__ import annotations

from pathlib import Path

from bench.sync_media import (  # noqa: F401 - re-exported for the tests
    CLICK,
    audio_rate,
    clicks,
    decode_audio,
    ffmpeg,
    flash_click_video,
    flashes,
    offsets,
)


def tone(path: Path, *, seconds: float = 4.0, rate: int = 48000, layout: str = "stereo", volume: float = 0.1,
         codec: list[str] | None = None) -> Path:
    """A 440 Hz tone (any rate and channel layout) with a click at each whole second."""
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc='{volume}*sin(2*PI*440*t)+{CLICK}':s={rate}:d={seconds}",
           "-af", f"aformat=channel_layouts={layout}", *(codec or []), str(path))
    return path
