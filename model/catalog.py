"""The models Shotline drives that a fresh install can download, for the first-run page and
Settings > Models > Download.

Sizes and memory are rough guides for choosing (they change with each release upstream); the
downloader reads the exact size of the chosen files from the Hub before anything is written.
Only the diffusers layout is fetched: model_index.json at the top and each component's configs,
tokenizer files and safetensors weights one folder down (a repository's single-file checkpoints
at its top level, pickle weights and anything else are left out).
"""

from __future__ import annotations

from dataclasses import dataclass

from model.models import FAMILIES

# model_index.json, then component folders (transformer/, vae/, text_encoder/, tokenizer/, ...)
ALLOW_PATTERNS = ("model_index.json", "*/*.json", "*/*.safetensors", "*/*.txt", "*/*.model")


@dataclass(frozen=True)
class CatalogEntry:
    family: str  # the title of the model.models Family that drives it
    repo_id: str  # on the Hugging Face Hub
    title: str
    download_gb: float  # about how much is downloaded
    vram: str  # the GPU memory it wants, with CPU offload and without
    note: str = ""

    @property
    def driven(self) -> bool:
        """This Shotline has an engine for it (LTX-2 needs a Shotline that drives it)."""
        return any(f.title == self.family for f in FAMILIES)


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("LTX-Video", "Lightricks/LTX-Video-0.9.5", "LTX-Video 0.9.5 (2B)", 20,
                 "12 GB (offload), 24 GB (all on GPU)",
                 "fast drafts at 768x512; keyframes, extend and infill"),
    CatalogEntry("LTX-2", "Lightricks/LTX-2", "LTX-2 (19B, picture and sound)", 80,
                 "32 GB (offload), 80 GB (all on GPU)",
                 "the newest LTX: sharper motion, makes sound with the picture"),
    CatalogEntry("Wan VACE", "Wan-AI/Wan2.1-VACE-1.3B-diffusers", "Wan 2.1 VACE 1.3B", 25,
                 "8 GB (offload), 16 GB (all on GPU)",
                 "small and steady; 480p"),
    CatalogEntry("Wan VACE", "Wan-AI/Wan2.1-VACE-14B-diffusers", "Wan 2.1 VACE 14B", 75,
                 "24 GB (offload), 80 GB (all on GPU)",
                 "the best Wan quality; 720p, slow"),
)


def catalog_text() -> str:
    """The first-run explanation as plain text (the command line prints it; the window shows it as rich text)."""
    lines = ["Shotline drives these video models (local diffusers folders, run on your GPU):"]
    for e in CATALOG:
        state = "" if e.driven else "  [not driven by this version of Shotline]"
        lines.append(f"  {e.title}: {e.repo_id}, about {e.download_gb:g} GB; GPU memory {e.vram}; {e.note}{state}")
    lines.append("Get one with Settings > Models > Download, or `hf download <repo>` and then Settings > Models > "
                 "Add folder. Models in your Hugging Face cache are found by themselves. "
                 "Infill and Loop work without a model (optical-flow interpolation).")
    return "\n".join(lines)
