"""A local stand-in for the Hugging Face Hub, serving model folders over real HTTP (for HF_ENDPOINT).

It answers what huggingface_hub 2.x asks while downloading a snapshot:
  GET  /api/models/{org}/{name}/revision/{rev}      the commit (sha) and file list
  GET  /api/models/{org}/{name}/tree/{rev}?recursive  every file with its size and blob id
  HEAD/GET /{org}/{name}/resolve/{rev}/{path}        a file (Range requests too, for resumes)
Anything else is a 404 with the Hub's "Repository Not Found" error code. `hold_after` bytes into
a file, a response waits for `release` (a test cancels a download mid-file that way), and every
request is recorded (method, path, Range header) for the test to inspect.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

SHA = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, repos: dict[str, Path]) -> None:
        self.repos = repos  # repo id -> folder served as its files
        self.requests: list[tuple[str, str, str | None]] = []
        self.hold_after: int | None = None  # pause each file body after this many bytes...
        self.release = threading.Event()  # ...until this is set
        self.held = threading.Event()  # set when a response is holding
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                hub._answer(self, body=False)

            def do_GET(self):
                hub._answer(self, body=True)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that went away (a cancel)
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # --- answers ------------------------------------------------------------------------------
    def _files(self, repo: str) -> list[Path]:
        root = self.repos[repo]
        return sorted(p for p in root.rglob("*") if p.is_file())

    @staticmethod
    def _oid(path: Path) -> str:
        return hashlib.sha1(path.read_bytes()).hexdigest()

    def _answer(self, h: BaseHTTPRequestHandler, *, body: bool) -> None:
        url = urlparse(h.path)
        path = unquote(url.path)
        self.requests.append((h.command, path, h.headers.get("Range")))
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[4] in ("revision", "tree"):
            repo = "/".join(parts[2:4])
            if repo not in self.repos:
                return self._missing(h)
            root = self.repos[repo]
            if parts[4] == "revision":
                doc = {"id": repo, "modelId": repo, "sha": SHA, "private": False,
                       "siblings": [{"rfilename": p.relative_to(root).as_posix()} for p in self._files(repo)]}
            else:
                doc = [{"type": "file", "oid": self._oid(p), "size": p.stat().st_size,
                        "path": p.relative_to(root).as_posix()} for p in self._files(repo)]
            return self._json(h, doc, body=body)
        if len(parts) >= 5 and parts[2] == "resolve":
            repo = "/".join(parts[:2])
            if repo not in self.repos:
                return self._missing(h)
            file = self.repos[repo].joinpath(*parts[4:])
            if not file.is_file():
                return self._missing(h, code="EntryNotFound")
            return self._file(h, file, body=body)
        return self._missing(h)

    def _json(self, h, doc, *, body: bool) -> None:
        data = json.dumps(doc).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if body:
            h.wfile.write(data)

    def _missing(self, h, code: str = "RepoNotFound") -> None:
        data = json.dumps({"error": "Repository Not Found"}).encode()
        h.send_response(404)
        h.send_header("X-Error-Code", code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)

    def _file(self, h, file: Path, *, body: bool) -> None:
        data = file.read_bytes()
        start = 0
        rng = h.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0] or 0)
        h.send_response(206 if start else 200)
        h.send_header("X-Repo-Commit", SHA)
        h.send_header("ETag", f'"{self._oid(file)}"')
        h.send_header("Content-Length", str(len(data) - start))
        if start:
            h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.send_header("Content-Type", "application/octet-stream")
        h.end_headers()
        if not body:
            return
        rest = data[start:]
        try:
            if self.hold_after is not None and len(rest) > self.hold_after and not self.release.is_set():
                h.wfile.write(rest[:self.hold_after])
                h.wfile.flush()
                self.held.set()
                self.release.wait(60)
                rest = rest[self.hold_after:]
            h.wfile.write(rest)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a cancelled download)
