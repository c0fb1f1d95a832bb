"""Tiny random-weight models for prompt enhancement and two-stage drafts, built offline and saved like downloads.

- `build_tiny_text_model`: a one-layer Llama causal LM with a word-level tokenizer and a chat
  template, as a local enhancer; `in_hf_cache` puts a folder where the Hugging Face cache keeps
  downloads (`models--org--name/snapshots/<rev>/` with `refs/main`).
- `build_tiny_pipeline_enhancer`: the enhancer part of an LTX-2 folder (model_index.json naming
  `LTX2ConditionPipeline`, a Gemma-3 `processor` and `text_encoder`), which is all the
  pipeline's own `enhance_prompt` reads.
- `build_tiny_ltx_upsampler`: an `LTXLatentUpsamplePipeline` folder for the tiny LTX-Video of
  `tiny_models.build_tiny_ltx_condition` (8 latent channels).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

WORDS = "a the cat dog runs walks red blue green sky sea city night camera slow wide light user prompt model".split()
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> "
    "{{ m['content'] if m['content'] is string else m['content'][-1]['text'] }} <|end|> {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)


def build_tiny_text_model(folder: str | Path, *, chat: bool = True) -> Path:
    """Save a tiny LlamaForCausalLM and its tokenizer (safetensors) in `folder`."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = Path(folder)
    specials = ["<unk>", "<s>", "</s>", "<pad>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
    vocab = {t: i for i, t in enumerate(specials + WORDS + list("abcdefghijklmnopqrstuvwxyz.,:"))}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                        pad_token="<pad>")
    if chat:
        tokenizer.chat_template = CHAT_TEMPLATE
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=512,
                         bos_token_id=1, eos_token_id=2, pad_token_id=3)
    LlamaForCausalLM(config).eval().save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def in_hf_cache(built: Path, hub: str | Path, repo_id: str, revision: str = "0123abcd") -> Path:
    """Move a built model folder into the Hugging Face cache layout under `hub`; the snapshot path."""
    repo = Path(hub) / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / revision
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(built), snapshot)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(revision)
    return snapshot


def build_tiny_pipeline_enhancer(folder: str | Path) -> Path:
    """The enhancer parts of an LTX-2 folder: a Gemma-3 processor and text encoder (no transformer)."""
    import torch
    from transformers import (
        Gemma3Config,
        Gemma3ForConditionalGeneration,
        Gemma3ImageProcessorPil,
        Gemma3Processor,
        Gemma3TextConfig,
        GemmaTokenizer,
        SiglipVisionConfig,
    )

    folder = Path(folder)
    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>", "<start_of_image>",
                "<end_of_image>", "<image_soft_token>"]
    pieces = specials + ["\u2581" + w for w in WORDS] + list("abcdefghijklmnopqrstuvwxyz:.,\u2581")
    vocab = {t: i for i, t in enumerate(pieces)}
    tokenizer = GemmaTokenizer(vocab=vocab, merges=[], unk_token="<unk>", bos_token="<bos>", eos_token="<eos>",
                               pad_token="<pad>", extra_special_tokens={
                                   "boi_token": "<start_of_image>", "eoi_token": "<end_of_image>",
                                   "image_token": "<image_soft_token>"})
    template = ("{% for m in messages %}<start_of_turn>{{ m['role'] }} "
                "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
                "{% if c['type'] == 'image' %}<start_of_image>{% else %}{{ c['text'] }}{% endif %}{% endfor %}"
                "{% endif %}<end_of_turn>{% endfor %}"
                "{% if add_generation_prompt %}<start_of_turn>model {% endif %}")
    tokenizer.chat_template = template
    processor = Gemma3Processor(image_processor=Gemma3ImageProcessorPil(size={"height": 16, "width": 16}),
                                tokenizer=tokenizer, chat_template=template, image_seq_length=4)
    torch.manual_seed(0)
    config = Gemma3Config(
        text_config=Gemma3TextConfig(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                     num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                                     max_position_embeddings=256, sliding_window=64),
        vision_config=SiglipVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, image_size=16, patch_size=4),
        mm_tokens_per_image=4, boi_token_index=6, eoi_token_index=7, image_token_index=8,
    )
    folder.mkdir(parents=True, exist_ok=True)
    processor.save_pretrained(folder / "processor")
    Gemma3ForConditionalGeneration(config).eval().save_pretrained(folder / "text_encoder", safe_serialization=True)
    index = {"_class_name": "LTX2ConditionPipeline", "_diffusers_version": "0.42.1",
             "processor": ["transformers", "Gemma3Processor"],
             "text_encoder": ["transformers", "Gemma3ForConditionalGeneration"],
             "prompt_enhancer": [None, None]}
    (folder / "model_index.json").write_text(json.dumps(index))
    return folder


def build_tiny_ltx_upsampler(folder: str | Path, *, latent_channels: int = 8) -> Path:
    """Save a tiny LTX-Video latent upsampler (as Lightricks/ltxv-spatial-upscaler repositories hold
    one: `latent_upsampler/` beside a model_index.json) for the tiny LTX-Video's 8 latent channels."""
    import torch
    from diffusers.pipelines.ltx import LTXLatentUpsamplerModel

    folder = Path(folder)
    torch.manual_seed(0)
    model = LTXLatentUpsamplerModel(in_channels=latent_channels, mid_channels=32, num_blocks_per_stage=1, dims=3,
                                    spatial_upsample=True, temporal_upsample=False)
    model.eval().save_pretrained(folder / "latent_upsampler", safe_serialization=True)
    index = {"_class_name": "LTXLatentUpsamplePipeline", "_diffusers_version": "0.42.1",
             "latent_upsampler": ["ltx", "LTXLatentUpsamplerModel"], "vae": [None, None]}
    (folder / "model_index.json").write_text(json.dumps(index))
    return folder
