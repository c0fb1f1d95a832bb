"""Where a model runs: the device, the dtype and the memory mode, chosen from the machine and overridable.

Memory modes, from fastest to leanest (diffusers' own mechanisms):
- "full": every component on the device;
- "model_cpu_offload": one component on the device at a time (`enable_model_cpu_offload`);
- "group_offload": blocks of the transformer streamed to the device as they run
  (`enable_group_offload`), for cards smaller than the transformer itself.
VAE tiling (`vae.enable_tiling()`) decodes long or large videos in tiles; it is switched on for
the leaner modes and whenever a decode runs out of memory.
Weight-only quantisation (`quantize`: "int8" or "fp8", through torchao, `model.quantize`) halves
the transformer's weights again; it is never chosen automatically, only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

MEMORY_MODES = ("full", "model_cpu_offload", "group_offload")
QUANTIZE = ("none", "int8", "fp8")  # weight-only, of the transformer (model.quantize)
DTYPES = ("bfloat16", "float16", "float32")
GIB = 1024**3

# Besides the weights, sampling needs room for activations, the text encoder's output and the
# VAE decode; measured on LTX-Video 2B and Wan 1.3B at their default sizes this is a few GiB.
ACTIVATION_HEADROOM = 4 * GIB


@dataclass(frozen=True)
class Placement:
    """How a pipeline is placed: `device` ("cuda", "cuda:1", "mps", "cpu"), dtype, memory mode."""

    device: str = "cpu"
    dtype: str = "float32"
    memory: str = "full"
    vae_tiling: bool = False
    quantize: str = "none"

    def __post_init__(self) -> None:
        if self.quantize not in QUANTIZE:
            raise ValueError(f"Unknown quantisation {self.quantize!r}; use one of {', '.join(QUANTIZE)}.")
        if self.dtype not in DTYPES:
            raise ValueError(f"Unknown dtype {self.dtype!r}; use one of {', '.join(DTYPES)}.")
        if self.memory not in MEMORY_MODES:
            raise ValueError(f"Unknown memory mode {self.memory!r}; use one of {', '.join(MEMORY_MODES)}.")

    def torch_dtype(self):
        import torch

        return getattr(torch, self.dtype)

    def describe(self) -> dict:
        return {"device": self.device, "dtype": self.dtype, "memory": self.memory, "vae_tiling": self.vae_tiling,
                "quantize": self.quantize}


def best_device() -> str:
    """"cuda" when a CUDA GPU is usable, else "mps" on Apple silicon, else "cpu"."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def free_memory_bytes(device: str) -> int | None:
    """Free memory on `device` in bytes (None when it can't be known, e.g. the CPU)."""
    import torch

    if device.startswith("cuda"):
        free, _total = torch.cuda.mem_get_info(torch.device(device))
        return int(free)
    if device == "mps":
        try:
            return int(torch.mps.recommended_max_memory() - torch.mps.driver_allocated_memory())
        except (AttributeError, RuntimeError):
            return None
    return None


def device_name(device: str) -> str:
    """The device in words, for records: "NVIDIA H100 80GB HBM3", "Apple GPU (mps)", "CPU"."""
    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    if device == "mps":
        return "Apple GPU (mps)"
    return "CPU"


def choose_placement(
    weights_bytes: int,
    *,
    largest_component_bytes: int | None = None,
    device: str | None = None,
    dtype: str | None = None,
    memory: str | None = None,
    vae_tiling: bool | None = None,
    free_bytes: int | None = None,
    bf16_ok: bool | None = None,
    quantize: str | None = None,
) -> Placement:
    """Pick a placement for a model of `weights_bytes` (in the dtype it will run in).

    Anything passed explicitly wins; the rest follows the machine: the CPU runs float32 with
    everything in memory; a GPU runs bfloat16 (float16 where bf16 is missing) and the fullest
    memory mode whose weights plus headroom fit the free memory.
    """
    if device is None:
        device = best_device()
    if device == "cpu":
        # bf16 matmuls on most CPUs are emulated and slower than float32
        return Placement(device="cpu", dtype=dtype or "float32", memory=memory or "full",
                         vae_tiling=bool(vae_tiling), quantize=quantize or "none")
    if dtype is None:
        if bf16_ok is None:
            bf16_ok = _bf16_supported(device)
        dtype = "bfloat16" if bf16_ok else "float16"
    if free_bytes is None:
        free_bytes = free_memory_bytes(device)
    if memory is None:
        memory = _memory_mode(weights_bytes, largest_component_bytes or weights_bytes, free_bytes)
    if vae_tiling is None:
        vae_tiling = memory != "full" or (free_bytes is not None and free_bytes < 16 * GIB)
    return Placement(device=device, dtype=dtype, memory=memory, vae_tiling=vae_tiling, quantize=quantize or "none")


def _memory_mode(weights: int, largest: int, free: int | None) -> str:
    if free is None:
        return "full"
    if weights + ACTIVATION_HEADROOM <= free:
        return "full"
    if largest + ACTIVATION_HEADROOM <= free:
        return "model_cpu_offload"
    return "group_offload"


def _bf16_supported(device: str) -> bool:
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_bf16_supported())
    return device == "mps"


def release_memory(device: str) -> None:
    """Give cached blocks back to the driver after a model is dropped.

    The cyclic garbage collector runs here only on the main thread: from a worker thread it
    could finalise GUI objects off their thread. A GUI that unloads on a worker collects on its
    own thread afterwards (tensors freed by reference counting need no collection at all).
    """
    import gc
    import threading

    import torch

    if threading.current_thread() is threading.main_thread():
        gc.collect()
    if device.startswith("cuda") and torch.cuda.is_available():
        torch.cuda.empty_cache()
    elif device == "mps" and hasattr(torch, "mps"):
        torch.mps.empty_cache()
