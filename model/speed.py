"""The Speed setting: diffusers' step caches and regional torch.compile, applied to a loaded pipeline.

A cache skips work between denoising steps; which ones a transformer accepts depends on its
block type, and some accept the config yet hook nothing (TaylorSeer's default patterns miss
LTX's `attn1`/`attn2`), so "it didn't raise" is not enough. `apply_speed` therefore:
1. builds the chosen cache's config for this pipeline and calls `transformer.enable_cache`;
2. counts the sub-modules that really got a hook: none means the cache would do nothing, and
   it is taken off again and reported as refused, with the reason;
3. compiles the transformer's repeated blocks (`compile_repeated_blocks(fullgraph=True)`) on
   CUDA only: elsewhere torch.compile costs minutes and gains little.
A cache can also fail while sampling (FasterCache on Wan and LTX); `sample_with_speed` then takes
the speed-ups off, samples again without them, records why, and does not try that cache on that
transformer class again in this process. Nothing here ever stops a job: the
worst case is the plain pipeline, and the record says so.

Choices (Settings ▸ Device ▸ Speed, `--cache` and `--compile` on the command line, or per job in
`Request.options["speed"]`) are recorded in the take's generation record under
`parameters.speed`: what was asked, what ran, and why anything was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# name -> title shown in Settings and printed by the CLI
CACHES: dict[str, str] = {
    "off": "Off (full quality)",
    "taylorseer": "TaylorSeer (predicts skipped steps; fastest)",
    "first_block": "First-block cache (skips steps that barely change)",
    "pab": "Pyramid attention broadcast",
    "faster": "FasterCache",
}

# What Settings offers: FasterCache fails on every family Shotline drives in diffusers 0.42.1
# (Wan at its first step, LTX-Video once it starts skipping the unconditional batch, LTX-2), so it
# stays a command-line experiment (`--cache faster`).
OFFERED = ("off", "taylorseer", "first_block", "pab")

# A cache that failed while sampling on a transformer class is not tried again in this process:
# each failure costs a sampling run. (transformer class, cache) -> why
_FAILED: dict[tuple[str, str], str] = {}

# short names, for messages
NAMES = {"taylorseer": "TaylorSeer", "first_block": "First-block cache", "pab": "Pyramid attention broadcast",
         "faster": "FasterCache"}

# TaylorSeer over the whole block stack (its "lite" layout): the blocks are skipped on predicted
# steps and the output projections (video, and audio for LTX-2) are extrapolated. Caching every
# attention output instead would keep two tensors of tokens x width per attention per block,
# tens of GiB for LTX-2 at 768x512x121.
TAYLORSEER_SKIP = [r"^[a-z_]*blocks\.\d+$"]
TAYLORSEER_PREDICT = [r"^(audio_)?proj_out$"]


class SpeedError(ValueError):
    """A speed choice this version doesn't know; the message lists the choices."""


@dataclass(frozen=True)
class Speed:
    """What the user asked for: a step cache (a CACHES name) and regional compile."""

    cache: str = "off"
    compile: bool = False

    def __post_init__(self) -> None:
        if self.cache not in CACHES:
            raise SpeedError(f"Unknown cache {self.cache!r}; use one of {', '.join(CACHES)}.")

    @property
    def any(self) -> bool:
        return self.cache != "off" or self.compile

    def describe(self) -> dict:
        return {"cache": self.cache, "compile": self.compile}

    @classmethod
    def from_options(cls, options: dict | None, default: Speed | None = None) -> Speed:
        """The speed a request asks for (`options["speed"]`), else `default`, else off."""
        value = (options or {}).get("speed")
        if not isinstance(value, dict):
            return default or cls()
        base = default or cls()
        return cls(cache=str(value.get("cache", base.cache)), compile=bool(value.get("compile", base.compile)))


@dataclass
class SpeedReport:
    """What ran: JSON-able via `describe()`, kept in the take's record."""

    asked: Speed
    cache: str = "off"  # the cache that is on
    compiled: bool = False
    refused: dict[str, str] | None = None  # what was asked and not used -> why, in the user's words

    def refuse(self, what: str, why: str) -> None:
        self.refused = {**(self.refused or {}), what: why}

    def describe(self) -> dict:
        out = {"asked": self.asked.describe(), "cache": self.cache, "compiled": self.compiled}
        if self.refused:
            out["refused"] = dict(self.refused)
        return out

    @property
    def active(self) -> bool:
        return self.cache != "off" or self.compiled


def cache_config(name: str, pipe: Any) -> Any:
    """The diffusers config of cache `name` for `pipe` (timestep callbacks read the running pipe)."""
    import torch
    from diffusers.hooks import (
        FasterCacheConfig,
        FirstBlockCacheConfig,
        PyramidAttentionBroadcastConfig,
        TaylorSeerCacheConfig,
    )

    def timestep() -> Any:
        return pipe.current_timestep

    if name == "taylorseer":
        return TaylorSeerCacheConfig(
            cache_interval=4, disable_cache_before_step=3, max_order=1, taylor_factors_dtype=torch.float32,
            skip_predict_identifiers=TAYLORSEER_SKIP, cache_identifiers=TAYLORSEER_PREDICT,
        )
    if name == "first_block":
        return FirstBlockCacheConfig(threshold=0.05)
    if name == "pab":
        return PyramidAttentionBroadcastConfig(spatial_attention_block_skip_range=2,
                                               spatial_attention_timestep_skip_range=(100, 800),
                                               current_timestep_callback=timestep)
    if name == "faster":
        return FasterCacheConfig(spatial_attention_block_skip_range=2, current_timestep_callback=timestep,
                                 attention_weight_callback=lambda _module: 0.3, tensor_format="BFCHW")
    raise SpeedError(f"Unknown cache {name!r}; use one of {', '.join(CACHES)}.")


def hooked_modules(module: Any) -> int:
    """How many sub-modules (not `module` itself) carry a diffusers hook."""
    count = 0
    for name, sub in module.named_modules():
        registry = getattr(sub, "_diffusers_hook", None)
        if name and registry is not None and registry.hooks:
            count += 1
    return count


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def apply_speed(pipe: Any, speed: Speed, device: str) -> SpeedReport:
    """Put `speed` on `pipe.transformer` (taking off whatever was on); never raises for a refusal."""
    report = SpeedReport(asked=speed)
    transformer = getattr(pipe, "transformer", None)
    if transformer is None:
        if speed.any:
            report.refuse("speed", "this model has no transformer to speed up")
        return report
    title = NAMES.get(speed.cache, speed.cache)
    # a cache is cheap to put on again; compiled blocks are kept while compile stays asked for,
    # since compiling again costs the first job its minute of compilation once more
    _disable_cache(transformer)
    if not speed.compile:
        _uncompile(transformer)
    failed_before = _FAILED.get((type(transformer).__name__, speed.cache))
    if speed.cache != "off" and failed_before:
        report.refuse("cache", failed_before)
    elif speed.cache != "off":
        if not hasattr(transformer, "enable_cache"):
            report.refuse("cache", f"{type(transformer).__name__} takes no step caches")
        else:
            try:
                transformer.enable_cache(cache_config(speed.cache, pipe))
            except Exception as exc:  # a block type or layout the cache refuses: say so, run without
                report.refuse("cache", f"{title} refuses {type(transformer).__name__} ({_short(exc)})")
                _disable_cache(transformer)
            else:
                if hooked_modules(transformer) == 0:
                    _disable_cache(transformer)
                    report.refuse("cache", f"{title} finds nothing to cache in {type(transformer).__name__}")
                else:
                    report.cache = speed.cache
    if speed.compile:
        if _compiled(transformer):
            report.compiled = True
        elif not device.startswith("cuda"):
            report.refuse("compile", "torch.compile is used on NVIDIA GPUs (CUDA) only")
        elif not getattr(transformer, "_repeated_blocks", None):
            report.refuse("compile", f"{type(transformer).__name__} declares no repeated blocks to compile")
        else:
            try:
                transformer.compile_repeated_blocks(fullgraph=True)
            except Exception as exc:  # e.g. no C compiler for Triton: run uncompiled
                report.refuse("compile", f"torch.compile failed: {_short(exc)}")
                _uncompile(transformer)
            else:
                report.compiled = True
    return report


def remove_speed(pipe: Any) -> None:
    """Take caches and compiled blocks off `pipe.transformer` (a no-op when none are on)."""
    transformer = getattr(pipe, "transformer", None)
    if transformer is None:
        return
    _disable_cache(transformer)
    _uncompile(transformer)


def _disable_cache(transformer: Any) -> None:
    if getattr(transformer, "_cache_config", None) is not None:
        try:
            transformer.disable_cache()
        except Exception:  # a half-applied cache: drop its config so a new one may be enabled
            transformer._cache_config = None


def _compiled(transformer: Any) -> bool:
    return any(getattr(sub, "_compiled_call_impl", None) is not None for sub in transformer.modules())


def _uncompile(transformer: Any) -> None:
    # nn.Module.compile() keeps the compiled forward here; None restores the eager one
    for sub in transformer.modules():
        if getattr(sub, "_compiled_call_impl", None) is not None:
            sub._compiled_call_impl = None


def sample_with_speed(
    pipe: Any,
    speed: Speed,
    device: str,
    sample: Callable[[], Any],
    *,
    cancelled: type[BaseException],
) -> tuple[Any, SpeedReport]:
    """Run `sample()` with `speed` on; if it fails with speed-ups on, run it once more without.

    Returns (what sample returned, the report). `cancelled` (the user's cancel) is never retried.
    A failure that happens without any speed-up on is the pipeline's own and is raised as is.
    """
    report = apply_speed(pipe, speed, device)
    if not report.active:
        return sample(), report
    try:
        return sample(), report
    except cancelled:
        raise
    except Exception as exc:
        import torch

        if isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower():
            raise  # memory is not the cache's fault; the caller's fallbacks handle it
        what = []
        if report.cache != "off":
            what.append(NAMES[report.cache])
        if report.compiled:
            what.append("torch.compile")
        remove_speed(pipe)
        why = f"{' and '.join(what)} failed while sampling ({_short(exc)}); the job ran again without"
        if report.cache != "off" and not report.compiled:  # a compile failure may be the machine's, not the cache's
            transformer = getattr(pipe, "transformer", None)
            _FAILED[(type(transformer).__name__, report.cache)] = (
                f"{NAMES[report.cache]} failed on {type(transformer).__name__} earlier ({_short(exc)})")
        failed = SpeedReport(asked=speed, refused=dict(report.refused or {}))
        failed.refuse("cache" if report.cache != "off" else "compile", why)
        return sample(), failed
