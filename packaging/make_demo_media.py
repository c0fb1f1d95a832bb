"""Draw the demo project's media: stills and short clips painted here, so we may ship them.

Run from the repository root: `python packaging/make_demo_media.py`. It writes into
resources/demo/Demo.shotline/media/. Everything is procedurally drawn with OpenCV (no outside
images), so the demo carries no third-party licence.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

W, H, FPS = 640, 360, 24
OUT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "Demo.shotline" / "media"
rng = np.random.default_rng(7)


def sky(top, bottom, h=H, w=W) -> np.ndarray:
    t = np.linspace(0, 1, h)[:, None, None]
    grad = (1 - t) * np.array(top, float) + t * np.array(bottom, float)
    return np.repeat(grad, w, axis=1)


def mountains(img, base, amp, colour, seed, freq=3.0):
    r = np.random.default_rng(seed)
    xs = np.arange(img.shape[1])
    ridge = base + sum(
        amp / (k + 1) * np.sin(xs / img.shape[1] * math.pi * freq * (k + 1) + r.uniform(0, 6)) for k in range(5)
    )
    yy = np.arange(img.shape[0])[:, None]
    mask = yy > ridge[None, :]
    shade = (yy - ridge[None, :]).clip(0, 80) / 80.0
    col = np.array(colour, float)
    img[mask] = (col * (1 - 0.35 * shade[..., None]))[mask]
    return img


def noise(img, amount=4.0):
    return img + rng.normal(0, amount, img.shape)


def lake_at_dawn(t: float = 0.0) -> np.ndarray:
    img = sky((40, 60, 120), (250, 170, 120))
    cx, cy = int(W * 0.62), int(H * 0.52 - 40 * t)
    cv2.circle(img, (cx, cy), 26, (255, 236, 190), -1, cv2.LINE_AA)
    glow = np.zeros((H, W), np.float32)
    cv2.circle(glow, (cx, cy), 90, 1.0, -1)
    glow = cv2.GaussianBlur(glow, (0, 0), 40)[..., None]
    img = img * (1 - 0.4 * glow) + np.array((255, 210, 160)) * 0.4 * glow
    img = mountains(img, H * 0.55, 35, (70, 60, 95), 1)
    img = mountains(img, H * 0.62, 22, (40, 38, 70), 2, freq=5)
    water = img[: int(H * 0.3)][::-1]
    y0 = int(H * 0.70)
    refl = cv2.resize(water, (W, H - y0)) * 0.65 + np.array((20, 30, 60)) * 0.35
    ripple = np.sin(np.arange(H - y0)[:, None] * 0.9 + np.arange(W)[None, :] * 0.05 + t * 8) * 3
    img[y0:] = np.roll(refl, 1, axis=1) + ripple[..., None]
    return np.clip(noise(img, 2.5), 0, 255).astype(np.uint8)


def city_night(t: float) -> np.ndarray:
    img = sky((8, 10, 30), (40, 30, 70))
    r = np.random.default_rng(3)
    for _ in range(60):
        x, y = r.integers(0, W), r.integers(0, int(H * 0.4))
        cv2.circle(img, (int(x), int(y)), 1, (220, 220, 255), -1)
    x = 0
    r = np.random.default_rng(11)
    while x < W:
        bw, bh = int(r.integers(30, 70)), int(r.integers(80, 240))
        shade = r.uniform(18, 40)
        cv2.rectangle(img, (x, H - bh), (x + bw, H), (shade, shade, shade + 12), -1)
        for wy in range(H - bh + 8, H - 6, 14):
            for wx in range(x + 5, x + bw - 6, 10):
                if r.random() < 0.45:
                    flick = 0.75 + 0.25 * math.sin(t * 6 + wx * 0.3 + wy)
                    cv2.rectangle(img, (wx, wy), (wx + 4, wy + 6), (255 * flick, 200 * flick, 120 * flick), -1)
        x += bw + int(r.integers(2, 8))
    # a tram of light moving left to right
    tx = int(-80 + (W + 160) * t)
    cv2.rectangle(img, (tx, H - 30), (tx + 90, H - 12), (90, 200, 255), -1)
    cv2.GaussianBlur(img, (3, 3), 0, dst=img)
    return np.clip(noise(img, 3.0), 0, 255).astype(np.uint8)


def paper_boat() -> np.ndarray:
    img = sky((150, 190, 220), (60, 110, 150))
    y0 = int(H * 0.55)
    img[y0:] = sky((50, 100, 140), (20, 50, 80), h=H - y0)
    pts = np.array([[250, 230], [390, 230], [360, 262], [280, 262]], np.int32)
    cv2.fillPoly(img, [pts], (240, 240, 235), cv2.LINE_AA)
    sail = np.array([[320, 150], [320, 230], [370, 230]], np.int32)
    cv2.fillPoly(img, [sail], (250, 250, 245), cv2.LINE_AA)
    sail2 = np.array([[318, 160], [318, 230], [275, 230]], np.int32)
    cv2.fillPoly(img, [sail2], (215, 215, 210), cv2.LINE_AA)
    return np.clip(noise(img, 2.0), 0, 255).astype(np.uint8)


def save_png(name: str, rgb: np.ndarray) -> None:
    cv2.imwrite(str(OUT / name), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])


def save_mp4(name: str, frames: list[np.ndarray]) -> None:
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", f"{W}x{H}", "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-crf", "23", "-preset", "slow",
           "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(OUT / name)]
    subprocess.run(cmd, input=b"".join(f.tobytes() for f in frames), check=True)


AMBIENCE_SECONDS = 12  # the demo cut: 288 frames at 24 fps
RATE = 48000


def lake_ambience(seconds: float = AMBIENCE_SECONDS, rate: int = RATE) -> np.ndarray:
    """A soft lake at dawn, (samples, 2) float32: lapping water (slowly swelling low-passed noise)
    under a quiet open fifth, with a little left/right movement; no clicks, it starts and ends soft."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    r = np.random.default_rng(5)
    out = np.empty((n, 2), np.float32)
    for ch in range(2):
        white = r.normal(0, 1, n)
        water = np.convolve(white, np.hanning(400) / 200, mode="same")  # a gentle low-pass
        swell = 0.55 + 0.45 * np.sin(2 * np.pi * t / (3.1 + 0.7 * ch) + ch)
        pad = sum(a * np.sin(2 * np.pi * f * t + ch * 0.4) for f, a in ((110, 0.05), (165, 0.035), (220, 0.02)))
        out[:, ch] = 2.2 * (0.08 * water * swell + pad * (0.8 + 0.2 * np.sin(2 * np.pi * t / 5.0)))
    return out


def save_m4a(name: str, samples: np.ndarray, rate: int = RATE) -> None:
    """AAC in an M4A (12 s stereo is ~100 KB where a WAV would be 2 MB: the demo stays small)."""
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "f32le", "-ar", str(rate),
           "-ac", str(samples.shape[1]), "-i", "-", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart",
           str(OUT / name)]
    subprocess.run(cmd, input=np.ascontiguousarray(samples, "<f4").tobytes(), check=True)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    save_m4a("lake_ambience.m4a", lake_ambience())
    save_png("lake_at_dawn.png", lake_at_dawn())
    save_png("paper_boat_keyframe.png", paper_boat())
    n = 3 * FPS
    save_mp4("sunrise.mp4", [lake_at_dawn(i / n) for i in range(n)])
    save_mp4("city_night.mp4", [city_night(i / n) for i in range(n)])
    print(f"wrote demo media to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
