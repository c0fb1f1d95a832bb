"""The prompt enhancer borrowed from the pipeline the job queue already has loaded.

LTX-2's enhancer is its text encoder (a Gemma 3 of several GiB). When the runner holds the same
model folder, loading a second copy for "Enhance prompt" would double that memory next to a
pipeline that may need all of it; so the enhancer borrows the loaded pipeline's `processor` and
`prompt_enhancer`/`text_encoder` instead (`model.enhance` loads only those parts itself when the
runner holds another model, or none).

Sharing rules, so that a job and an enhancement never fight over the same weights:
- placed "full" (everything stays on the device), the text encoder is only read: the enhancement
  may run while a job samples;
- placed with offload (model CPU offload or group offload), the offload hooks move weights in and
  out, so the enhancement waits for the running job (`Runner.busy`) and, after model CPU offload,
  puts the text encoder back on the CPU where the pipeline expects it.
The borrowed model is wrapped so that the pipeline's `enhance_prompt` can't move it (`.to` is a
no-op): its own hooks place it, as they do when the pipeline encodes a prompt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class SharedParts:
    """What the enhancer needs, lent by a loaded pipeline."""

    processor: Any
    model: Any  # the prompt_enhancer, else the text_encoder
    component: str  # "prompt_enhancer" | "text_encoder"
    device: str  # the pipeline's execution device
    memory: str  # the runner's memory mode: "full", "model_cpu_offload", "group_offload"
    busy: Any = None  # the runner's lock, held while a job runs

    @contextlib.contextmanager
    def borrowed(self) -> Iterator[Any]:
        """The model, usable for one enhancement (see the module doc for when this waits)."""
        lock = self.busy if self.memory != "full" else None
        if lock is not None:
            lock.acquire()
        try:
            yield _Placed(self.model)
        finally:
            try:
                if self.memory == "model_cpu_offload":
                    self.model.to("cpu")  # where model CPU offload keeps it between calls
            finally:
                if lock is not None:
                    lock.release()


class _Placed:
    """A borrowed model whose placement belongs to its pipeline: `.to()` does nothing."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def to(self, *_args: Any, **_kwargs: Any) -> _Placed:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def shared_parts(runner: Any, model_folder: str | Path | None) -> SharedParts | None:
    """The enhancer parts of the pipeline `runner` has loaded, when it is `model_folder`'s; else None."""
    if runner is None or not model_folder:
        return None
    engine, info = getattr(runner, "engine", None), getattr(runner, "info", None)
    pipe = getattr(engine, "pipe", None)
    if pipe is None or info is None or not _same(info.path, model_folder):
        return None
    processor = getattr(pipe, "processor", None)
    component = "prompt_enhancer" if getattr(pipe, "prompt_enhancer", None) is not None else "text_encoder"
    model = getattr(pipe, component, None)
    if processor is None or model is None or not hasattr(model, "generate"):
        return None
    placement = getattr(engine, "placement", None)
    try:
        device = str(pipe._execution_device)
    except (AttributeError, RuntimeError):
        device = getattr(placement, "device", "cpu")
    return SharedParts(processor=processor, model=model, component=component, device=device,
                       memory=getattr(placement, "memory", "full"), busy=getattr(runner, "busy", None))


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return False
