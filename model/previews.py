"""Live previews: a cheap latent -> RGB projection, fitted once per loaded VAE.

Decoding latents with the VAE every few steps would cost as much as a sampling step. Instead a
linear map from latent channels to RGB is fitted from the VAE itself, once: a small picture of
smooth colour fields is encoded, and the map is the least-squares fit from each latent pixel to
the mean colour of the picture pixels it covers. This works for any VAE (the real ones and the
tiny test ones) without tables of magic numbers, and a preview then costs one small matrix
product.

The projection works on latents as the sampler holds them (normalised by the pipeline); each
engine passes a `normalise` function that maps raw VAE latents to that space.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

PREVIEW_SIDE = 256  # previews are scaled so the longer side is at most this


class LatentPreview:
    """A fitted latent -> RGB map for one VAE. `rgb(latents)` gives a uint8 frame."""

    def __init__(self, weights: np.ndarray) -> None:
        self.weights = weights.astype(np.float32)  # (channels + 1, 3): last row is the bias

    @classmethod
    def fit(
        cls,
        encode: Callable[[np.ndarray], np.ndarray],
        spatial_ratio: int,
        *,
        cells: int = 8,
        seed: int = 0,
    ) -> LatentPreview:
        """Fit from `encode(rgb_uint8 (H, W, 3)) -> latents (C, h, w)` on a colour-field picture.

        The picture is `cells` x `cells` latent pixels; each covers a `spatial_ratio` square of
        one smooth colour field, so the latent pixel and its colour correspond cleanly.
        """
        rng = np.random.default_rng(seed)
        coarse = rng.integers(0, 256, size=(max(2, cells // 2), max(2, cells // 2), 3)).astype(np.uint8)
        field = cv2.resize(coarse, (cells, cells), interpolation=cv2.INTER_LINEAR)
        # two cells of pure black and white so the ends of the range are in the fit
        field[0, 0] = 0
        field[-1, -1] = 255
        side = cells * spatial_ratio
        picture = cv2.resize(field, (side, side), interpolation=cv2.INTER_NEAREST)
        latents = np.asarray(encode(picture), dtype=np.float32)  # (C, h, w)
        c, h, w = latents.shape
        colours = cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        x = np.concatenate([latents.reshape(c, -1).T, np.ones((h * w, 1), np.float32)], axis=1)
        y = colours.reshape(-1, 3)
        # a little ridge keeps the map stable when channels are nearly collinear
        ridge = 1e-3 * np.eye(c + 1, dtype=np.float32)
        ridge[-1, -1] = 0.0
        weights = np.linalg.solve(x.T @ x + ridge, x.T @ y)
        return cls(weights)

    def rgb(self, latents: np.ndarray) -> np.ndarray:
        """(C, h, w) latents of one frame -> uint8 RGB, scaled up to a viewable size."""
        c, h, w = latents.shape
        flat = latents.reshape(c, -1).T.astype(np.float32)
        rgb = flat @ self.weights[:-1] + self.weights[-1]
        img = (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8).reshape(h, w, 3)
        scale = PREVIEW_SIDE / max(h, w)
        if scale > 1:
            img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_LINEAR)
        return img


def middle_frame(latents_cfhw: np.ndarray) -> np.ndarray:
    """The latent frame in the middle of a (C, F, h, w) clip: the preview shows it."""
    return latents_cfhw[:, latents_cfhw.shape[1] // 2]
