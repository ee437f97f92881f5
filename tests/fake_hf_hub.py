"""A tiny stand-in for the Hugging Face hub, for tests that must not touch the network.

It serves just what huggingface_hub 2.x asks for in `HfApi.model_info`
(files_metadata=True), `snapshot_download` (tree listing, then HEAD + GET per
file) and `get_hf_file_metadata`:

    GET  /api/models/{org}/{name}[/revision/{rev}]
    GET  /api/models/{org}/{name}/tree/{rev}[/{path}]
    HEAD /{org}/{name}/resolve/{rev}/{path}
    GET  /{org}/{name}/resolve/{rev}/{path}

Errors carry the X-Error-Code / X-Error-Message headers huggingface_hub maps
to its exception classes (RepoNotFound, RevisionNotFound, GatedRepo,
EntryNotFound, invalid credentials).

Use it as a context manager and point HF_ENDPOINT at `hub.url`:

    with FakeHub() as hub:
        hub.add_repo(FakeRepo("org/tiny", {"config.json": b"{}", "model.safetensors": data}))
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


@dataclass
class FakeRepo:
    repo_id: str
    files: dict[str, bytes]
    sha: str = ""
    author: str | None = None
    license: str | None = "apache-2.0"
    pipeline_tag: str | None = "text-generation"
    # Gated: file downloads need one of `valid_tokens`; model_info answers
    # anyway (as the real hub does) unless `gated_info_too` is set.
    gated: bool = False
    gated_info_too: bool = False
    valid_tokens: set[str] = field(default_factory=set)
    # Seconds to sleep between 1 KB chunks of these files, to catch a download mid-way.
    slow_files: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.sha:
            self.sha = hashlib.sha1(self.repo_id.encode()).hexdigest()
        if self.author is None:
            self.author = self.repo_id.split("/", 1)[0]

    def etag(self, path: str) -> str:
        return hashlib.sha256(self.files[path]).hexdigest()


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, authorization)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval so shutdown() (which waits for one poll) does not slow every test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-hf-hub", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_repo(self, repo: FakeRepo) -> FakeRepo:
        self.repos[repo.repo_id] = repo
        return repo

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
            pass

        # -- helpers -------------------------------------------------------

        def _send(
            self,
            status: int,
            body: bytes = b"",
            headers: dict[str, str] | None = None,
            content_type: str = "application/json",
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD" and body:
                self.wfile.write(body)

        def _json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(payload).encode(), headers)

        def _error(self, status: int, code: str | None, message: str) -> None:
            headers = {"X-Error-Message": message}
            if code:
                headers["X-Error-Code"] = code
            self._json(status, {"error": message}, headers)

        def _token(self) -> str | None:
            auth = self.headers.get("Authorization") or ""
            return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None

        def _check_token(self, repo: FakeRepo, *, files: bool) -> bool:
            """False (after answering) when the request must be refused."""
            token = self._token()
            known = set().union(*(r.valid_tokens for r in hub.repos.values())) if hub.repos else set()
            if token is not None and token not in known:
                self._error(401, None, "Invalid credentials in Authorization header")
                return False
            if repo.gated and (files or repo.gated_info_too) and token not in repo.valid_tokens:
                status = 403 if token else 401
                self._error(status, "GatedRepo", f"Access to model {repo.repo_id} is restricted.")
                return False
            return True

        def _repo(self, repo_id: str) -> FakeRepo | None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                self._error(404, "RepoNotFound", "Repository not found")
            return repo

        def _revision_ok(self, repo: FakeRepo, revision: str) -> bool:
            if revision in ("main", repo.sha):
                return True
            self._error(404, "RevisionNotFound", "Invalid rev id: " + revision)
            return False

        # -- routes --------------------------------------------------------

        def do_HEAD(self) -> None:
            self._route()

        def do_GET(self) -> None:
            self._route()

        def _route(self) -> None:
            path = urlsplit(self.path).path
            hub.requests.append((self.command, path, self.headers.get("Authorization")))
            parts = [unquote(p) for p in path.strip("/").split("/")]
            try:
                if parts[:2] == ["api", "models"] and len(parts) >= 4:
                    self._api(parts[2] + "/" + parts[3], parts[4:])
                elif len(parts) >= 5 and parts[2] == "resolve":
                    self._resolve(parts[0] + "/" + parts[1], parts[3], "/".join(parts[4:]))
                else:
                    self._error(404, None, "Not found")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client went away (a cancelled download): nothing to answer

        def _api(self, repo_id: str, rest: list[str]) -> None:
            repo = self._repo(repo_id)
            if repo is None or not self._check_token(repo, files=False):
                return
            if not rest or rest[0] == "revision":
                revision = rest[1] if len(rest) > 1 else "main"
                if self._revision_ok(repo, revision):
                    self._json(200, _model_info(repo))
            elif rest[0] == "tree" and len(rest) >= 2:
                if self._revision_ok(repo, rest[1]):
                    prefix = "/".join(rest[2:])
                    entries = [
                        {"type": "file", "path": name, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
                        for name, data in sorted(repo.files.items())
                        if not prefix or name.startswith(prefix + "/")
                    ]
                    self._json(200, entries)
            else:
                self._error(404, None, "Not found")

        def _resolve(self, repo_id: str, revision: str, file: str) -> None:
            repo = self._repo(repo_id)
            if repo is None or not self._check_token(repo, files=True) or not self._revision_ok(repo, revision):
                return
            if file not in repo.files:
                self._error(404, "EntryNotFound", f"{file} does not exist")
                return
            data = repo.files[file]
            start = 0
            range_header = self.headers.get("Range")
            if range_header and range_header.startswith("bytes=") and self.command == "GET":
                start = int(range_header[len("bytes=") :].split("-", 1)[0] or 0)
            status = 206 if start else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", f'"{repo.etag(file)}"')
            self.send_header("X-Repo-Commit", repo.sha)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if self.command == "HEAD":
                return
            delay = repo.slow_files.get(file)
            if not delay:
                self.wfile.write(data[start:])
                return
            for offset in range(start, len(data), 1024):
                self.wfile.write(data[offset : offset + 1024])
                self.wfile.flush()
                time.sleep(delay)

    return Handler


def _model_info(repo: FakeRepo) -> dict[str, object]:
    return {
        "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],
        "id": repo.repo_id,
        "modelId": repo.repo_id,
        "author": repo.author,
        "sha": repo.sha,
        "private": False,
        "gated": "manual" if repo.gated else False,
        "disabled": False,
        "pipeline_tag": repo.pipeline_tag,
        "tags": ["transformers", "safetensors"] + ([f"license:{repo.license}"] if repo.license else []),
        "cardData": {"license": repo.license} if repo.license else None,
        "siblings": [
            {"rfilename": name, "size": len(data), "blobId": hashlib.sha1(data).hexdigest()}
            for name, data in sorted(repo.files.items())
        ],
        "lastModified": "2026-01-01T00:00:00.000Z",
        "createdAt": "2026-01-01T00:00:00.000Z",
    }
