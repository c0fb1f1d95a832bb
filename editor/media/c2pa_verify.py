"""Read a file's Content Credentials (C2PA) back and say, in words, what they claim and whether they hold.

`verify(path)` reads the manifest with c2pa's Reader, which re-hashes the file and checks the
signature, and returns a `Verdict`: who made it (claim generator), who signed it, its actions
and their IPTC digital source types, its ingredients (and whether each carries valid credentials
of its own), whether Shotline's recipes (prompts, seeds) are included, and the result:

- "valid and trusted": the signature holds and its certificate chains to a trust anchor given
  with `trust` (`verify --trust CA.pem`);
- "valid but untrusted (...)": the signature holds and nothing was changed since, but nobody
  here vouches for the certificate; Shotline's own certificate (made on this computer, see
  c2pa_identity) is named as such;
- "INVALID (...)": the file was changed after signing, or the signature does not hold.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from editor.media.c2pa_identity import LOCAL_NAME, local_serial
from editor.media.c2pa_manifest import IPTC, RECIPES_LABEL
from editor.media.errors import MediaError
from editor.words import plural

SOURCE_TYPES = {  # the IPTC digital source types a verifier is likely to meet, in words
    "trainedAlgorithmicMedia": "AI-generated",
    "compositeWithTrainedAlgorithmicMedia": "composite with AI-generated parts",
    "composite": "composite of other media",
    "algorithmicallyEnhanced": "enhanced by an algorithm",
    "digitalCapture": "captured by a camera",
    "digitalCreation": "made by a person with software",
    "algorithmicMedia": "made by an algorithm (not AI-trained)",
    "compositeSynthetic": "composite of synthetic media",
    "humanEdits": "edited by a person",
}
CHANGED = {"assertion.bmffHash.mismatch", "assertion.dataHash.mismatch", "assertion.boxesHash.mismatch",
           "assertion.hashedURI.mismatch", "assertion.collectionHash.mismatch"}
NOT_TRUST = {"signingCredential.untrusted"}


class VerifyError(MediaError):
    """The file can't be checked (missing, not a media file); the message says what to do."""


@dataclass
class Verdict:
    path: Path
    found: bool = False  # the file carries Content Credentials
    state: str = ""  # c2pa's validation state: "Trusted", "Valid" or "Invalid"
    result: str = ""  # the result in words
    generator: str = ""
    signer: str = ""
    actions: list[str] = field(default_factory=list)
    ingredients: list[str] = field(default_factory=list)
    recipes: str = ""
    recipe_takes: int = 0
    problems: list[str] = field(default_factory=list)  # the failures behind an INVALID result
    store: dict = field(default_factory=dict)  # the whole manifest store, as c2pa reports it

    @property
    def valid(self) -> bool:
        return self.found and self.state in ("Valid", "Trusted")

    @property
    def trusted(self) -> bool:
        return self.state == "Trusted"

    def lines(self) -> list[str]:
        if not self.found:
            return [f"{self.path.name}: no Content Credentials (C2PA) in this file.",
                    "Result: nothing to verify (Shotline signs exports unless --no-c2pa or the Export "
                    "dialog's checkbox turned it off)."]
        out = [f"{self.path.name}: Content Credentials (C2PA)",
               f"  Made with:    {self.generator or 'not said'}",
               f"  Signed by:    {self.signer or 'not said'}"]
        out += _block("Actions:", self.actions or ["none"])
        out += _block("Ingredients:", self.ingredients or ["none"])
        out.append(f"  Recipes:      {self.recipes}")
        out += [f"  Problem:      {p}" for p in self.problems]
        out.append(f"Result: {self.result}")
        return out


def verify(path: str | os.PathLike, *, trust: str | os.PathLike | None = None) -> Verdict:
    """Check `path`'s Content Credentials; `trust`: a PEM file of certificates to trust."""
    import c2pa

    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "no such file"
        raise VerifyError(f"{path}: {what}; give the path of an exported MP4.")
    context = None
    if trust is not None:
        context = _trust_context(Path(trust))
    try:
        reader = c2pa.Reader.try_create(str(path), None, None, context) if context else c2pa.Reader.try_create(str(path))
    except c2pa.C2paError as exc:
        first = str(exc).strip().splitlines()
        raise VerifyError(f"{path.name} can't be checked: {(first[0] if first else type(exc).__name__)[:160]}; "
                          "give an MP4, MOV, JPEG, PNG or another file C2PA can hold.") from None
    verdict = Verdict(path)
    if reader is None:
        return verdict
    with reader:
        verdict.found = True
        verdict.store = json.loads(reader.json())
        verdict.state = reader.get_validation_state() or ""
        manifest = reader.get_active_manifest() or {}
        results = reader.get_validation_results() or {}
    _describe(verdict, manifest, results)
    return verdict


def _trust_context(trust: Path):
    import c2pa

    try:
        pem = trust.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise VerifyError(f"--trust {trust}: can't be read ({getattr(exc, 'strerror', None) or exc}); give a PEM file "
                          "of certificates.") from None
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise VerifyError(f"--trust {trust}: holds no PEM certificate; give the issuer's certificate as PEM.")
    try:
        return c2pa.Context(c2pa.Settings.from_dict({"trust": {"trust_anchors": pem}}))
    except c2pa.C2paError as exc:
        raise VerifyError(f"--trust {trust}: the C2PA library refuses it ({str(exc)[:120]}).") from None


def _describe(v: Verdict, manifest: dict, results: dict) -> None:
    gen = (manifest.get("claim_generator_info") or [{}])[0]
    v.generator = " ".join(str(gen.get(k, "")) for k in ("name", "version")).strip() or str(
        manifest.get("claim_generator", ""))
    sig = manifest.get("signature_info") or {}
    cn, issuer = sig.get("common_name") or "", sig.get("issuer") or ""
    v.signer = ", ".join(p for p in (cn, f"issued by {issuer}" if issuer else "",
                                     str(sig.get("alg", "")).upper(), sig.get("time", "")) if p)
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if label.startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions") or []:
                v.actions.append(_action_line(action))
        elif label == RECIPES_LABEL:
            v.recipe_takes = len((assertion.get("data") or {}).get("takes") or [])
    failures = [f for f in ((results.get("activeManifest") or {}).get("failure") or [])]
    deltas = {d.get("ingredientAssertionURI", "").rsplit("/", 1)[-1]: d.get("validationDeltas") or {}
              for d in results.get("ingredientDeltas") or []}
    for ing in manifest.get("ingredients") or []:
        v.ingredients.append(_ingredient_line(ing, deltas.get(str(ing.get("label", "")), {})))
    generated = any("AI-generated" in a or "(algorithmicMedia)" in a for a in v.actions)
    if v.recipe_takes:
        v.recipes = f"included: {plural(v.recipe_takes, 'generated take')} with prompt, seed and settings " \
                    f"({RECIPES_LABEL})"
    elif generated:
        v.recipes = "not included (the prompts were kept private when it was exported)"
    else:
        v.recipes = "none (nothing in it was generated)"

    codes = {f.get("code", "") for f in failures}
    if v.state == "Invalid" or (codes - NOT_TRUST):
        v.state = "Invalid"
        v.problems = [_failure_text(f) for f in failures if f.get("code") not in NOT_TRUST]
        why = "the file was changed after it was signed" if codes & CHANGED else "the credentials do not hold"
        v.result = f"INVALID: {why}. Don't rely on what it says."
    elif v.state == "Trusted":
        v.result = "valid and trusted (the signer's certificate chains to a certificate you trust)"
    elif str(sig.get("cert_serial_number", "")) == str(local_serial()) and cn == LOCAL_NAME:
        v.result = "valid but untrusted (signed by a certificate Shotline made on this computer)"
    elif cn == LOCAL_NAME:
        v.result = ("valid but untrusted (signed by a certificate Shotline made on another computer; nothing "
                    "vouches for who that was)")
    else:
        v.result = (f"valid but untrusted (signed by “{cn or 'an unnamed certificate'}”, which no certificate "
                    "you trust vouches for; `verify --trust ISSUER.pem` checks it against its issuer)")


def _action_line(action: dict) -> str:
    name = str(action.get("action", "")).removeprefix("c2pa.")
    source = str(action.get("digitalSourceType", ""))
    words = ""
    if source:
        short = source.removeprefix(IPTC)
        words = f" — {SOURCE_TYPES.get(short, short)} ({short})"
    said = action.get("description") or (action.get("parameters") or {}).get("description") or ""
    return f"{name}{words}" + (f": {said}" if said else "")


def _ingredient_line(ing: dict, delta: dict) -> str:
    line = f"{ing.get('title', 'untitled')} ({ing.get('format', '?')}, {ing.get('relationship', 'componentOf')})"
    if ing.get("active_manifest"):
        bad = [f for f in delta.get("failure") or [] if f.get("code") not in NOT_TRUST]
        line += ", with its own Content Credentials" + (" that do NOT hold" if bad else " (valid)")
    return line


def _failure_text(failure: dict) -> str:
    code = failure.get("code", "")
    explanation = failure.get("explanation", "")
    return f"{explanation} ({code})" if explanation else code


def _block(title: str, items: list[str]) -> list[str]:
    return [f"  {title:<13} {item}" if i == 0 else f"  {'':<13} {item}" for i, item in enumerate(items)]
