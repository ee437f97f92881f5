"""The notebook client's choice of server, from a fake Jupyter runtime directory: the server that
started the kernel, else the one whose root holds the working directory, else the one where
aqua-ext answers; clear errors when none or several fit; `url=`/`token=` override; importing it
stays light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aqua_ext import client


@pytest.fixture
def live_pids() -> Iterator[list[int]]:
    """Pids of processes that are alive for the test (runtime files of dead servers are skipped)."""
    sleepers = [subprocess.Popen(["sleep", "120"]) for _ in range(3)]
    try:
        yield [p.pid for p in sleepers]
    finally:
        for p in sleepers:
            p.kill()
            p.wait()


@pytest.fixture
def runtime(tmp_path: Path) -> Path:
    path = tmp_path / "runtime"
    path.mkdir()
    return path


def write_server(runtime: Path, pid: int, root: Path, port: int, token: str = "tok", **extra: Any) -> None:
    info = {
        "url": f"http://localhost:{port}/base/",
        "hostname": "localhost",
        "port": port,
        "sock": "",
        "secure": False,
        "base_url": "/base/",
        "token": token,
        "root_dir": str(root),
        "password": False,
        "pid": pid,
        "version": "2.17.0",
        **extra,
    }
    (runtime / f"jpserver-{pid}.json").write_text(json.dumps(info))


def never(_: client.Server) -> bool:
    return False


def test_no_server_running_says_so_and_how_to_override(runtime: Path) -> None:
    with pytest.raises(client.ServerNotFound, match=r"No running Jupyter server found.*url= and token="):
        client.find_server(runtime_dir=str(runtime), probe=never)


def test_a_dead_server_file_is_not_a_server(runtime: Path, tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    write_server(runtime, dead.pid, tmp_path, 8888)
    with pytest.raises(client.ServerNotFound, match="No running"):
        client.find_server(runtime_dir=str(runtime), probe=never)


def test_the_only_server_is_chosen_with_its_token(runtime: Path, tmp_path: Path, live_pids: list[int]) -> None:
    write_server(runtime, live_pids[0], tmp_path / "elsewhere", 8888, token="비밀-トークン")
    server = client.find_server(runtime_dir=str(runtime), cwd=tmp_path, probe=never)
    assert server == client.Server(
        "http://localhost:8888/base/", "비밀-トークン", str(tmp_path / "elsewhere"), live_pids[0]
    )


def test_the_server_whose_root_holds_the_kernel_cwd_wins(runtime: Path, tmp_path: Path, live_pids: list[int]) -> None:
    notebooks = tmp_path / "프로젝ト" / "노트북"
    notebooks.mkdir(parents=True)
    write_server(runtime, live_pids[0], tmp_path / "other", 8001)
    write_server(runtime, live_pids[1], tmp_path, 8002)  # holds it too, less closely
    write_server(runtime, live_pids[2], tmp_path / "프로젝ト", 8003)
    server = client.find_server(runtime_dir=str(runtime), cwd=notebooks, probe=never)
    assert server.url == "http://localhost:8003/base/"


def test_the_server_that_started_the_kernel_wins(
    runtime: Path, tmp_path: Path, live_pids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_server(runtime, live_pids[0], tmp_path, 8001)
    write_server(runtime, live_pids[1], tmp_path, 8002)
    monkeypatch.setattr(os, "getppid", lambda: live_pids[1])
    assert client.find_server(runtime_dir=str(runtime), cwd=tmp_path, probe=never).url.endswith(":8002/base/")


def test_of_equal_servers_the_one_where_aqua_ext_answers_wins(
    runtime: Path, tmp_path: Path, live_pids: list[int]
) -> None:
    write_server(runtime, live_pids[0], tmp_path, 8001)
    write_server(runtime, live_pids[1], tmp_path, 8002)
    server = client.find_server(runtime_dir=str(runtime), cwd=tmp_path, probe=lambda s: s.url.endswith(":8002/base/"))
    assert server.url.endswith(":8002/base/")


def test_several_servers_none_matching_lists_them(runtime: Path, tmp_path: Path, live_pids: list[int]) -> None:
    write_server(runtime, live_pids[0], tmp_path / "a", 8001)
    write_server(runtime, live_pids[1], tmp_path / "b", 8002)
    with pytest.raises(client.ServerNotFound) as refused:
        client.find_server(runtime_dir=str(runtime), cwd=tmp_path / "c", probe=never)
    message = str(refused.value)
    assert "2 Jupyter servers" in message and ":8001/base/" in message and ":8002/base/" in message
    assert "url=" in message


def test_explicit_url_and_token_win(runtime: Path, tmp_path: Path, live_pids: list[int]) -> None:
    write_server(runtime, live_pids[0], tmp_path, 8001, token="from-file")
    assert client.find_server("http://h:9/x", "mine", runtime_dir=str(runtime)) == client.Server(
        "http://h:9/x/", "mine"
    )
    # A url alone takes the token of the running server at that address.
    assert client.find_server("http://localhost:8001/base/", runtime_dir=str(runtime)).token == "from-file"
    # A token alone keeps the chosen server.
    assert client.find_server(token="other", runtime_dir=str(runtime), cwd=tmp_path, probe=never).token == "other"


def test_a_server_without_token_asks_for_one(runtime: Path, tmp_path: Path, live_pids: list[int]) -> None:
    write_server(runtime, live_pids[0], tmp_path, 8001, token="", password=True)
    with pytest.raises(client.ServerNotFound, match=r"no token.*token="):
        client.find_server(runtime_dir=str(runtime), cwd=tmp_path, probe=never)


def test_a_socket_server_is_skipped(runtime: Path, tmp_path: Path, live_pids: list[int]) -> None:
    write_server(runtime, live_pids[0], tmp_path, 0, url="http+unix://%2Ftmp%2Fjp.sock/", sock="/tmp/jp.sock")
    write_server(runtime, live_pids[1], tmp_path / "b", 8002)
    assert client.find_server(runtime_dir=str(runtime), cwd=tmp_path, probe=never).url.endswith(":8002/base/")


def test_an_unknown_id_lists_what_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    server = client.Server("http://localhost:1/", "t")
    monkeypatch.setattr(client, "find_server", lambda url=None, token=None: server)
    listed = {
        "deployments": {"items": [{"id": "dep-1", "name": "한국어 채팅", "state": "ACTIVE"}], "total": 1},
        "connections": {"connections": [{"id": "conn-1", "name": "日本語"}]},
    }
    monkeypatch.setattr(client.Server, "get", lambda self, path: listed[path])
    with pytest.raises(client.UnknownResource, match=r"No deployment 'dep-x'.*dep-1 \(한국어 채팅, ACTIVE\)"):
        client.base_url("dep-x")
    with pytest.raises(client.UnknownResource, match=r"No connection 'conn-x'.*conn-1 \(日本語\)"):
        client.base_url("conn-x")
    assert client.base_url("dep-1")[0] == "http://localhost:1/aqua-ext/deployments/dep-1/v1"
    assert client.base_url("conn-1")[0] == "http://localhost:1/aqua-ext/connections/conn-1/v1"


def test_openai_missing_is_a_clear_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)  # `import openai` now raises ImportError
    with pytest.raises(ImportError, match="needs the `openai` package"):
        client.openai_client("dep-1", url="http://localhost:1/", token="t")


def test_importing_the_client_loads_no_server_and_no_torch() -> None:
    code = (
        "import sys; from aqua_ext import client; "
        "heavy = [m for m in ('tornado', 'torch', 'jupyter_server', 'aqua_ext.app', 'aqua_ext.handlers', "
        "'aqua_ext.services', 'openai') if m in sys.modules]; print(heavy)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_server_without_aqua_ext_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    monkeypatch.setattr(httpx, "get", lambda url, **kwargs: httpx.Response(404, request=httpx.Request("GET", url)))
    with pytest.raises(client.ServerNotFound, match="does not serve aqua-ext"):
        client.Server("http://localhost:1/", "t").get("deployments")
