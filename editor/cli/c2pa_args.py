"""The Content Credentials (C2PA) flags every command that writes an MP4 shares.

`--no-c2pa` and `--no-prompts-in-c2pa` turn signing or the recipes off for one run; without
them the defaults are Settings > Proof of origin's (editor.media.c2pa_identity.Preferences).
`--c2pa-cert`/`--c2pa-key` sign with the user's own certificate, checked before any work.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    ap = parser.add_argument_group("proof of origin (Content Credentials, C2PA)")
    ap.add_argument("--no-c2pa", action="store_true", help="don't sign the file's Content Credentials (C2PA)")
    ap.add_argument("--no-prompts-in-c2pa", action="store_true",
                    help="sign, but leave the prompts and recipes out (of the C2PA manifest and the MP4 tags)")
    ap.add_argument("--c2pa-cert", metavar="CHAIN.pem", default=None,
                    help="your signing certificate chain (default: $SHOTLINE_C2PA_CERT, Settings, else one "
                         "Shotline makes on this computer)")
    ap.add_argument("--c2pa-key", metavar="KEY.pem", default=None, help="the private key of --c2pa-cert")


def options(args) -> dict:
    """{"c2pa", "c2pa_prompts"}: as Settings > Proof of origin says, unless the flags turn them off."""
    from editor.media.c2pa_identity import load_preferences

    prefs = load_preferences()
    wanted = prefs.sign or bool(args.c2pa_cert or args.c2pa_key)  # a certificate given is a wish to sign
    return {"c2pa": wanted and not args.no_c2pa, "c2pa_prompts": prefs.prompts and not args.no_prompts_in_c2pa}


def given_identity(args):
    """The user's certificate given on the command line, checked now; None: the usual one (or no signing)."""
    if args.no_c2pa or not (args.c2pa_cert or args.c2pa_key):
        return None
    from editor.media.c2pa_identity import load_identity

    return load_identity(args.c2pa_cert, args.c2pa_key)


def signing_identity(args):
    """The identity to sign with (checked now, before any work), or None when this run doesn't sign."""
    if not options(args)["c2pa"]:
        return None
    from editor.media.c2pa_identity import load_identity

    return load_identity(args.c2pa_cert, args.c2pa_key)
