"""Stills of every common kind come in as RGB uint8 the way a viewer shows them; bad files say so."""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np
import pytest
from PIL import Image

from editor.media.errors import MediaError
from editor.media.fit import FitMode, fit_frame
from editor.media.probe import probe
from editor.media.stills import read_still, read_still_with_alpha


def _pattern(h=24, w=40) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 255 // (w - 1), yy * 255 // (h - 1), (xx + yy) % 256], -1).astype(np.uint8)


def test_png_and_lossless_webp_read_back_exactly(tmp_path):
    img = _pattern()
    Image.fromarray(img).save(tmp_path / "a.png")
    Image.fromarray(img).save(tmp_path / "a.webp", lossless=True)
    for name in ("a.png", "a.webp"):
        out = read_still(tmp_path / name)
        assert out.dtype == np.uint8 and out.shape == (24, 40, 3)
        assert np.array_equal(out, img), name


def test_jpeg_exif_rotation_is_applied(tmp_path):
    # a landscape picture whose left half is red, stored with "rotate 90 clockwise to view"
    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :20] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(img).save(tmp_path / "phone.jpg", exif=exif.tobytes(), quality=95)
    out = read_still(tmp_path / "phone.jpg")
    assert out.shape == (40, 20, 3)  # shown upright: portrait
    assert out[:18, :, 0].mean() > 200 and out[22:, :, 0].mean() < 50  # the red half is now on top
    assert probe(tmp_path / "phone.jpg").size == (20, 40)


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    red_in_cmyk = np.zeros((16, 16, 4), np.uint8)
    red_in_cmyk[..., 1:3] = 255  # magenta + yellow = red
    Image.fromarray(red_in_cmyk, mode="CMYK").save(tmp_path / "print.jpg", quality=95)
    assert Image.open(tmp_path / "print.jpg").mode == "CMYK"
    out = read_still(tmp_path / "print.jpg")
    assert out.shape == (16, 16, 3) and out.dtype == np.uint8
    r, g, b = out.reshape(-1, 3).mean(axis=0)
    assert r > 200 and g < 60 and b < 60


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_gray_and_rgb_are_scaled_to_8_bits(tmp_path, suffix):
    gray16 = (np.arange(32 * 48).reshape(32, 48) * 41 % 65536).astype(np.uint16)
    rgb16 = np.stack([gray16, 65535 - gray16, gray16 // 2], -1)
    cv2.imwrite(str(tmp_path / f"g{suffix}"), gray16)
    cv2.imwrite(str(tmp_path / f"c{suffix}"), rgb16[..., ::-1])  # OpenCV writes BGR
    g = read_still(tmp_path / f"g{suffix}")
    c = read_still(tmp_path / f"c{suffix}")
    assert g.shape == c.shape == (32, 48, 3) and g.dtype == c.dtype == np.uint8
    expected_g = np.round(gray16 / 257.0)
    assert np.abs(g[..., 0].astype(int) - expected_g).max() <= 1
    assert np.array_equal(g[..., 0], g[..., 2])
    assert np.abs(c.astype(int) - np.round(rgb16 / 257.0)).max() <= 1


def test_grayscale_and_palette_images(tmp_path):
    gray = _pattern()[..., 0]
    Image.fromarray(gray, mode="L").save(tmp_path / "g.png")
    out = read_still(tmp_path / "g.png")
    assert out.shape == (24, 40, 3) and np.array_equal(out[..., 1], gray)
    Image.fromarray(_pattern()).convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(tmp_path / "p.gif")
    assert read_still(tmp_path / "p.gif").shape == (24, 40, 3)


def test_alpha_is_composited_over_black_and_the_mask_is_kept(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., :3] = (200, 100, 50)
    rgba[:5, :, 3] = 255  # top half opaque
    rgba[5:, :, 3] = 128  # bottom half half-transparent
    Image.fromarray(rgba, mode="RGBA").save(tmp_path / "logo.png")
    rgb, alpha = read_still_with_alpha(tmp_path / "logo.png")
    assert rgb.shape == (10, 10, 3)
    assert tuple(rgb[0, 0]) == (200, 100, 50)
    assert np.abs(rgb[9, 9].astype(int) - (100, 50, 25)).max() <= 1
    assert alpha is not None and alpha[0, 0] == 255 and alpha[9, 9] == 128
    assert probe(tmp_path / "logo.png").has_alpha
    # an opaque RGBA image reports no mask
    rgba[..., 3] = 255
    Image.fromarray(rgba, mode="RGBA").save(tmp_path / "opaque.png")
    assert read_still_with_alpha(tmp_path / "opaque.png")[1] is None


def test_truncated_empty_and_non_images_raise_media_errors_naming_the_file(tmp_path):
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8)).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    Image.fromarray(_pattern(64, 64)).save(tmp_path / "full.jpg", quality=90)
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.png").write_text("this is not a picture")
    cases = {"cut.png": "damaged", "cut.jpg": "damaged", "empty.png": "empty", "notes.png": "convert"}
    for name, advice in cases.items():
        with pytest.raises(MediaError) as err:
            read_still(tmp_path / name)
        assert name in str(err.value) and advice in str(err.value), str(err.value)
    with pytest.raises(MediaError, match="does not exist"):
        read_still(tmp_path / "nowhere.png")


def test_probe_tells_stills_from_videos(tmp_path, encode_video):
    Image.fromarray(_pattern()).save(tmp_path / "a.png")
    still = probe(tmp_path / "a.png")
    assert still.is_still and still.frames == 1 and still.size == (40, 24) and still.codec == "png"
    frames = [np.full((48, 64, 3), i * 20, np.uint8) for i in range(10)]
    video = probe(encode_video(frames, "v.mp4", fps="30000/1001"))
    assert not video.is_still and video.frames == 10 and video.size == (64, 48)
    assert video.fps == Fraction(30000, 1001) and video.codec == "h264"
    assert video.duration == pytest.approx(10 * 1001 / 30000)
    (tmp_path / "x.bin").write_bytes(b"\x00\x01garbage" * 50)
    with pytest.raises(MediaError, match="x.bin"):
        probe(tmp_path / "x.bin")


def test_fit_modes_place_the_picture_as_named():
    wide = np.full((50, 100, 3), 255, np.uint8)  # 2:1 white
    box = fit_frame(wide, 64, 64, FitMode.LETTERBOX)
    assert box.shape == (64, 64, 3)
    assert box[:15].max() == 0 and box[-15:].max() == 0  # black bars above and below
    assert box[20:44].min() == 255  # the whole picture in the middle
    crop = fit_frame(wide, 64, 64, "crop")
    assert crop.shape == (64, 64, 3) and crop.min() == 255  # filled, no bars
    # crop keeps the centre: mark the left quarter red and it is cut away
    marked = wide.copy()
    marked[:, :25] = (255, 0, 0)
    assert fit_frame(marked, 64, 64, FitMode.CROP)[:, 2:-2].min() == 255
    stretched = fit_frame(marked, 64, 64, FitMode.STRETCH)
    assert stretched.shape == (64, 64, 3) and stretched[:, :12, 1].max() < 10  # red kept, squeezed
    tall = np.full((100, 50, 3), 255, np.uint8)
    side = fit_frame(tall, 64, 64, FitMode.LETTERBOX)
    assert side[:, :15].max() == 0 and side[:, -15:].max() == 0  # pillarbox
    assert fit_frame(wide, 100, 50) is wide  # same size: untouched
    with pytest.raises(ValueError, match="letterbox"):
        fit_frame(wide, 10, 10, "zoom")
