"""The generation commands' issue-11 parts: speed and memory flags, --enhance, the plan line, notes.

Kept beside `editor.cli.generate_commands` (which calls these) so that module stays about
turning inputs into a plan and a take. `common` is its checked `Common` arguments.
"""

from __future__ import annotations

import sys
from typing import Any

from editor.cli.common import UserError


def speed_arguments(ap: Any) -> None:
    """Speed, memory extras and prompt enhancement (issue 11), shared by the generation commands."""
    from model.devices import QUANTIZE
    from model.speed import CACHES

    ap.add_argument("--cache", choices=tuple(CACHES), default=None,
                    help="speed: a step cache (default off; a model that refuses it runs without, and says so)")
    ap.add_argument("--compile", action="store_true", help="compile the transformer's repeated blocks (CUDA only)")
    ap.add_argument("--vae-tiling", action="store_true", help="decode in tiles (less memory, a little slower)")
    ap.add_argument("--quantize", choices=QUANTIZE, default=None,
                    help='8-bit transformer weights through torchao (pip install "shotline[cuda]")')
    ap.add_argument("--enhance", action="store_true",
                    help="expand --prompt first, with the model's own prompt enhancer or the --enhancer text model")
    ap.add_argument("--enhancer", metavar="DIR", default=None,
                    help="a local text model folder (any *ForCausalLM download) for --enhance")
    ap.add_argument("--upsampler", metavar="DIR", default=None,
                    help="a latent upsampler folder for upscale (e.g. Lightricks/ltxv-spatial-upscaler-0.9.7)")


def enhanced(common: Any, plan: Any, request: Any) -> tuple[Any, Any]:
    """The plan and request with the prompt expanded (both prompts kept in the plan's options)."""
    import dataclasses

    from model.enhance import EnhanceError, enhance

    if not plan.prompt.strip():
        raise UserError("--enhance expands a prompt: give --prompt TEXT")
    print("enhancing the prompt ...", file=sys.stderr, flush=True)
    try:
        made = enhance(plan.prompt, model_folder=common.model, text_model=common.enhancer, seed=plan.seed,
                       device=common.device)
    except EnhanceError as exc:
        raise UserError(str(exc).rstrip(".")) from exc
    finally:
        from model.devices import release_memory

        release_memory(common.device or "cpu")
    print(f"enhanced prompt: {made.prompt}", flush=True)
    options = {**plan.options, "enhance": made.record()}
    plan = dataclasses.replace(plan, prompt=made.prompt, options=options)
    return plan, dataclasses.replace(request, prompt=made.prompt, options={**request.options, "enhance": made.record()})


def say_how(record: dict) -> None:
    """Speed-ups refused and how a draft was upscaled: what the record says, in a line each."""
    speed = (record.get("parameters") or {}).get("speed") or {}
    for what, why in (speed.get("refused") or {}).items():
        print(f"note: {what} not used: {why}", file=sys.stderr, flush=True)
    upscale = record.get("upscale")
    if upscale:
        how = (f"doubled by {upscale['upsampler']}" if upscale.get("upsampler")
               else f"resized ({upscale.get('why', 'no upsampler')})")
        print(f"upscale: the draft was {how}, then refined at full size", file=sys.stderr, flush=True)


def print_plan(common: Any, plan: Any) -> None:
    """The plan before the model loads: memory and time estimates, speed and memory settings."""
    if not common.info.needs_model:
        return
    from editor.generation.estimates import plan_estimate

    overrides = {"device": common.device, "dtype": common.dtype, "memory": common.memory,
                 "vae_tiling": common.vae_tiling or None, "quantize": common.quantize}
    note = plan_estimate(common.info, plan, overrides, [])
    extras = [f"cache {common.cache}" if common.cache and common.cache != "off" else "",
              "compile" if common.compile else "", "VAE tiling" if common.vae_tiling else "",
              f"{common.quantize} weights" if common.quantize and common.quantize != "none" else ""]
    extras = [e for e in extras if e]
    print(f"plan: {plan.width}x{plan.height}, {plan.num_frames} frames, {plan.steps} steps"
          + (f" ({', '.join(extras)})" if extras else "") + (f". {note.text()}" if note else ""),
          file=sys.stderr, flush=True)
