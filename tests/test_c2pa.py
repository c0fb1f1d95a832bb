"""Content Credentials (C2PA): exports carry a real signed manifest, read back with c2pa's own Reader.

Real files, real ffmpeg, real certificates (made with `cryptography`), real c2pa; the CLI runs as
a user runs it. Each test's config folder is its own ($SHOTLINE_CONFIG_DIR, see conftest).
"""

from __future__ import annotations

import datetime
import json
import os
import stat
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import c2pa
import numpy as np
import pytest
from PIL import Image

from editor.document.project import Clip, Project, ShotSettings, Take, Track
from editor.document.storage import save_project
from editor.media import c2pa_identity
from editor.media.c2pa_identity import CredentialError, SigningIdentity, load_identity
from editor.media.c2pa_manifest import COMPOSITE, GENERATED, IPTC, MIXED, RECIPES_LABEL, scrubbed
from editor.media.c2pa_verify import verify
from editor.media.export import ExportOptions, export_project
from editor.media.takes import write_take
from editor.userdirs import config_dir

ROOT = Path(__file__).resolve().parents[1]
W, H = 64, 48
PROMPT = "a paper boat at dawn, secret project Heron"
FAST = ExportOptions(preset="ultrafast")


def shotline(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture
def film(tmp_path):
    """A saved project: a generated take (12 frames) then an imported still (6 frames)."""
    root = tmp_path / "Film.shotline"
    (root / "media").mkdir(parents=True)
    write_take(root / "media" / "gen.mkv", [np.full((H, W, 3), 12 * i, np.uint8) for i in range(12)], 24)
    Image.fromarray(np.full((H, W, 3), (30, 200, 60), np.uint8)).save(tmp_path / "meadow.png")
    record = {"model": {"path": "/home/ann/models/ltx-0.9.7", "title": "LTX-Video 0.9.7", "kind": "ltx"},
              "seed": 424242, "request": {"prompt": PROMPT, "action": "generate", "steps": 8}}
    project = Project(name="Boat Film", fps=Fraction(24), width=W, height=H, tracks=[Track("v1", "V1", [
        Clip("g", 0, 12, name="Shot 1", takes=[Take("tg", "media/gen.mkv", 12, record=record)],
             shot=ShotSettings(prompt=PROMPT, seed=424242)),
        Clip("s", 12, 6, name="Meadow", takes=[Take("ts", str(tmp_path / "meadow.png"), 1, is_still=True,
                                                     metadata={"imported": True})]),
    ])])
    save_project(project, root)
    return project, root


def manifest_of(path: Path) -> tuple[dict, str, list[str]]:
    """(active manifest, validation state, failure codes) as c2pa's Reader reports them."""
    with c2pa.Reader(str(path)) as reader:
        failures = reader.get_validation_results()["activeManifest"]["failure"]
        return reader.get_active_manifest(), reader.get_validation_state(), [f["code"] for f in failures]


def assertion(manifest: dict, label: str) -> dict | None:
    return next((a["data"] for a in manifest["assertions"] if a["label"] == label), None)


def test_an_export_carries_a_signed_manifest_saying_what_was_generated_and_what_was_imported(film, tmp_path):
    project, root = film
    out = tmp_path / "film.mp4"
    result = export_project(project, root, out, FAST)
    assert result.signing.signed and "made on this computer" in result.signing.note()

    manifest, state, failures = manifest_of(out)
    assert state == "Valid" and failures == ["signingCredential.untrusted"]  # holds; nobody vouches for it
    assert manifest["claim_generator_info"][0]["name"] == "Shotline"
    assert manifest["claim_generator_info"][0]["version"]
    created, edited = assertion(manifest, "c2pa.actions.v2")["actions"]
    assert created["action"] == "c2pa.created" and created["digitalSourceType"] == GENERATED
    assert "LTX-Video 0.9.7" in created["description"]
    assert edited["action"] == "c2pa.edited" and edited["digitalSourceType"] == MIXED
    assert [(i["title"], i["relationship"]) for i in manifest["ingredients"]] == [("meadow.png", "componentOf")]
    recipes = assertion(manifest, RECIPES_LABEL)["takes"]
    assert [(r["take"], r["recipe"]["seed"], r["recipe"]["prompt"], r["recipe"]["model_title"]) for r in recipes] == \
        [("tg", 424242, PROMPT, "LTX-Video 0.9.7")]
    assert "/home/ann" not in json.dumps(recipes)  # a recipe says how, not where the user keeps things
    with av.open(str(out)) as container:  # the MP4 tags stay, and the video still plays
        assert container.metadata["title"] == "Boat Film"
        assert container.metadata["comment"].startswith("Made with Shotline; contains AI-generated frames")
        assert sum(1 for _ in container.decode(video=0)) == 18
    assert list(tmp_path.glob(".*partial*")) == []


def test_keeping_prompts_private_leaves_recipes_and_prompts_out_of_the_file(film, tmp_path):
    project, root = film
    out = tmp_path / "private.mp4"
    result = export_project(project, root, out, ExportOptions(preset="ultrafast", c2pa_prompts=False))
    manifest, state, _ = manifest_of(out)
    assert state == "Valid" and assertion(manifest, RECIPES_LABEL) is None
    assert assertion(manifest, "c2pa.actions.v2")["actions"][0]["digitalSourceType"] == GENERATED  # still says AI
    assert PROMPT.encode() not in out.read_bytes()  # neither in the manifest nor in the MP4 tags
    assert "prompts and recipes left out" in result.signing.note()
    assert "not included" in verify(out).recipes


def test_a_cut_of_imported_footage_only_is_a_composite(film, tmp_path):
    project, root = film
    out = tmp_path / "meadow.mp4"
    export_project(project, root, out, ExportOptions(preset="ultrafast", start=12))
    manifest, _, _ = manifest_of(out)
    actions = assertion(manifest, "c2pa.actions.v2")["actions"]
    assert [(a["action"], a["digitalSourceType"]) for a in actions] == [("c2pa.created", COMPOSITE),
                                                                        ("c2pa.edited", COMPOSITE)]
    assert assertion(manifest, RECIPES_LABEL) is None and "nothing in it was generated" in verify(out).recipes


def test_an_imported_signed_file_keeps_its_own_manifest(film, tmp_path):
    project, root = film
    first = tmp_path / "first.mp4"
    export_project(project, root, first, FAST)
    again = Project(name="Sequel", fps=Fraction(24), width=W, height=H, tracks=[Track("v1", "V1", [
        Clip("f", 0, 18, name="First", takes=[Take("tf", str(first), 18, metadata={"imported": True})])])])
    second = tmp_path / "second.mp4"
    export_project(again, None, second, FAST)
    with c2pa.Reader(str(second)) as reader:
        store = json.loads(reader.json())
        ingredient = reader.get_active_manifest()["ingredients"][0]
    assert ingredient["title"] == "first.mp4" and ingredient["active_manifest"] in store["manifests"]
    assert len(store["manifests"]) == 2
    inner = store["manifests"][ingredient["active_manifest"]]
    assert any(a["label"] == RECIPES_LABEL for a in inner["assertions"])  # the first export's story is kept
    verdict = verify(second)
    assert verdict.valid and "first.mp4" in verdict.ingredients[0] and "own Content Credentials (valid)" in \
        verdict.ingredients[0]


def test_a_file_changed_after_signing_fails_validation(film, tmp_path):
    project, root = film
    out = tmp_path / "film.mp4"
    export_project(project, root, out, FAST)
    data = bytearray(out.read_bytes())
    at = data.find(b"mdat") + 64
    data[at] ^= 0xFF
    out.write_bytes(bytes(data))
    _, state, failures = manifest_of(out)
    assert state == "Invalid" and "assertion.bmffHash.mismatch" in failures
    verdict = verify(out)
    assert not verdict.valid and verdict.result.startswith("INVALID: the file was changed after it was signed")


def test_the_local_certificate_is_made_once_in_the_config_folder_with_a_private_key(film, tmp_path):
    project, root = film
    export_project(project, root, tmp_path / "a.mp4", FAST)
    folder = config_dir() / c2pa_identity.LOCAL_FOLDER
    key = folder / c2pa_identity.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not [p for p in tmp_path.rglob("*.pem")]  # never in the project, never beside the export
    serial = c2pa_identity.local_serial()
    export_project(project, root, tmp_path / "b.mp4", FAST)
    assert c2pa_identity.local_serial() == serial
    for name in ("a.mp4", "b.mp4"):
        manifest, _, _ = manifest_of(tmp_path / name)
        assert manifest["signature_info"]["cert_serial_number"] == str(serial)
    assert verify(tmp_path / "a.mp4").result == \
        "valid but untrusted (signed by a certificate Shotline made on this computer)"
    trusted = verify(tmp_path / "a.mp4", trust=folder / c2pa_identity.CA_FILE)
    assert trusted.trusted and trusted.result.startswith("valid and trusted")


def test_a_failed_signing_keeps_the_export_unsigned_and_says_so(film, tmp_path):
    project, root = film
    good = load_identity()
    other = load_identity(*_user_certificate(tmp_path / "other"))
    mismatched = SigningIdentity(good.chain_pem, other.key_pem, "es256", False, "x", 1, "test")  # c2pa refuses
    out = tmp_path / "film.mp4"
    result = export_project(project, root, out, FAST, identity=mismatched)
    assert out.is_file() and not result.signing.signed
    assert result.signing.note().startswith("Not signed: the C2PA library failed")
    assert c2pa.Reader.try_create(str(out)) is None
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 18
    assert list(tmp_path.glob(".*partial*")) == []


def test_keyframe_and_cast_pictures_a_take_was_made_from_are_input_ingredients(tmp_path):
    """A generated shot pinned on a keyframe and made with a cast member: both pictures are listed
    as `inputTo` (fed to the model), the recipe names the model's folder hash, never its folder."""
    from editor.document.project import CastMember, Keyframe

    root = tmp_path / "Cast.shotline"
    (root / "media").mkdir(parents=True)
    write_take(root / "media" / "gen.mkv", [np.full((H, W, 3), 20 * i, np.uint8) for i in range(6)], 24)
    for name, colour in (("key.png", (200, 30, 30)), ("fox.png", (230, 120, 20))):
        Image.fromarray(np.full((H, W, 3), colour, np.uint8)).save(root / "media" / name)
    Image.fromarray(np.full((H, W, 3), (9, 9, 9), np.uint8)).save(tmp_path / "unused.png")
    record = {"model": {"path": "/home/ann/models/ltx", "title": "LTX-Video", "kind": "ltx-condition",
                        "folder_hash": "0123456789ab"},
              "engine": "ltx-condition", "action": "generate",
              "request": {"prompt": PROMPT, "seed": 5, "steps": 8, "action": "generate"},
              "plan": {"cast": ["fox", "gone"], "model": "/home/ann/models/ltx",
                       "pins": [{"position": 2, "count": 1, "media": "media/key.png", "still": True,
                                 "keyframe_id": "k1", "label": "keyframe at frame 2"},
                                {"position": 0, "count": 3, "media": "media/gen.mkv", "first": 0}]}}
    project = Project(name="Cast", fps=Fraction(24), width=W, height=H, tracks=[Track("v1", "V1", [
        Clip("g", 0, 6, name="Fox", takes=[Take("tg", "media/gen.mkv", 6, record=record)],
             keyframes=[Keyframe(id="k1", image="media/key.png", frame=2)],
             shot=ShotSettings(prompt=PROMPT, cast=["fox"])),
    ])], cast=[CastMember(id="fox", name="Fox", image="media/fox.png", description="a fox"),
               CastMember(id="other", name="Other", image=str(tmp_path / "unused.png"))])
    save_project(project, root)
    out = tmp_path / "cast.mp4"
    assert export_project(project, root, out, FAST).signing.signed

    manifest, state, failures = manifest_of(out)
    assert state == "Valid" and failures == ["signingCredential.untrusted"]
    assert [(i["title"], i["relationship"]) for i in manifest["ingredients"]] == [("key.png", "inputTo"),
                                                                                  ("fox.png", "inputTo")]
    recipe = assertion(manifest, RECIPES_LABEL)["takes"][0]["recipe"]
    assert recipe["model_hash"] == "0123456789ab" and recipe["model_title"] == "LTX-Video"
    assert (recipe["seed"], recipe["prompt"], recipe["cast"]) == (5, PROMPT, ["fox", "gone"])
    assert "model" not in recipe and "/home/ann" not in json.dumps(manifest)
    assert [line.split(" (")[0] for line in verify(out).ingredients if "inputTo" in line] == ["key.png", "fox.png"]


def test_recipes_lose_local_paths_but_keep_how_a_take_was_made():
    record = {"model": {"path": "/srv/models/wan", "title": "Wan 2.1"}, "seed": 7,
              "request": {"prompt": "x", "context": [{"label": "C:\\Users\\ann\\key.png"}]}}
    assert scrubbed(record) == {"model": {"title": "Wan 2.1"}, "seed": 7, "request": {"prompt": "x", "context": [{}]}}


# --- the user's own certificate ------------------------------------------------------------------
def _user_certificate(folder: Path, *, expired: bool = False, passphrase: bytes | None = None) -> tuple[Path, Path]:
    """A CA and a leaf it issued (EC P-256, email-protection usage), as a user's IT department makes them."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    start, end = (now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)) if expired else \
        (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30))
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Studio Test CA")])

    def usage(**on):
        flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                               "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
        return x509.KeyUsage(**{**flags, **on})

    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True).sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Studio Heron")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / "chain.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    protect = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    (folder / "key.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, protect))
    return folder / "chain.pem", folder / "key.pem"


def test_a_user_certificate_signs_and_its_issuer_makes_it_trusted(film, tmp_path):
    project, root = film
    cert, key = _user_certificate(tmp_path / "studio")
    c2pa_identity.save_preferences(c2pa_identity.Preferences(str(cert), str(key)))  # what Settings > Proof of origin stores
    out = tmp_path / "film.mp4"
    result = export_project(project, root, out, FAST)
    assert result.signing.signed and "Studio Heron" in result.signing.note()
    assert not (config_dir() / c2pa_identity.LOCAL_FOLDER).exists()  # nothing of ours was needed
    assert "Studio Heron" in verify(out).signer and "which no certificate you trust" in verify(out).result
    assert verify(out, trust=tmp_path / "studio" / "ca.pem").trusted


@pytest.mark.parametrize("problem, words", [
    ("missing", "does not exist"),
    ("not pem", "holds no PEM certificate"),
    ("wrong key", "does not belong to the certificate"),
    ("passphrase", "protected by a passphrase"),
    ("expired", "expired on"),
    ("no key", "needs its private key too"),
])
def test_a_broken_user_certificate_is_refused_in_one_line_before_anything_is_written(film, tmp_path, problem, words):
    project, root = film
    cert, key = _user_certificate(tmp_path / "c", expired=problem == "expired",
                                  passphrase=b"pw" if problem == "passphrase" else None)
    if problem == "missing":
        cert = tmp_path / "nowhere.pem"
    elif problem == "not pem":
        cert.write_text("hello")
    elif problem == "wrong key":
        _, key = _user_certificate(tmp_path / "other")
    elif problem == "no key":
        key = ""
    c2pa_identity.save_preferences(c2pa_identity.Preferences(str(cert), str(key)))
    out = tmp_path / "film.mp4"
    with pytest.raises(CredentialError) as caught:
        export_project(project, root, out, FAST)
    message = str(caught.value)
    assert words in message and "\n" not in message and "Settings > Proof of origin" in message
    assert not out.exists() and list(tmp_path.glob(".*partial*")) == []


# --- the command line ------------------------------------------------------------------------------
def test_cli_export_signs_verify_reports_and_no_c2pa_opts_out(film, tmp_path):
    _, root = film
    signed, plain = tmp_path / "signed.mp4", tmp_path / "plain.mp4"
    run = shotline("export", str(root), "-o", str(signed), "--preset", "ultrafast", "--no-prompts-in-c2pa")
    assert run.returncode == 0, run.stderr
    assert "Content Credentials (C2PA): signed" in run.stdout
    run = shotline("verify", str(signed))
    assert run.returncode == 0, run.stderr
    assert "Made with:    Shotline" in run.stdout and "created — AI-generated (trainedAlgorithmicMedia)" in run.stdout
    assert "meadow.png (image/png, componentOf)" in run.stdout and "Recipes:      not included" in run.stdout
    assert "Result: valid but untrusted (signed by a certificate Shotline made on this computer)" in run.stdout

    run = shotline("export", str(root), "-o", str(plain), "--preset", "ultrafast", "--no-c2pa")
    assert run.returncode == 0, run.stderr
    assert c2pa.Reader.try_create(str(plain)) is None
    run = shotline("verify", str(plain))
    assert run.returncode == 1 and "no Content Credentials" in run.stdout


def test_cli_a_broken_certificate_is_one_line_and_writes_nothing(film, tmp_path):
    _, root = film
    cert, _ = _user_certificate(tmp_path / "c")
    out = tmp_path / "film.mp4"
    run = shotline("export", str(root), "-o", str(out), "--c2pa-cert", str(cert), "--c2pa-key", str(tmp_path / "k.pem"))
    assert run.returncode == 2 and not out.exists()
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "k.pem does not exist" in lines[0] and "--no-c2pa" in lines[0]
    run = shotline("verify", str(tmp_path / "nothing.mp4"))
    assert run.returncode == 2 and run.stderr.strip().count("\n") == 0 and "no such file" in run.stderr


# --- the generation commands sign their new frames too ------------------------------------------------
def _clip(path: Path, first: int) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for i in range(first, first + 12):
            frame = np.zeros((H, W, 3), np.uint8)
            frame[10:26, i:i + 14] = (230, 40, 40)
            frame[..., 1] = np.arange(W, dtype=np.uint8)[None, :] * 3
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_generated_frames_from_the_cli_are_signed_with_their_inputs(tmp_path, capsys):
    from editor.cli.generate_commands import run

    a, b = _clip(tmp_path / "a.mp4", 0), _clip(tmp_path / "b.mp4", 24)
    out = tmp_path / "join.mp4"
    assert run("infill", ["--model", "interpolate", "--before", str(a), "--after", str(b), "--seconds", "0.5",
                          "-o", str(out)]) == 0
    assert "Content Credentials (C2PA): signed" in capsys.readouterr().out
    manifest, state, _ = manifest_of(out)
    assert state == "Valid"
    actions = assertion(manifest, "c2pa.actions.v2")["actions"]
    # optical flow made these frames, not a trained model; one run, not a cut: no c2pa.edited
    assert [(x["action"], x["digitalSourceType"]) for x in actions] == [("c2pa.created", IPTC + "algorithmicMedia")]
    assert [(i["title"], i["relationship"]) for i in manifest["ingredients"]] == [("a.mp4", "inputTo"),
                                                                                  ("b.mp4", "inputTo")]
    assert assertion(manifest, RECIPES_LABEL)["takes"][0]["recipe"]["engine"] == "interpolate"

    plain = tmp_path / "plain.mp4"
    assert run("infill", ["--model", "interpolate", "--before", str(a), "--after", str(b), "--seconds", "0.5",
                          "-o", str(plain), "--no-c2pa"]) == 0
    assert c2pa.Reader.try_create(str(plain)) is None


def test_a_generated_clip_is_marked_as_made_by_a_trained_model(tiny_ltx_dir, tmp_path, capsys):
    from editor.cli.generate_commands import run

    out = tmp_path / "shot.mp4"
    assert run("generate", ["--model", str(tiny_ltx_dir), "--prompt", PROMPT, "--seconds", "0.5", "--fps", "10",
                            "--size", "64x48", "--seed", "5", "--steps", "1", "--device", "cpu", "-o", str(out),
                            "--no-prompts-in-c2pa"]) == 0
    capsys.readouterr()
    manifest, state, _ = manifest_of(out)
    assert state == "Valid" and assertion(manifest, RECIPES_LABEL) is None
    created = assertion(manifest, "c2pa.actions.v2")["actions"][0]
    assert created["action"] == "c2pa.created" and created["digitalSourceType"] == GENERATED
    assert PROMPT.encode() not in out.read_bytes()


def test_a_generated_takes_own_sound_is_not_counted_as_an_imported_file(film):
    # Found in a walk: an LTX-2 take's sound (an audio clip playing the take's file) was listed as
    # an ingredient, so `verify` said "1 generated, 5 imported files" for 4 imported files.
    from editor.document.project import AudioClip, AudioTrack
    from editor.media.c2pa_manifest import plan_manifest

    project, root = film
    project.audio_tracks = [AudioTrack("a1", "A1", [AudioClip("snd", "media/gen.mkv", 0, 12, 12, link="g")])]
    plan = plan_manifest(project, root, project.tracks[0].clips, title="Boat Film", version="0")
    assert [i.title for i in plan.ingredients] == ["meadow.png"]
    edited = next(a for a in plan.definition["assertions"][0]["data"]["actions"] if a["action"] == "c2pa.edited")
    assert edited["description"] == "cut in Shotline: 2 shots, 1 generated, 1 imported file"
