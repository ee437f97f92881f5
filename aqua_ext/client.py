"""Reach this JupyterLab's deployments and connections from a notebook in it.

    from aqua_ext import client

    oai = client.openai_client("dep-…")          # or a connection's id, "conn-…"
    oai.chat.completions.create(model="any", messages=[{"role": "user", "content": "안녕하세요"}])
    client.deployments(), client.connections()     # what there is, as the REST API lists it

A kernel does not get `JUPYTER_TOKEN`, so the server and its token are read from the runtime
files Jupyter servers write (`jupyter_server.serverapp.list_running_servers`). With several
servers running, the one that started this kernel is chosen, else the one whose root holds the
kernel's working directory, else the one where aqua-ext answers; `url=` and `token=` override.

This module is light on purpose: importing it loads neither the server, nor tornado, nor torch
(a test proves it); `openai` is needed only by `openai_client`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

if TYPE_CHECKING:
    from openai import OpenAI

CONNECTION_PREFIX = "conn-"  # api.connections.CONNECTION_ID_PREFIX; that module pulls in pydantic
PROBE_TIMEOUT_S = 3.0


class ServerNotFound(RuntimeError):
    """No running Jupyter server could be chosen (none, or several and none matches)."""


class UnknownResource(LookupError):
    """The deployment or connection is not on the server; the message lists what is."""


@dataclass(frozen=True)
class Server:
    url: str  # with the base URL and a trailing slash: http://localhost:8888/lab-base/
    token: str
    root_dir: str = ""
    pid: int | None = None

    def get(self, path: str) -> Any:
        """GET aqua-ext/<path> with the token; the JSON body."""
        response = httpx.get(
            self.url + "aqua-ext/" + path,
            headers={"Authorization": f"token {self.token}"},
            timeout=PROBE_TIMEOUT_S * 10,
        )
        if response.status_code in (401, 403):
            raise PermissionError(f"{self.url} refused the token (HTTP {response.status_code}); pass token=")
        if response.status_code == 404 and path in ("deployments", "connections"):
            raise ServerNotFound(
                f"The Jupyter server at {self.url} does not serve aqua-ext (is the extension enabled?)"
            )
        response.raise_for_status()
        return response.json()


def _running(runtime_dir: str | None) -> list[dict[str, Any]]:
    # Imported here so that `import aqua_ext.client` stays light; the function is what reads the
    # jpserver-<pid>.json files and skips the ones whose process is gone.
    from jupyter_server.serverapp import list_running_servers

    return list(list_running_servers(runtime_dir))


def _server_of(info: dict[str, Any]) -> Server:
    url = str(info.get("url") or "")
    if not url.startswith(("http://", "https://")):
        raise ServerNotFound(
            f"The Jupyter server (pid {info.get('pid')}) listens on a Unix socket ({info.get('sock')}); "
            "pass url= and token="
        )
    return Server(
        url=url if url.endswith("/") else url + "/",
        token=str(info.get("token") or ""),
        root_dir=str(info.get("root_dir") or info.get("notebook_dir") or ""),
        pid=info.get("pid"),
    )


def _within(root: str, cwd: Path) -> bool:
    return bool(root) and cwd.is_relative_to(Path(root).resolve())


def _answers_aqua(server: Server) -> bool:
    try:
        response = httpx.get(
            server.url + "aqua-ext/info",
            headers={"Authorization": f"token {server.token}"},
            timeout=PROBE_TIMEOUT_S,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _one(candidates: list[Server], *tests: Callable[[list[Server]], list[Server]]) -> Server | None:
    """Narrow the candidates with each test in turn; the first test that leaves exactly one wins."""
    for test in tests:
        if len(candidates) == 1:
            return candidates[0]
        narrowed = test(candidates)
        if narrowed:
            candidates = narrowed
    return candidates[0] if len(candidates) == 1 else None


def find_server(
    url: str | None = None,
    token: str | None = None,
    *,
    runtime_dir: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    probe: Callable[[Server], bool] = _answers_aqua,
) -> Server:
    """The Jupyter server this kernel belongs to, with its token.

    `url` (and `token`) name it outright; a `url` without a token takes the token of the running
    server at that address, else `JUPYTER_TOKEN`."""
    if url is not None:
        base = url if url.endswith("/") else url + "/"
        if token is None:
            same = [s for s in _servers(runtime_dir) if s.url == base]
            token = same[0].token if same else os.environ.get("JUPYTER_TOKEN", "")
        return Server(url=base, token=token)
    servers = _servers(runtime_dir)
    if not servers:
        raise ServerNotFound(
            "No running Jupyter server found (no jpserver-*.json in Jupyter's runtime directory, "
            f"{runtime_dir or _runtime_dir()}); pass url= and token="
        )
    here = Path(cwd or os.getcwd()).resolve()
    parent = os.getppid()
    chosen = _one(
        servers,
        lambda c: [s for s in c if s.pid == parent],  # the server that started this kernel
        lambda c: _deepest([s for s in c if _within(s.root_dir, here)]),
        lambda c: [s for s in c if probe(s)],
    )
    if chosen is None:
        listed = "; ".join(f"{s.url} (root {s.root_dir or '?'}, pid {s.pid})" for s in servers)
        raise ServerNotFound(
            f"{len(servers)} Jupyter servers are running and none is this kernel's, holds {here} "
            f"or alone answers aqua-ext: {listed}. Pass url= (and token=)"
        )
    if token is not None:
        return Server(url=chosen.url, token=token, root_dir=chosen.root_dir, pid=chosen.pid)
    if not chosen.token:
        raise ServerNotFound(f"The Jupyter server at {chosen.url} has no token (a password login?); pass token=")
    return chosen


def _servers(runtime_dir: str | None) -> list[Server]:
    servers = []
    for info in _running(runtime_dir):
        try:
            servers.append(_server_of(info))
        except ServerNotFound:
            continue  # a socket server is never chosen by itself; url= can still name one
    return servers


def _deepest(servers: list[Server]) -> list[Server]:
    """Of servers whose roots hold the working directory, those with the most specific root."""
    if not servers:
        return []
    depth = max(len(Path(s.root_dir).resolve().parts) for s in servers)
    return [s for s in servers if len(Path(s.root_dir).resolve().parts) == depth]


def _runtime_dir() -> str:
    from jupyter_core.paths import jupyter_runtime_dir

    return jupyter_runtime_dir()


def deployments(url: str | None = None, token: str | None = None) -> list[dict[str, Any]]:
    """The deployments of this lab's server, as `GET aqua-ext/deployments` lists them."""
    return list(find_server(url, token).get("deployments")["items"])


def connections(url: str | None = None, token: str | None = None) -> list[dict[str, Any]]:
    """The connections (hosted LLM services) of this lab's server."""
    return list(find_server(url, token).get("connections")["connections"])


def _describe(items: Iterable[dict[str, Any]]) -> str:
    shown = [f"{i['id']} ({i.get('name', '')}{', ' + i['state'] if i.get('state') else ''})" for i in items]
    return ", ".join(shown) or "none"


def base_url(resource_id: str, url: str | None = None, token: str | None = None) -> tuple[str, Server]:
    """The OpenAI base URL of a deployment or connection (`conn-…`) through this lab's server,
    after checking that the server has it."""
    server = find_server(url, token)
    kind = "connections" if resource_id.startswith(CONNECTION_PREFIX) else "deployments"
    listed = server.get(kind)
    items = listed["connections"] if kind == "connections" else listed["items"]
    if not any(item["id"] == resource_id for item in items):
        raise UnknownResource(f"No {kind[:-1]} {resource_id!r} on {server.url}. Its {kind}: {_describe(items)}")
    return f"{server.url}aqua-ext/{kind}/{quote(resource_id, safe='')}/v1", server


def openai_client(resource_id: str, *, url: str | None = None, token: str | None = None, **kwargs: Any) -> OpenAI:
    """An `openai.OpenAI` client for a deployment (`dep-…`, an OCI OCID) or a connection
    (`conn-…`), through this lab's OpenAI pass-through with the Jupyter token as its key.
    Other keyword arguments go to `OpenAI(...)`."""
    try:
        from openai import OpenAI
    except ImportError as exc:
        raise ImportError("aqua_ext.client.openai_client needs the `openai` package: %pip install openai") from exc
    endpoint, server = base_url(resource_id, url, token)
    return OpenAI(base_url=endpoint, api_key=server.token, **kwargs)
