"""Download a model folder from the Hugging Face Hub: sized first, then fetched with progress,
cancel and resume (no Qt; the window runs it on a thread of its own).

`plan_download` asks the Hub which files a diffusers folder needs (model.catalog.ALLOW_PATTERNS:
configs, tokenizer files and safetensors only) and how many bytes are still missing;
`download_model` checks the disk has room for them, then runs `huggingface_hub.snapshot_download`
into the user's chosen folder or the Hugging Face cache (where model.models finds it by itself).
A cancelled or broken download keeps every file it finished, and the next download of the same
model into the same place fetches only the rest (huggingface_hub 2.x discards a half-fetched file:
that one file starts over; a model's weights come in shards of a few GB). Every failure is a DownloadError whose message
says what to do; the Hub's address is HF_ENDPOINT, read at each call.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from model.catalog import ALLOW_PATTERNS

SPARE_BYTES = 512 * 1024 * 1024  # left free on the disk after a download (the system needs some)


class DownloadError(Exception):
    """A download that can't start or didn't finish; the message says what to do."""


class DownloadCancelled(DownloadError):
    """The user cancelled; the finished files stay for a later download to skip."""


@dataclass(frozen=True)
class DownloadPlan:
    repo_id: str
    files: tuple[str, ...]  # every file the model folder needs
    total_bytes: int  # all of them
    missing_bytes: int  # what still has to come (partial files count in full)


def _endpoint() -> str | None:
    return os.environ.get("HF_ENDPOINT") or None


def _where(local_dir: Path | None, cache_dir: Path | None) -> dict:
    if local_dir is not None:
        return {"local_dir": str(local_dir)}
    from model.models import hf_cache_dir

    return {"cache_dir": str(cache_dir or hf_cache_dir())}


def _explain(exc: BaseException, repo_id: str) -> DownloadError:
    """The one-line message for what the Hub library raised."""
    from huggingface_hub import errors

    cause = exc
    while isinstance(cause, errors.DryRunError) and cause.__cause__ is not None:
        cause = cause.__cause__  # a dry run wraps the real reason
    if isinstance(cause, errors.OfflineModeIsEnabled):
        return DownloadError("Downloads are off (HF_HUB_OFFLINE is set): unset it and try again.")
    if isinstance(cause, errors.GatedRepoError):
        return DownloadError(f"{repo_id} asks you to accept its licence first: do so on its Hugging Face page, "
                             "run `hf auth login`, then try again.")
    if isinstance(cause, errors.RevisionNotFoundError):
        return DownloadError(f"{repo_id} has no such revision on the Hub.")
    if isinstance(cause, errors.RepositoryNotFoundError):
        return DownloadError(f"There is no model {repo_id} on the Hub: check the name (organisation/name); "
                             "a private one needs `hf auth login`.")
    if isinstance(cause, errors.HFValidationError):
        return DownloadError(f"{repo_id!r} is not a Hub model name: write it as organisation/name.")
    if isinstance(cause, errors.HfHubHTTPError):
        return DownloadError(f"The Hub answered with an error for {repo_id} ({cause}); try again later.")
    if isinstance(cause, OSError) and cause.errno == 28:
        return DownloadError("The disk filled up during the download: free some space and download again "
                             "(the files already fetched are kept).")
    if isinstance(cause, OSError) and not isinstance(cause, errors.LocalEntryNotFoundError) and cause.filename:
        return DownloadError(f"Could not write {cause.filename} ({cause.strerror or cause}): choose a folder you can write to.")
    return DownloadError(f"Could not reach the Hugging Face Hub for {repo_id} ({type(cause).__name__}); "
                         "check the internet connection and try again (the files already fetched are kept).")


def plan_download(repo_id: str, *, local_dir: Path | None = None, cache_dir: Path | None = None) -> DownloadPlan:
    """Which files the model needs and how many bytes are missing where it would go (asks the Hub)."""
    from huggingface_hub import snapshot_download

    where = _where(local_dir, cache_dir)
    # the dry run leaves lock files behind: a folder that did not exist before is removed again,
    # so asking for the size changes nothing on disk
    target = Path(where["local_dir"]) if local_dir is not None else (
        Path(where["cache_dir"]) / ("models--" + repo_id.replace("/", "--")))
    made = _first_missing(target)
    try:
        infos = snapshot_download(repo_id, allow_patterns=list(ALLOW_PATTERNS), dry_run=True,
                                  endpoint=_endpoint(), tqdm_class=_progress_class(0, None, None), **where)
    except Exception as exc:  # every Hub failure becomes a message (see _explain)
        raise _explain(exc, repo_id) from exc
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
    files = tuple(sorted(i.filename for i in infos))
    if "model_index.json" not in files:
        raise DownloadError(f"{repo_id} is not a diffusers model folder (it has no model_index.json); "
                            "choose a repository in the diffusers layout.")
    total = sum(i.file_size or 0 for i in infos)
    missing = sum(i.file_size or 0 for i in infos if i.will_download)
    return DownloadPlan(repo_id, files, total, missing)


def _first_missing(path: Path) -> Path | None:
    """The topmost folder of `path` that does not exist yet (None when `path` exists)."""
    path = Path(path).expanduser().absolute()
    if path.exists():
        return None
    while not path.parent.exists() and path.parent != path:
        path = path.parent
    return path


def existing_parent(path: Path) -> Path:
    """`path`, or its nearest ancestor that exists (where free space can be measured)."""
    path = Path(path).expanduser().absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_free_space(where: Path, need: int) -> None:
    """DownloadError when the disk holding `where` lacks `need` bytes plus a spare margin."""
    free = shutil.disk_usage(existing_parent(where)).free
    if need + SPARE_BYTES > free:
        raise DownloadError(f"The model needs {gigabytes(need)} but the disk holding {where} has {gigabytes(free)} "
                            "free: free some space or choose another folder.")


def gigabytes(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def _progress_class(total: int, progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None):
    """A tqdm class for snapshot_download that reports bytes and raises DownloadCancelled: the
    download threads call `update` for every chunk, so a cancel takes effect within one chunk."""
    from tqdm import tqdm

    lock = threading.Lock()
    done = [0]

    class Progress(tqdm):
        def __init__(self, *args, **kwargs):
            self._bytes = kwargs.get("unit") == "B"
            kwargs["disable"] = True  # nothing on the terminal: the window shows it
            kwargs.pop("name", None)
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            if cancelled is not None and cancelled():
                raise DownloadCancelled("Download cancelled; the files already fetched are kept, and downloading "
                                        "again fetches only the rest.")
            self.n += n or 0  # a disabled tqdm counts nothing itself
            if self._bytes and progress is not None:
                with lock:
                    done[0] = max(done[0], int(self.n))
                    now = done[0]
                progress(min(now, total), total)

    return Progress


def download_model(repo_id: str, *, local_dir: Path | None = None, cache_dir: Path | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None, workers: int = 4) -> Path:
    """Fetch the model's folder; returns it (local_dir, or its snapshot in the cache).

    `progress(done, total)` is called from download threads; `cancelled()` is polled there.
    """
    from huggingface_hub import snapshot_download

    plan = plan_download(repo_id, local_dir=local_dir, cache_dir=cache_dir)
    from model.models import hf_cache_dir

    check_free_space(local_dir or cache_dir or hf_cache_dir(), plan.missing_bytes)
    if cancelled is not None and cancelled():
        raise DownloadCancelled("Download cancelled before it started.")
    if progress is not None:
        progress(0, plan.missing_bytes)
    try:
        folder = snapshot_download(repo_id, allow_patterns=list(ALLOW_PATTERNS), endpoint=_endpoint(),
                                   max_workers=workers,
                                   tqdm_class=_progress_class(plan.missing_bytes, progress, cancelled),
                                   **_where(local_dir, cache_dir))
    except DownloadError:
        raise
    except Exception as exc:
        raise _explain(exc, repo_id) from exc
    if progress is not None:
        progress(plan.missing_bytes, plan.missing_bytes)
    return Path(folder)
