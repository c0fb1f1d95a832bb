"""`verify FILE`: what a file's Content Credentials (C2PA) say, and whether they hold.

Exit status: 0 valid (trusted or not), 1 invalid (changed after signing) or no credentials,
2 the file can't be checked (a one-line message says why).
"""

from __future__ import annotations

import json

from editor.cli.common import Parser, guarded


def run(command: str, argv: list[str]) -> int:
    return guarded(lambda: cmd_verify(argv))


def cmd_verify(argv: list[str]) -> int:
    ap = Parser(prog="main.py verify", description="Say what a file's Content Credentials (C2PA manifest) claim "
                "(who made it, generated or not, ingredients, recipes) and whether they validate.")
    ap.add_argument("file", help="an exported MP4 (or any file that may carry C2PA credentials)")
    ap.add_argument("--trust", metavar="CA.pem", default=None,
                    help="certificates (PEM) to trust, e.g. your organisation's issuer, or Shotline's "
                         "local-ca.pem to trust this computer's own exports")
    ap.add_argument("--json", action="store_true", help="print the whole manifest store as JSON")
    args = ap.parse_args(argv)
    from editor.media.c2pa_verify import verify

    verdict = verify(args.file, trust=args.trust)
    if args.json:
        print(json.dumps({"file": str(verdict.path), "found": verdict.found, "state": verdict.state,
                          "result": verdict.result, "manifest_store": verdict.store}, indent=2))
    else:
        print("\n".join(verdict.lines()))
    return 0 if verdict.valid else 1
