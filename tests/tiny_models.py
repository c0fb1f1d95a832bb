"""Tiny random-weight diffusers pipelines, built from configs and saved like a user's downloaded model.

As diffusers' own tests do: a one- or two-layer transformer, a small VAE, a T5 encoder from
`T5Config` and a tokenizer made from a word list (no download). Each builder saves the pipeline
with `save_pretrained(folder, safe_serialization=True)`, so the folder is loaded exactly as a
real model folder is. The sizes and VAE compression ratios are parameters, so tests can check
that engines read their limits from the loaded pipeline rather than assuming them.

A CPU call at 32x32, 9-17 frames, 2 steps takes a few hundredths of a second.
"""

from __future__ import annotations

from pathlib import Path

WORDS = (
    "a the of and in on at with to from is are cat dog man woman child runs walks jumps flies "
    "red blue green white black gold sky sea river forest city street night day rain snow sun "
    "light dark slow fast camera pan zoom close wide shot scene"
).split()


def _quiet() -> None:
    """No torchao import (nothing here is quantised; model.torchao_gate) and no "Writing model
    shards" bars: a tiny model built inside a bench run leaves its output to the figures."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    try:
        from model.torchao_gate import keep_out
    except ImportError:  # a child process started with tests/ alone on its path
        pass
    else:
        keep_out()
    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()


def tiny_tokenizer(model_max_length: int = 64):
    """A T5 (Unigram) tokenizer from a word list, built offline."""
    from transformers import T5Tokenizer

    pieces = ["<pad>", "</s>", "<unk>"] + [f"\u2581{w}" for w in WORDS] + list("abcdefghijklmnopqrstuvwxyz")
    vocab = [(p, -float(i)) for i, p in enumerate(pieces)]
    return T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=model_max_length)


def tiny_text_encoder(d_model: int, vocab_size: int, *, umt5: bool = False):
    """A one-layer T5 encoder (UMT5 for Wan, as its real checkpoints are) of width `d_model`."""
    _quiet()
    import torch
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    config_class, model_class = (UMT5Config, UMT5EncoderModel) if umt5 else (T5Config, T5EncoderModel)
    torch.manual_seed(0)
    config = config_class(
        vocab_size=vocab_size, d_model=d_model, d_kv=8, d_ff=37, num_layers=1, num_heads=2,
        relative_attention_num_buckets=8, dropout_rate=0.0,
    )
    return model_class(config).eval()


def build_tiny_ltx_condition(
    folder: str | Path,
    *,
    scaling: tuple[bool, ...] = (True, True, True, False),
    vae_patch_size: int = 1,
    vae_patch_size_t: int = 1,
    num_layers: int = 1,
    timestep_conditioning: bool = False,
    seed: int = 0,
) -> Path:
    """Save a tiny LTXConditionPipeline in `folder`; returns the folder.

    The VAE compresses space by `vae_patch_size * 2**sum(scaling)` and time by
    `vae_patch_size_t * 2**sum(scaling)`: the defaults give 8x8 and 8 frames, the real
    model's 8k+1 frame grid (its real spatial ratio is 32).
    """
    _quiet()
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXConditionPipeline,
        LTXVideoTransformer3DModel,
    )

    folder = Path(folder)
    n = len(scaling)
    torch.manual_seed(seed)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=2,
        attention_head_dim=8, cross_attention_dim=16, num_layers=num_layers, caption_channels=32,
    )
    torch.manual_seed(seed)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8,
        block_out_channels=(8,) * n, decoder_block_out_channels=(8,) * n,
        layers_per_block=(1,) * (n + 1), decoder_layers_per_block=(1,) * (n + 1),
        down_block_types=("LTXVideoDownBlock3D",) * n, downsample_type=("conv",) * n,
        spatio_temporal_scaling=tuple(scaling), decoder_spatio_temporal_scaling=tuple(scaling),
        decoder_inject_noise=(False,) * (n + 1), upsample_residual=(False,) * n, upsample_factor=(1,) * n,
        timestep_conditioning=timestep_conditioning, patch_size=vae_patch_size, patch_size_t=vae_patch_size_t,
        encoder_causal=True, decoder_causal=False,
    )
    tokenizer = tiny_tokenizer()
    pipe = LTXConditionPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=tiny_text_encoder(32, len(tokenizer)),
        tokenizer=tokenizer,
        transformer=transformer,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def build_tiny_wan_vace(
    folder: str | Path,
    *,
    temperal_downsample: tuple[bool, ...] = (False, True, True),
    patch_size: tuple[int, int, int] = (1, 2, 2),
    num_layers: int = 2,
    vace_layers: tuple[int, ...] = (0,),
    seed: int = 0,
) -> Path:
    """Save a tiny WanVACEPipeline in `folder`; returns the folder.

    The VAE compresses time by `2**sum(temperal_downsample)` (4 by default, the real 4k+1 grid)
    and space by `2**len(temperal_downsample)` (8); sides are multiples of that times the
    transformer's spatial patch (16 by default, as in the real model).
    """
    _quiet()
    import torch
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanVACEPipeline,
        WanVACETransformer3DModel,
    )

    folder = Path(folder)
    z_dim = 16
    spatial = 2 ** len(temperal_downsample)
    torch.manual_seed(seed)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=z_dim, dim_mult=[1] * (len(temperal_downsample) + 1), num_res_blocks=1,
        temperal_downsample=list(temperal_downsample),
    )
    torch.manual_seed(seed)
    transformer = WanVACETransformer3DModel(
        patch_size=tuple(patch_size), num_attention_heads=2, attention_head_dim=12, in_channels=z_dim,
        out_channels=z_dim, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=num_layers,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32,
        vace_layers=list(vace_layers), vace_in_channels=2 * z_dim + spatial * spatial,
    )
    tokenizer = tiny_tokenizer()
    pipe = WanVACEPipeline(
        tokenizer=tokenizer,
        text_encoder=tiny_text_encoder(32, len(tokenizer), umt5=True),
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        transformer=transformer,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def spy_on(monkeypatch, owner: type, name: str) -> list[dict]:
    """Record the arguments of every real call of `owner.name` (the call still runs as usual).

    Returns the list the calls are appended to: each entry holds the keyword arguments and, under
    "_args", the positional ones. `monkeypatch` puts the method back after the test.
    """
    original = getattr(owner, name)
    calls: list[dict] = []

    def spy(self, *args, **kwargs):
        calls.append({**kwargs, "_args": args})
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def tiny_gemma_tokenizer(model_max_length: int = 64):
    """A Gemma tokenizer (BPE, left padding as LTX-2 expects) from the word list, built offline."""
    from transformers import GemmaTokenizer

    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<start_of_image>", "<end_of_image>", "<image_soft_token>"]
    pieces = specials + [f"\u2581{w}" for w in WORDS] + list("abcdefghijklmnopqrstuvwxyz") + ["\u2581"]
    vocab = {p: i for i, p in enumerate(pieces)}
    tokenizer = GemmaTokenizer(vocab=vocab, merges=[])
    tokenizer.padding_side = "left"
    tokenizer.model_max_length = model_max_length
    return tokenizer


def tiny_gemma3(vocab_size: int, *, hidden: int = 32, layers: int = 2):
    """A tiny Gemma-3 (text + SigLIP vision tower), the kind of text encoder LTX-2 uses."""
    _quiet()
    import torch
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    config = Gemma3Config(
        text_config={
            "vocab_size": vocab_size, "hidden_size": hidden, "intermediate_size": 37, "num_hidden_layers": layers,
            "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16, "max_position_embeddings": 128,
            "sliding_window": 16, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2,
        },
        vision_config={
            "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
            "image_size": 28, "patch_size": 14,
        },
        mm_tokens_per_image=4, boi_token_index=5, eoi_token_index=6, image_token_index=7,
    )
    torch.manual_seed(0)
    return Gemma3ForConditionalGeneration(config).eval()


def build_tiny_ltx2(
    folder: str | Path,
    *,
    spatial_levels: int = 3,
    temporal_levels: int = 3,
    num_layers: int = 1,
    timestep_conditioning: bool = False,
    seed: int = 0,
) -> Path:
    """Save a tiny LTX2ConditionPipeline (picture and sound) in `folder`; returns the folder.

    The video VAE compresses time by 2**temporal_levels (8 by default: the real 8k+1 grid) and
    space by 2**spatial_levels (8; the real model's 32); the pipeline itself wants sides that are
    multiples of 32. The audio VAE's `base_channels` must be latent_channels * mel_bins / 4; the
    vocoder turns 100 mel frames a second into 24 kHz sound, as the real one does (upsampling 240).
    """
    _quiet()
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

    folder = Path(folder)
    levels = max(spatial_levels, temporal_levels)
    kinds = []
    for i in range(levels):
        space, time = i < spatial_levels, i < temporal_levels
        kinds.append("spatiotemporal" if space and time else "spatial" if space else "temporal")
    tokenizer = tiny_gemma_tokenizer()
    text_encoder = tiny_gemma3(len(tokenizer))
    text = text_encoder.config.text_config
    torch.manual_seed(seed)
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=num_layers,
        qk_norm="rms_norm_across_heads", caption_channels=text.hidden_size, rope_double_precision=False,
        rope_type="split", vae_scale_factors=(2 ** temporal_levels, 2 ** spatial_levels, 2 ** spatial_levels),
    )
    torch.manual_seed(seed)
    connectors = LTX2TextConnectors(
        caption_channels=text.hidden_size, text_proj_in_factor=text.num_hidden_layers + 1,
        video_connector_num_attention_heads=4, video_connector_attention_head_dim=8, video_connector_num_layers=1,
        video_connector_num_learnable_registers=None, audio_connector_num_attention_heads=4,
        audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32, rope_theta=10000.0,
        rope_double_precision=False, causal_temporal_positioning=False, rope_type="split",
    )
    torch.manual_seed(seed)
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,) * levels,
        decoder_block_out_channels=(8,) * levels, layers_per_block=(1,) * (levels + 1),
        decoder_layers_per_block=(1,) * (levels + 1), down_block_types=("LTX2VideoDownBlock3D",) * levels,
        spatio_temporal_scaling=(True,) * levels, decoder_spatio_temporal_scaling=(True,) * levels,
        decoder_inject_noise=(False,) * (levels + 1), downsample_type=tuple(kinds),
        upsample_type=tuple(reversed(kinds)), upsample_residual=(False,) * levels, upsample_factor=(1,) * levels,
        timestep_conditioning=timestep_conditioning, patch_size=1, patch_size_t=1, encoder_causal=True,
        decoder_causal=False, spatial_compression_ratio=2 ** spatial_levels, temporal_compression_ratio=2 ** temporal_levels,
    )
    torch.manual_seed(seed)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8,
    )
    torch.manual_seed(seed)
    vocoder = LTX2Vocoder(
        in_channels=audio_vae.config.output_channels * audio_vae.config.mel_bins, hidden_channels=32, out_channels=2,
        upsample_kernel_sizes=[12, 10, 16], upsample_factors=[6, 5, 8], resnet_kernel_sizes=[3],
        resnet_dilations=[[1, 3, 5]], leaky_relu_negative_slope=0.1, output_sampling_rate=24000,
    )
    pipe = LTX2ConditionPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, audio_vae=audio_vae, text_encoder=text_encoder,
        tokenizer=tokenizer, connectors=connectors, transformer=transformer, vocoder=vocoder,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder
