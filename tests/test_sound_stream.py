"""Playback's sequential sound reader gives exactly what read_samples gives, on real files."""

from __future__ import annotations

import numpy as np
import pytest
from sound_helpers import flash_click_video, tone

from editor.media.audio import read_samples
from editor.media.audio_stream import StreamReader


@pytest.mark.parametrize("kind", ["wav", "mp3", "mp4", "44k"])
def test_sequential_reads_match_read_samples(tmp_path, kind):
    if kind == "mp4":
        path = flash_click_video(tmp_path / "v.mp4", "30000/1001", 4.0)
    elif kind == "mp3":
        path = tone(tmp_path / "t.mp3", seconds=4.0, codec=["-c:a", "libmp3lame"])
    elif kind == "44k":
        path = tone(tmp_path / "t.wav", seconds=4.0, rate=44100, layout="mono")
    else:
        path = tone(tmp_path / "t.wav", seconds=4.0)
    reader = StreamReader()
    try:
        # on from 1.5 s in blocks (as playback reads), a jump back, a jump past the end
        reads = [(72000 + i * 12000, 12000) for i in range(8)] + [(10000, 5000), (15000, 7000),
                                                                   (180000, 20000)]
        for first, count in reads:
            np.testing.assert_allclose(reader(path, first, count), read_samples(path, first, count), atol=1e-5,
                                       err_msg=f"{kind} at {first}")
    finally:
        reader.close()
