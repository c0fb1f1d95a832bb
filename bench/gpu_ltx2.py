"""GPU figures for LTX-2 (19B, picture and sound) at its real size: runner vs bare pipeline, per step,
video and sound decode, peak memory per memory mode. Run through `bench/gpu.py --family ltx2`.

    python bench/gpu.py --family ltx2                      on a CUDA machine
    python bench/gpu.py --family ltx2 --tiny --device cpu  the same procedure on tiny configs (the tests)

As for LTX-Video (`bench/gpu.py`), speed and memory do not depend on the weights: the model is
built from the published architecture with random weights, directly on the device in bfloat16.
The configs are those of Lightricks/LTX-2 as diffusers' conversion script
(scripts/convert_ltx2_to_diffusers.py) writes them: a 48-layer audio-video transformer (video 32
heads of 128, audio 32 of 64; 18.9B parameters), the 32x/8x video VAE, the audio VAE (64 mel bins)
and the 24 kHz vocoder, the text connectors (49 Gemma layers of 3840 in). The text encoder is a
Gemma-3 of the right width and depth (3840, 48 layers, so the connectors read what they would)
but with two narrow heads and a tiny MLP: text encoding runs once per job and is not what is
measured, while Gemma-3 12B would take minutes to build.

Every run is 768x512, 121 frames (5 s at 24 fps), guidance 3 with the model card's STG and
modality guidance (four transformer passes a step), bf16. One line per figure, as bench/gpu.py.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lightricks/LTX-2 transformer (diffusers' conversion script, LTX-2.0)
TRANSFORMER_19B = {
    "in_channels": 128, "out_channels": 128, "patch_size": 1, "patch_size_t": 1,
    "num_attention_heads": 32, "attention_head_dim": 128, "cross_attention_dim": 4096,
    "vae_scale_factors": (8, 32, 32), "pos_embed_max_pos": 20, "base_height": 2048, "base_width": 2048,
    "audio_in_channels": 128, "audio_out_channels": 128, "audio_patch_size": 1, "audio_patch_size_t": 1,
    "audio_num_attention_heads": 32, "audio_attention_head_dim": 64, "audio_cross_attention_dim": 2048,
    "audio_scale_factor": 4, "audio_pos_embed_max_pos": 20, "audio_sampling_rate": 16000, "audio_hop_length": 160,
    "num_layers": 48, "activation_fn": "gelu-approximate", "qk_norm": "rms_norm_across_heads",
    "norm_elementwise_affine": False, "norm_eps": 1e-6, "caption_channels": 3840, "attention_bias": True,
    "attention_out_bias": True, "rope_theta": 10000.0, "rope_double_precision": True, "causal_offset": 1,
    "timestep_scale_multiplier": 1000, "cross_attn_timestep_scale_multiplier": 1000, "rope_type": "split",
}
CONNECTORS = {
    "caption_channels": 3840, "text_proj_in_factor": 49, "video_connector_num_attention_heads": 30,
    "video_connector_attention_head_dim": 128, "video_connector_num_layers": 2,
    "video_connector_num_learnable_registers": 128, "audio_connector_num_attention_heads": 30,
    "audio_connector_attention_head_dim": 128, "audio_connector_num_layers": 2,
    "audio_connector_num_learnable_registers": 128, "connector_rope_base_seq_len": 4096, "rope_theta": 10000.0,
    "rope_double_precision": True, "causal_temporal_positioning": False, "rope_type": "split",
}
VIDEO_VAE = {
    "in_channels": 3, "out_channels": 3, "latent_channels": 128, "block_out_channels": (256, 512, 1024, 2048),
    "down_block_types": ("LTX2VideoDownBlock3D",) * 4, "decoder_block_out_channels": (256, 512, 1024),
    "layers_per_block": (4, 6, 6, 2, 2), "decoder_layers_per_block": (5, 5, 5, 5),
    "spatio_temporal_scaling": (True, True, True, True), "decoder_spatio_temporal_scaling": (True, True, True),
    "decoder_inject_noise": (False, False, False, False),
    "downsample_type": ("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    "upsample_residual": (True, True, True), "upsample_factor": (2, 2, 2), "timestep_conditioning": False,
    "patch_size": 4, "patch_size_t": 1, "resnet_norm_eps": 1e-6, "encoder_causal": True, "decoder_causal": False,
    "encoder_spatial_padding_mode": "zeros", "decoder_spatial_padding_mode": "reflect",
    "spatial_compression_ratio": 32, "temporal_compression_ratio": 8,
}
AUDIO_VAE = {
    "base_channels": 128, "output_channels": 2, "ch_mult": (1, 2, 4), "num_res_blocks": 2, "attn_resolutions": None,
    "in_channels": 2, "resolution": 256, "latent_channels": 8, "norm_type": "pixel", "causality_axis": "height",
    "dropout": 0.0, "mid_block_add_attention": False, "sample_rate": 16000, "mel_hop_length": 160,
    "is_causal": True, "mel_bins": 64, "double_z": True,
}
VOCODER = {
    "in_channels": 128, "hidden_channels": 1024, "out_channels": 2, "upsample_kernel_sizes": [16, 15, 8, 4, 4],
    "upsample_factors": [6, 5, 2, 2, 2], "resnet_kernel_sizes": [3, 7, 11],
    "resnet_dilations": [[1, 3, 5], [1, 3, 5], [1, 3, 5]], "leaky_relu_negative_slope": 0.1,
    "output_sampling_rate": 24000,
}
SCHEDULER = {"base_image_seq_len": 1024, "base_shift": 0.95, "max_image_seq_len": 4096, "max_shift": 2.05,
             "shift_terminal": 0.1, "use_dynamic_shifting": True, "time_shift_type": "exponential"}

# The same structure, small enough for a CPU test (as tests/tiny_models.build_tiny_ltx2).
TINY_TRANSFORMER = {**TRANSFORMER_19B, "in_channels": 4, "out_channels": 4, "num_attention_heads": 2,
                    "attention_head_dim": 8, "cross_attention_dim": 16, "audio_in_channels": 4,
                    "audio_out_channels": 4, "audio_num_attention_heads": 2, "audio_attention_head_dim": 4,
                    "audio_cross_attention_dim": 8, "num_layers": 2, "caption_channels": 32,
                    "rope_double_precision": False, "vae_scale_factors": (8, 8, 8)}
TINY_CONNECTORS = {**CONNECTORS, "caption_channels": 32, "text_proj_in_factor": 3,
                   "video_connector_num_attention_heads": 4, "video_connector_attention_head_dim": 8,
                   "video_connector_num_layers": 1, "video_connector_num_learnable_registers": None,
                   "audio_connector_num_attention_heads": 4, "audio_connector_attention_head_dim": 8,
                   "audio_connector_num_layers": 1, "audio_connector_num_learnable_registers": None,
                   "connector_rope_base_seq_len": 32, "rope_double_precision": False}
TINY_VIDEO_VAE = {**VIDEO_VAE, "latent_channels": 4, "block_out_channels": (8, 8, 8),
                  "down_block_types": ("LTX2VideoDownBlock3D",) * 3, "decoder_block_out_channels": (8, 8, 8),
                  "layers_per_block": (1, 1, 1, 1), "decoder_layers_per_block": (1, 1, 1, 1),
                  "spatio_temporal_scaling": (True,) * 3, "decoder_spatio_temporal_scaling": (True,) * 3,
                  "decoder_inject_noise": (False,) * 4, "downsample_type": ("spatiotemporal",) * 3,
                  "upsample_residual": (False,) * 3, "upsample_factor": (1,) * 3, "patch_size": 1,
                  "spatial_compression_ratio": 8, "temporal_compression_ratio": 8}
TINY_AUDIO_VAE = {**AUDIO_VAE, "base_channels": 4, "ch_mult": (1,), "num_res_blocks": 1, "resolution": 32,
                  "latent_channels": 2, "mel_bins": 8}
TINY_VOCODER = {**VOCODER, "in_channels": 16, "hidden_channels": 32, "upsample_kernel_sizes": [12, 10, 16],
                "upsample_factors": [6, 5, 8], "resnet_kernel_sizes": [3], "resnet_dilations": [[1, 3, 5]]}


@dataclass(frozen=True)
class Ltx2Setup:
    transformer: dict
    connectors: dict
    vae: dict
    audio_vae: dict
    vocoder: dict
    width: int
    height: int
    frames: int
    steps: tuple[int, ...]
    offload_steps: int
    budget_s: float
    warm_up_steps: int = 2
    tiny: bool = False
    skipped: list[str] = field(default_factory=list)


REAL = Ltx2Setup(TRANSFORMER_19B, CONNECTORS, VIDEO_VAE, AUDIO_VAE, VOCODER, 768, 512, 121, (8, 30), 8, 480.0)
TINY = Ltx2Setup(TINY_TRANSFORMER, TINY_CONNECTORS, TINY_VIDEO_VAE, TINY_AUDIO_VAE, TINY_VOCODER, 32, 32, 9,
                 (2, 3), 2, 120.0, warm_up_steps=2, tiny=True)  # LTX-2's schedule needs two steps


def build_pipeline(setup: Ltx2Setup, device: str, dtype: str):
    """An LTX2ConditionPipeline with random weights, made on `device` in `dtype` (no float32 copy)."""
    import torch
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2ConditionPipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import tiny_gemma3, tiny_gemma_tokenizer

    from bench.gpu import made_on

    torch_dtype = getattr(torch, dtype)
    with made_on(device, torch_dtype):
        transformer = LTX2VideoTransformer3DModel(**setup.transformer).eval()
        connectors = LTX2TextConnectors(**setup.connectors).eval()
        vae = AutoencoderKLLTX2Video(**setup.vae).eval()
        audio_vae = AutoencoderKLLTX2Audio(**setup.audio_vae).eval()
        vocoder = LTX2Vocoder(**setup.vocoder).eval()
    tokenizer = tiny_gemma_tokenizer()
    # a Gemma-3 as wide and deep as the connectors read, with narrow heads (see the module docstring)
    text_encoder = tiny_gemma3(len(tokenizer), hidden=setup.connectors["caption_channels"],
                               layers=setup.connectors["text_proj_in_factor"] - 1).to(device, torch_dtype)
    return LTX2ConditionPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(**SCHEDULER), vae=vae, audio_vae=audio_vae,
        text_encoder=text_encoder, tokenizer=tokenizer, connectors=connectors, transformer=transformer,
        vocoder=vocoder,
    )


def request_for(setup: Ltx2Setup, steps: int):
    from model.request import Action, Request

    return Request(Action.GENERATE, setup.frames, Fraction(24), setup.width, setup.height,
                   prompt="a paper boat drifts down a river at dawn, birds call, camera follows", seed=0,
                   steps=steps, guidance=3.0, options={"max_sequence_length": 128})


def measure(setup: Ltx2Setup, device: str, dtype: str, on_figure=None) -> list:
    from bench.gpu import Recorder, _free, build_and_save, measure_bare, measure_memory_modes, measure_runner

    record = Recorder(setup.budget_s, on_figure, prefix="ltx2_")
    figures, started, left, add = record.figures, record.started, record.left, record.add
    size = f"{setup.width}x{setup.height}x{setup.frames}"
    gpu = device.startswith("cuda")

    folder = Path(tempfile.mkdtemp(prefix="shotline-gpu-bench-ltx2-"))
    try:
        # 1. the model, built on the device, saved as a model folder for the runner
        pipe = build_and_save(build_pipeline, setup, device, dtype, folder, add, build_goal_s=120,
                              params_b=(18.7, 19.1), params_goal="18.8-19.0 (LTX-2 19B)")

        # 2. the bare pipeline with the arguments the engine builds (it decodes picture and sound too)
        bare_s = measure_bare(pipe, folder, setup, request_for, device, add,
                              f"informational ({size}, cfg+stg+modality)", left, label="ltx2 ")
        del pipe
        _free(device)

        # 3. the runner on the same model, from the folder

        def sound_made(result) -> None:
            if result.audio is None or result.audio.samples.shape[0] == 0:
                add("sound_made", 0, "bool", "1 (the take has sound)", False)

        runner, full = measure_runner(folder, setup, request_for, device, dtype, add, left, bare_s,
                                      f"informational ({size}, {dtype})", label="ltx2 ", on_result=sound_made)
        last = max(full) if full else None
        if last is not None:
            add("vae_decode_s", full[last]["decode"], "s", f"informational ({size})")
            add("audio_decode_s", full[last]["timings"].get("audio_decode_s", float("nan")), "s",
                "informational (audio VAE + vocoder, 5 s)")
            if gpu:
                add("peak_gpu_memory_full", full[last]["peak"], "GiB", "< 80 on a 141 GB card", full[last]["peak"] < 80)
        runner.unload()
        _free(device)

        # 4. the leaner memory modes (a GPU only)
        measure_memory_modes(setup, folder, request_for, device, dtype, add, left,
                             full.get(last, {}).get("peak", 1e9), offload_gib=24,
                             offload_goal="< 24 (what a 24 GB card has)", decode_note="informational", label="ltx2 ")
        add("bench_wall_s", time.perf_counter() - started, "s", f"< 600 ({'tiny' if setup.tiny else 'H100/H200'})",
            time.perf_counter() - started < 600)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return figures
