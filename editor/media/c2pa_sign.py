"""Sign a finished export with its Content Credentials (a C2PA manifest embedded in the MP4).

The export (editor.media.export) asks for this in two steps:
1. `prepare(...)`, before any frame is rendered: picks the signing identity
   (editor.media.c2pa_identity) and works out the manifest (editor.media.c2pa_manifest). A
   configured certificate that can't be used stops the export here with one line (CredentialError),
   so nobody waits minutes for a file signed with the wrong certificate or not at all.
2. `ExportSigning.sign_in_place(tmp)`, once ffmpeg has written the hidden partial file: c2pa writes
   a signed copy to a second scratch file beside it, which replaces the partial file; only then is
   the partial file renamed over the target. The target is never seen unsigned-then-signed.

A failure in step 2 (the C2PA library refusing, a full disk) never loses the export: the file is
published unsigned and `problem` says why (the CLI prints it, the Export dialog shows it). The
user asked for a video; the rendered minutes are worth keeping, and the signature can be had by
exporting again once the cause is fixed.

The existing MP4 tags (title, comment, description) stay: c2pa adds its own box and keeps the rest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from editor.document import scratch
from editor.document.project import Clip, Project
from editor.media.c2pa_identity import SigningIdentity, load_identity
from editor.media.c2pa_manifest import ManifestPlan, mime_type, plan_manifest


@dataclass
class ExportSigning:
    """What an export signs with and says; filled in by `sign_in_place`."""

    identity: SigningIdentity
    plan: ManifestPlan
    signed: bool = False
    problem: str = ""  # why the file was left unsigned ("" when signed or not tried yet)
    seconds: float = 0.0  # time the signing step took (bench/bench_c2pa.py)
    prepare_seconds: float = 0.0  # time `prepare` took (identity, manifest), before rendering
    notes: list[str] = field(default_factory=list)  # ingredients that could not be read

    def note(self) -> str:
        """One line for the user about the file's Content Credentials."""
        if self.signed:
            privacy = "" if self.plan.prompts or not self.plan.generated else "; prompts and recipes left out"
            return f"Content Credentials (C2PA): signed with {self.identity.describe()}{privacy}."
        return f"Not signed: {self.problem} The video itself was exported; export again to sign it."

    def sign_in_place(self, path: Path) -> None:
        """Embed the signed manifest in `path` (an export's partial file). Never raises for a signing
        problem: the file stays as ffmpeg wrote it and `problem` says why."""
        t0 = time.perf_counter()
        try:
            _sign_file(path, self.plan, self.identity, self.notes)
            self.signed = True
        except OSError as exc:
            self.problem = f"the signed copy could not be written beside {path.name} ({exc.strerror or exc})."
        except Exception as exc:  # c2pa.C2paError and anything its native side raises
            text = str(exc).strip().splitlines()
            self.problem = f"the C2PA library failed ({(text[-1] if text else type(exc).__name__)[:200]})."
        self.seconds = time.perf_counter() - t0


def prepare(project: Project, project_root: str | os.PathLike | None, clips: Iterable[Clip], out: Path, *,
            prompts: bool = True, start: int = 0, end: int | None = None,
            identity: SigningIdentity | None = None, inputs: Iterable[str | os.PathLike] = (),
            cut: bool = True) -> ExportSigning:
    """The signing of an export to `out` showing `clips`; CredentialError when the configured
    certificate can't be used (before anything is rendered)."""
    t0 = time.perf_counter()
    identity = identity or load_identity()
    plan = plan_manifest(project, project_root, clips, title=out.name, version=shotline_version(),
                         prompts=prompts, start=start, end=end, inputs=inputs, cut=cut)
    return ExportSigning(identity, plan, prepare_seconds=time.perf_counter() - t0)


def shotline_version() -> str:
    from model.runner import shotline_version as version  # one answer, the one takes record

    return version()


def _sign_file(path: Path, plan: ManifestPlan, identity: SigningIdentity, notes: list[str]) -> None:
    import c2pa

    definition = dict(plan.definition)
    readable = {f.lower() for f in c2pa.Builder.get_supported_mime_types()}
    by_name: list[dict] = []  # ingredients c2pa can't open (e.g. Matroska): named, with their format
    streamed = []
    for ing in plan.ingredients:
        (streamed if _format(ing.path, readable) else by_name).append(ing)
    by_name_defs = [{"title": i.title, "format": mime_type(i.path), "relationship": i.relationship} for i in by_name]
    if by_name_defs:
        definition["ingredients"] = by_name_defs
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(identity.alg, identity.chain_pem, identity.key_pem, None))
    with signer, c2pa.Builder(definition) as builder:
        for ing in streamed:
            try:
                with open(ing.path, "rb") as f:
                    builder.add_ingredient({"title": ing.title, "relationship": ing.relationship},
                                           _format(ing.path, readable), f)
            except (OSError, c2pa.C2paError) as exc:
                # a damaged file (or manifest) must not cost the signature of the whole export
                first = str(exc).strip().splitlines()
                notes.append(f"{ing.title} left out of the ingredients ({(first[0] if first else type(exc).__name__)[:120]})")
        fd, signed = scratch.create(path, "partial", ".mp4")
        os.close(fd)
        try:
            with open(path, "rb") as src, open(signed, "w+b") as dst:
                builder.sign(signer, "video/mp4", src, dst)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(signed, path)
        except BaseException:
            Path(signed).unlink(missing_ok=True)
            raise



def _format(path: Path, readable: set[str]) -> str:
    """The format c2pa reads `path` as (its MIME type when c2pa knows it), "" when c2pa can't open it."""
    mime, suffix = mime_type(path).lower(), path.suffix.lower().lstrip(".")
    return mime if mime in readable else (suffix if suffix in readable else "")
