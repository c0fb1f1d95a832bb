"""Which engine drives which kind of model: `engine_class(kind)`, `engine_for(info)` and
`limits_from_configs(kind, ...)`.

The one place a model kind is mapped to its engine. Each engine declares its frame/size grid
once (`Engine.limits_from_configs`, the rule its loaded pipeline follows too); `model.models`
asks for it here while inspecting a folder. The engine modules are imported only when asked for,
and `ModelInfo` is needed here only for typing, so this module and `model.models` don't import
each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.engines.base import Engine, Limits

if TYPE_CHECKING:
    from model.models import ModelInfo


def engine_class(kind: str) -> type[Engine] | None:
    """The engine class that drives models of `kind`, or None when no engine does."""
    if kind == "ltx-condition":
        from model.engines.ltx import LtxEngine

        return LtxEngine
    if kind == "ltx2":
        from model.engines.ltx2 import Ltx2Engine

        return Ltx2Engine
    if kind == "wan-vace":
        from model.engines.wan_vace import WanVaceEngine

        return WanVaceEngine
    if kind == "interpolate":
        from model.engines.interpolate import InterpolateEngine

        return InterpolateEngine
    return None


def engine_for(info: ModelInfo) -> Engine:
    """A new, unloaded engine for the model `info` describes."""
    cls = engine_class(info.kind)
    if cls is None:
        raise ValueError(f"No engine drives {info.title} ({info.kind}).")
    # an engine that needs no model folder (optical flow) takes no model description
    return cls(info) if cls.needs_model else cls()  # type: ignore[call-arg]


def limits_from_configs(kind: str, *, vae: dict, transformer: dict) -> Limits:
    """The limits the engine of `kind` will read from the loaded pipeline, from the JSON configs."""
    cls = engine_class(kind)
    return Limits() if cls is None else cls.limits_from_configs(vae, transformer)
