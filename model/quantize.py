"""Weight-only int8 / fp8 quantisation of a pipeline's transformer through torchao (an optional extra).

The transformer holds most of a video model's weights; storing them in 8 bits (and computing in
the pipeline's dtype) halves its memory against bf16 at a small cost in quality, which lets a
bigger model or a longer shot fit a card. torchao is optional (`pip install "shotline[cuda]"`):
without it the user is told how to get it rather than given a traceback. Apple GPUs (mps) are
refused, since torchao's 8-bit tensors don't run there; on the CPU it works and only saves
memory. The text encoder and the VAE are left alone: the first runs once per job, the second is
sensitive to precision.
"""

from __future__ import annotations

from typing import Any

from model.engines.base import EngineError

# Placement.quantize -> the torchao config class
CONFIGS = {"int8": "Int8WeightOnlyConfig", "fp8": "Float8WeightOnlyConfig"}
TITLES = {"none": "None (the model's own precision)", "int8": "int8 weights (half of bf16)",
          "fp8": "fp8 weights (half of bf16)"}
INSTALL_HINT = 'install it with: pip install "shotline[cuda]" (or pip install torchao)'


def torchao_available() -> bool:
    """True when torchao is installed here (it is an optional extra); asks without importing it,
    which is slow and noisy (model.torchao_gate)."""
    from model.torchao_gate import installed

    return installed()


def check_quantize(kind: str, device: str) -> str | None:
    """None when `kind` weights can be made for `device`, else why not (in the user's words)."""
    if kind == "none":
        return None
    if kind not in CONFIGS:
        return f"Unknown quantisation {kind!r}; use one of none, {', '.join(CONFIGS)}."
    if device == "mps":
        return f"{kind} weights need an NVIDIA GPU or the CPU; Apple GPUs run the model's own precision."
    if not torchao_available():
        return f"{kind} weights need torchao, which is not installed; {INSTALL_HINT}."
    return None


def quantize_weights(pipe: Any, kind: str, device: str) -> None:
    """Quantise `pipe.transformer` (and a Wan 2.2 `transformer_2`) in place; EngineError when it can't."""
    reason = check_quantize(kind, device)
    if reason is not None:
        raise EngineError(reason)
    from model.torchao_gate import let_in

    let_in()  # the user picked 8-bit weights: torchao is wanted now
    try:
        import torchao.quantization as ao
    except ImportError as exc:  # installed but broken (e.g. built for another torch)
        raise EngineError(f"{kind} weights need torchao, which could not be loaded ({str(exc)[:160]}); "
                          f"{INSTALL_HINT}.") from exc

    config = getattr(ao, CONFIGS[kind])()
    for name in ("transformer", "transformer_2"):
        module = getattr(pipe, name, None)
        if module is None:
            continue
        try:
            ao.quantize_(module, config)
        except (RuntimeError, ValueError, NotImplementedError, AssertionError) as exc:
            raise EngineError(f"{kind} weights could not be made for this model ({str(exc)[:160]}); "
                              "choose Memory ▸ quantisation none.") from exc
