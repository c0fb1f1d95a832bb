"""Which engine drives which model: `engine_for(info)` and the limits of a kind from its configs."""

from __future__ import annotations

from model.engines.base import Engine, Limits
from model.models import ModelInfo


def engine_for(info: ModelInfo) -> Engine:
    """A new, unloaded engine for the model `info` describes."""
    if info.kind == "ltx-condition":
        from model.engines.ltx import LtxEngine

        return LtxEngine(info)
    if info.kind == "wan-vace":
        from model.engines.wan_vace import WanVaceEngine

        return WanVaceEngine(info)
    if info.kind == "interpolate":
        from model.engines.interpolate import InterpolateEngine

        return InterpolateEngine()
    raise ValueError(f"No engine drives {info.title} ({info.kind}).")


def limits_from_configs(kind: str, *, vae: dict, transformer: dict) -> Limits:
    """The limits the engine of `kind` will read from the loaded pipeline, from the JSON configs."""
    if kind == "ltx-condition":
        from model.engines import ltx

        return ltx.limits_from_configs(vae, transformer)
    if kind == "wan-vace":
        from model.engines import wan_vace

        return wan_vace.limits_from_configs(vae, transformer)
    return Limits()
