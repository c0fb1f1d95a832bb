"""Who signs an export's Content Credentials (C2PA): the user's own certificate, else one made here.

Order, first found wins:
1. a certificate chain + private key given for this run (`export --c2pa-cert C --c2pa-key K`);
2. `$SHOTLINE_C2PA_CERT` + `$SHOTLINE_C2PA_KEY` (render machines, scripts);
3. the pair chosen in Settings > Proof of origin, kept in `<config>/c2pa.json` (plain JSON, so the
   headless commands read it without Qt);
4. else Shotline's own: on first use it makes, in the user's config folder (never in a project),
   `c2pa-local/` (mode 0700) holding an ES256 (P-256) key (`signing-key.pem`, mode 0600), a leaf
   certificate for it (`signing-chain.pem`, leaf then issuer) and the issuing certificate
   (`local-ca.pem`). C2PA refuses a bare self-signed end-entity certificate, so the leaf is issued
   by a small local CA whose private key is thrown away at once: nobody, this program included,
   can issue another certificate under it. Verifiers show such exports as valid but untrusted;
   `verify --trust <config>/c2pa-local/local-ca.pem` makes this computer trust its own.

A user certificate is checked before any frame is rendered (`load_identity`): a missing file, a
PEM that is not a certificate or a key, a key protected by a passphrase, a key that does not belong
to the certificate, an expired certificate, or one the C2PA library refuses (a dry run signs a
tiny image) each give one line saying what to fix, and nothing is written.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from editor.media.errors import MediaError
from editor.userdirs import config_dir

LOCAL_FOLDER = "c2pa-local"
KEY_FILE = "signing-key.pem"
CHAIN_FILE = "signing-chain.pem"
CA_FILE = "local-ca.pem"
SETTINGS_FILE = "c2pa.json"
LOCAL_NAME = "Shotline on this computer"
LOCAL_YEARS = 10
ENV_CERT, ENV_KEY = "SHOTLINE_C2PA_CERT", "SHOTLINE_C2PA_KEY"
SETTINGS_WHERE = "Settings > Proof of origin"


class CredentialError(MediaError):
    """The signing certificate or key can't be used; the message says which file and what to do."""


@dataclass(frozen=True)
class SigningIdentity:
    """A certificate chain and its key, ready for c2pa's signer."""

    chain_pem: bytes  # the signing certificate first, then its issuers
    key_pem: bytes
    alg: str  # "es256", "es384", "es512", "ps256" or "ed25519"
    local: bool  # made by Shotline on this computer (not trusted by anyone else)
    subject: str  # the signing certificate's common name, for messages
    serial: int  # the signing certificate's serial number (verify tells ours from others' by it)
    where: str  # where it came from, for messages ("Settings > Proof of origin", "--c2pa-cert", ...)

    def describe(self) -> str:
        if self.local:
            return "a certificate Shotline made on this computer (valid but untrusted elsewhere)"
        return f"your certificate “{self.subject}” ({self.where})"


# --- the user's choices in Settings (also the headless commands' defaults) -----------------------
@dataclass(frozen=True)
class Preferences:
    """Settings > Proof of origin, kept in `<config>/c2pa.json`."""

    certificate: str = ""  # the user's certificate chain (PEM); "" with key "": Shotline's own
    key: str = ""
    sign: bool = True  # sign exports (the Export dialog's checkbox starts from this; --no-c2pa)
    prompts: bool = True  # include the recipes (prompts, seeds); --no-prompts-in-c2pa


def load_preferences() -> Preferences:
    """The saved preferences; the defaults when none are saved (or the file is unreadable)."""
    try:
        data = json.loads((config_dir() / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Preferences()
    if not isinstance(data, dict):
        return Preferences()
    return Preferences(certificate=str(data.get("certificate") or ""), key=str(data.get("key") or ""),
                       sign=data.get("sign", True) is not False, prompts=data.get("prompts", True) is not False)


def save_preferences(prefs: Preferences) -> None:
    """Write the preferences atomically (a crash never leaves half a file)."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"certificate": prefs.certificate.strip(), "key": prefs.key.strip(), "sign": prefs.sign,
                       "prompts": prefs.prompts}, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=f".{SETTINGS_FILE}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, folder / SETTINGS_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- loading ------------------------------------------------------------------------------------
def load_identity(certificate: str | os.PathLike | None = None, key: str | os.PathLike | None = None,
                  *, where: str = "--c2pa-cert/--c2pa-key") -> SigningIdentity:
    """The identity to sign with (see the module docstring for the order); CredentialError when a
    configured certificate can't be used. Makes Shotline's own on first use."""
    if certificate or key:
        return _user_identity(certificate, key, where)
    env_cert, env_key = os.environ.get(ENV_CERT, ""), os.environ.get(ENV_KEY, "")
    if env_cert or env_key:
        return _user_identity(env_cert, env_key, f"${ENV_CERT}/${ENV_KEY}")
    prefs = load_preferences()
    if prefs.certificate or prefs.key:
        return _user_identity(prefs.certificate, prefs.key, SETTINGS_WHERE)
    return local_identity()


def check_user_files(certificate: str, key: str, where: str = SETTINGS_WHERE) -> SigningIdentity:
    """Check a certificate + key pair as an export would (for the Settings dialog)."""
    return _user_identity(certificate, key, where)


def _user_identity(certificate, key, where: str) -> SigningIdentity:
    fix = f"choose the right files in {where}, or clear both to sign with Shotline's own certificate" \
        if where == SETTINGS_WHERE else f"check {where}, or export with --no-c2pa"
    if not certificate or not key:
        missing = "private key" if certificate else "certificate"
        raise CredentialError(f"A C2PA signing certificate needs its private key too, and the {missing} is not set; {fix}.")
    cert_path, key_path = Path(certificate).expanduser(), Path(key).expanduser()
    chain_pem = _read(cert_path, "certificate", fix)
    key_pem = _read(key_path, "private key", fix)
    certs = _parse_chain(chain_pem, cert_path, fix)
    private = _parse_key(key_pem, key_path, fix)
    leaf = certs[0]
    if _public_bytes(private.public_key()) != _public_bytes(leaf.public_key()):
        raise CredentialError(f"The private key {key_path} does not belong to the certificate {cert_path} "
                              f"(the first certificate in the file signs); {fix}.")
    now = datetime.datetime.now(datetime.UTC)
    if leaf.not_valid_after_utc < now:
        raise CredentialError(f"The certificate {cert_path} expired on {leaf.not_valid_after_utc:%Y-%m-%d}; "
                              f"renew it, {fix}.")
    if leaf.not_valid_before_utc > now:
        raise CredentialError(f"The certificate {cert_path} is valid only from {leaf.not_valid_before_utc:%Y-%m-%d}; "
                              f"{fix}.")
    alg = _alg_for(private, key_path, fix)
    identity = SigningIdentity(
        chain_pem=b"".join(_pem(c) for c in certs), key_pem=key_pem, alg=alg, local=False,
        subject=_common_name(leaf), serial=leaf.serial_number, where=where)
    problem = dry_run(identity)
    if problem:
        raise CredentialError(f"The C2PA library refuses the certificate {cert_path}: {problem}. C2PA wants an "
                              f"issued certificate (not self-signed) with the digitalSignature key usage, an "
                              f"email-protection extended key usage and an authority key identifier, followed by its "
                              f"issuers in the same file; {fix}.")
    return identity


def _read(path: Path, what: str, fix: str) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CredentialError(f"The C2PA {what} {path} does not exist; {fix}.") from None
    except OSError as exc:
        raise CredentialError(f"The C2PA {what} {path} can't be read ({exc.strerror or exc}); {fix}.") from None
    if len(data) > 1_000_000:
        raise CredentialError(f"The C2PA {what} {path} is {len(data) // 1000} kB, far too big for a PEM file; {fix}.")
    return data


def _parse_chain(data: bytes, path: Path, fix: str) -> list:
    from cryptography import x509

    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs:
        raise CredentialError(f"{path} holds no PEM certificate (“-----BEGIN CERTIFICATE-----”); {fix}.")
    return certs


def _parse_key(data: bytes, path: Path, fix: str):
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise CredentialError(f"The private key {path} is protected by a passphrase, which Shotline can't ask for; "
                              f"save a copy without one (e.g. `openssl pkey -in KEY -out plain.pem`) and {fix}.") from None
    except Exception as exc:  # cryptography raises ValueError or UnsupportedAlgorithm
        raise CredentialError(f"{path} is not a PEM private key ({str(exc).splitlines()[0][:80]}); {fix}.") from None


def _alg_for(private, path: Path, fix: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(private, ec.EllipticCurvePrivateKey):
        alg = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}.get(private.curve.name)
        if alg:
            return alg
        raise CredentialError(f"The key {path} uses the curve {private.curve.name}; C2PA signs with P-256, P-384 or "
                              f"P-521 keys, RSA or Ed25519; {fix}.")
    if isinstance(private, rsa.RSAPrivateKey):
        return "ps256"
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise CredentialError(f"The key {path} is of a kind C2PA can't sign with (use EC P-256, RSA or Ed25519); {fix}.")


def dry_run(identity: SigningIdentity) -> str:
    """Sign a tiny in-memory image with `identity`: "" when c2pa accepts it, else its first line."""
    import c2pa

    try:
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(identity.alg, identity.chain_pem, identity.key_pem, None))
        builder = c2pa.Builder({"claim_generator_info": [{"name": "Shotline"}], "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [{"action": "c2pa.created", "digitalSourceType":
                                                               "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}]}}]})
        with signer, builder:
            builder.sign(signer, "image/png", io.BytesIO(_tiny_png()), io.BytesIO())
    except Exception as exc:  # c2pa.C2paError and its kinds, ValueError for bad input
        return str(exc).strip().splitlines()[-1].strip()[:200] or type(exc).__name__
    return ""


@functools.cache
def _tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, "PNG")
    return out.getvalue()


# --- Shotline's own certificate ------------------------------------------------------------------
def local_folder() -> Path:
    return config_dir() / LOCAL_FOLDER


def local_serial() -> int | None:
    """The serial number of the certificate Shotline made here; None when it made none yet."""
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificates((local_folder() / CHAIN_FILE).read_bytes())[0].serial_number
    except (OSError, ValueError, IndexError):
        return None


def local_identity() -> SigningIdentity:
    """Shotline's own signing identity, made on first use (and again when it expired or was damaged)."""
    folder = local_folder()
    found = _load_local(folder)
    if found is not None:
        return found
    if folder.exists():  # expired or damaged: kept aside (the user may want to look), a new one made
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            folder.rename(folder.with_name(f"{LOCAL_FOLDER}.old-{stamp}"))
        except OSError as exc:
            raise CredentialError(f"Shotline's signing certificate in {folder} is damaged and can't be moved aside "
                                  f"({exc.strerror or exc}); delete that folder, or export with --no-c2pa.") from None
    _make_local(folder)
    found = _load_local(folder)
    if found is None:
        raise CredentialError(f"Shotline could not make a signing certificate in {folder}; check that folder can be "
                              "written, or export with --no-c2pa.")
    return found


def _load_local(folder: Path) -> SigningIdentity | None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        chain_pem = (folder / CHAIN_FILE).read_bytes()
        key_pem = (folder / KEY_FILE).read_bytes()
        leaf = x509.load_pem_x509_certificates(chain_pem)[0]
        private = serialization.load_pem_private_key(key_pem, password=None)
    except (OSError, ValueError, TypeError, IndexError):
        return None
    now = datetime.datetime.now(datetime.UTC)
    if leaf.not_valid_after_utc < now + datetime.timedelta(days=1):
        return None
    if _public_bytes(private.public_key()) != _public_bytes(leaf.public_key()):
        return None
    return SigningIdentity(chain_pem=chain_pem, key_pem=key_pem, alg="es256", local=True, subject=_common_name(leaf),
                           serial=leaf.serial_number, where="made by Shotline")


def _make_local(folder: Path) -> None:
    """A local CA (its key forgotten at once) and an ES256 leaf it issued, written as one folder.

    Built in a private temporary folder and renamed into place, so two exports starting together
    never mix one's key with the other's certificate: the second rename fails and its files go.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=365 * LOCAL_YEARS)
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"Shotline ({user[:40]})")])

    def usage(**on: bool) -> x509.KeyUsage:
        flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                               "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
        return x509.KeyUsage(**{**flags, **on})

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("Shotline local issuer (this computer only)")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name(LOCAL_NAME)).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    del ca_key  # never written: no further certificate can be issued under this one

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{LOCAL_FOLDER}.", dir=folder.parent))  # mode 0700
    try:
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        fd = os.open(tmp / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key_pem)
        (tmp / CHAIN_FILE).write_bytes(_pem(leaf) + _pem(ca))
        (tmp / CA_FILE).write_bytes(_pem(ca))
        try:
            os.rename(tmp, folder)
        except OSError:
            if not folder.exists():
                raise
            # another export made one at the same moment: use that one, drop ours
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


# --- small helpers ------------------------------------------------------------------------------
def _pem(cert) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _public_bytes(public) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _common_name(cert) -> str:
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()
