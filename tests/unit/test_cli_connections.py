"""`aqua-ext connections …` and `aqua-ext chat CONNECTION_ID`: the real CLI, the real connections
service and store, against a tiny OpenAI-compatible stub (tests/stub_upstream.py). The secret goes
in by environment variable or stdin only and comes out of no command's output; the test request's
outcome and exit code; ODA YAML import and export (a file with secrets is readable by its owner
alone); a chat turn streamed from a connection."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from aqua_ext.cli import main
from aqua_ext.cli.entry import build_parser
from tests.provider_stubs.cohere import CohereStub
from tests.stub_upstream import StubConfig, StubUpstream

# HTTP headers carry ASCII: a key is ASCII (the names, prompts and headers shown are not).
SECRET = "sk-test-7f3a9c0d1e2b4a5f6c7d8e9f0a1b"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "oda_llm_services.yaml"


@pytest.fixture
def stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=3)) as upstream:
        yield upstream


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUB_KEY", SECRET)
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), "--backend", "local", *argv])
    out, err = capsys.readouterr()
    assert SECRET not in out + err, "a command printed the secret"
    return code, out, err


def create(capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream, *flags: str) -> str:
    code, out, err = run(
        capsys,
        data,
        "connections",
        "create",
        "스텁 サービス",
        "--kind",
        "openai",
        "--endpoint",
        stub.url + "/v1",
        "--auth-type",
        "bearer",
        "--secret-env",
        "STUB_KEY",
        "--model",
        "stub-model",
        "--json",
        *flags,
    )
    assert code == 0, err
    detail = json.loads(out)
    assert detail["secret_set"] is True and "secret" not in detail
    return str(detail["id"])


def files_holding(root: Path, text: str) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes())


# ---- create, list, get, delete -------------------------------------------------------------


def test_create_takes_the_secret_from_the_environment_and_shows_only_that_it_is_set(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream
) -> None:
    conn = create(
        capsys, data, stub, "--header", "X-Team=korea team", "--header", "X-Empty=", "--default-model", "stub-model"
    )
    code, out, _ = run(capsys, data, "connections", "get", conn)
    assert code == 0
    assert (
        "스텁 サービス" in out and "secret        set" in out and "headers       X-Team: korea team; X-Empty: " in out
    )
    assert "streaming     yes" in out and "evaluate" in out
    code, out, _ = run(capsys, data, "connections", "list")
    assert code == 0 and conn in out and "set" in out and "1 connections" in out
    code, out, _ = run(capsys, data, "connections", "get", conn, "--json")
    assert json.loads(out)["headers"] == {"X-Team": "korea team", "X-Empty": ""}
    # The secret store is the one file that holds it.
    assert files_holding(data, SECRET) == ["secrets/connections.json"]

    code, out, _ = run(capsys, data, "connections", "delete", conn)
    assert code == 0 and f"deleted {conn}" in out
    code, out, _ = run(capsys, data, "connections", "list", "--json")
    assert code == 0 and json.loads(out) == []
    assert files_holding(data, SECRET) == []
    code, _, err = run(capsys, data, "connections", "get", conn)
    assert code == 1 and "not found" in err


def test_create_reads_the_secret_from_stdin(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    code, out, err = run(
        capsys,
        data,
        "connections",
        "create",
        "from stdin",
        "--kind",
        "openai",
        "--endpoint",
        stub.url + "/v1",
        "--auth-type",
        "bearer",
        "--secret-stdin",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["secret_set"] is True
    conn = json.loads(out)["id"]
    code, out, err = run(capsys, data, "connections", "test", conn, "--prompt", "안녕?")
    assert code == 0, err
    assert stub.stats.authorizations[-1] == f"Bearer {SECRET}"  # the secret read is the one sent


def test_a_secret_is_never_a_plain_argument(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--secret", "--secret=" + SECRET, "--secr"):
        with pytest.raises(SystemExit) as exited:
            build_parser().parse_args(
                ["connections", "create", "n", "--kind", "openai", "--endpoint", "x", flag, SECRET]
            )
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert SECRET not in err and ("never an argument" in err or "ambiguous" in err)
    with pytest.raises(SystemExit):
        build_parser().parse_args(
            ["connections", "create", "n", "--kind", "openai", "--endpoint", "x", "--secret-env", "A", "--secret-stdin"]
        )
    capsys.readouterr()


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--secret-env", "NO_SUCH_VARIABLE_SET"], "secret_env"),
        (["--header", "no equals sign"], "headers"),
        (["--endpoint", "ftp://example.com/v1"], "endpoint"),
        (["--endpoint", "http://169.254.169.254/v1"], "endpoint"),
        (["--header", "Authorization=Bearer x"], "headers"),
        (["--timeout", "0"], "timeout_s"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream, flags: list[str], field: str
) -> None:
    argv = ["connections", "create", "bad", "--kind", "openai", "--endpoint", stub.url + "/v1"]
    code, _, err = run(capsys, data, *argv, *flags)
    assert code == 2 and f"{field}" in err, err
    code, out, _ = run(capsys, data, "connections", "list", "--json")
    assert json.loads(out) == []  # nothing half-created


# ---- test --------------------------------------------------------------------------------


def test_test_prints_status_latency_and_answer(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream
) -> None:
    conn = create(capsys, data, stub)
    code, out, err = run(capsys, data, "connections", "test", conn, "--prompt", "日本語で答えて")
    assert code == 0, err
    assert "status 200 in " in out and "answer: tok0 tok1 tok2" in out
    code, out, _ = run(capsys, data, "connections", "test", conn, "--prompt", "hi", "--json")
    result = json.loads(out)
    assert code == 0 and result["ok"] is True and result["latency_ms"] > 0
    code, out, _ = run(capsys, data, "connections", "list")
    assert "ok 200" in out  # the last test is kept with the connection


def test_a_refused_test_exits_1_with_the_mapped_error(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream, tmp_path: Path
) -> None:
    conn = create(capsys, data, stub)
    payload = {
        "model": "stub-model",
        "messages": [{"role": "user", "content": "hi"}],
        "stub": {"mode": "error", "error_status": 401, "error_message": "Incorrect API key provided"},
    }
    (tmp_path / "payload.json").write_text(json.dumps(payload), encoding="utf-8")
    code, out, err = run(capsys, data, "connections", "test", conn, "--payload", "@payload.json")
    assert code == 1
    assert "status 401" in out
    assert "bad_credentials" in err and "Incorrect API key provided" in err
    code, out, _ = run(capsys, data, "connections", "test", conn, "--payload", "@payload.json", "--json")
    assert code == 1 and json.loads(out)["error_kind"] == "bad_credentials"
    code, _, err = run(capsys, data, "connections", "test", conn, "--payload", "{not json")
    assert code == 2 and "payload" in err


def test_a_cohere_connection_is_tested_in_its_dialect_and_its_quota_error_is_explained(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    with CohereStub(key=SECRET, models=["command-r-plus"]) as stub:
        code, out, err = run(
            capsys, data, "connections", "create", "Cohere 日本", "--kind", "cohere", "--endpoint", stub.url,
            "--auth-type", "bearer", "--secret-env", "STUB_KEY", "--model", "command-r-plus", "--json",
        )  # fmt: skip
        assert code == 0, err
        conn = json.loads(out)["id"]
        code, out, err = run(capsys, data, "connections", "test", conn, "--prompt", "東京の天気は？")
        assert code == 0, err
        assert "answer: Echo: 東京の天気は？" in out
        stub.fail(429, "You are past your rate limit", times=2)  # the client retries a 429 once
        code, out, err = run(capsys, data, "connections", "test", conn, "--prompt", "again")
        assert code == 1 and "status 429" in out
        assert "quota" in err and "You are past your rate limit" in err
        code, out, err = run(capsys, data, "chat", conn, "서울은 어때요?")
        assert code == 0, err
        assert out == "Echo: 서울은 어때요?\n"


def test_an_unreachable_service_fails_the_test(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream
) -> None:
    conn = create(capsys, data, stub)
    stub.stop()
    code, out, err = run(capsys, data, "connections", "test", conn, "--prompt", "hi")
    assert code == 1 and "no answer" in out and "could not be reached" in err


# ---- chat ------------------------------------------------------------------------------------


def test_chat_with_a_connection_streams_its_answer(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream
) -> None:
    conn = create(capsys, data, stub)
    code, out, err = run(capsys, data, "chat", conn, "한국어로 인사해 주세요", "--max-tokens", "4")
    assert code == 0, err
    assert out == "tok0 tok1 tok2 tok3\n" and "TTFT" in err and "usage: prompt 5, completion 4" in err
    code, out, _ = run(capsys, data, "chat", conn, "こんにちは", "--max-tokens", "2", "--model", "gpt-4o", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["connection_id"] == conn and stats["content"] == "tok0 tok1"


def test_chat_model_flag_is_for_connections(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, _, err = run(capsys, data, "chat", "dep-123", "hi", "--model", "x")
    assert code == 2 and "model" in err


def test_chat_with_an_unknown_connection(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, _, err = run(capsys, data, "chat", "conn-0000", "hi")
    assert code == 1 and "conn-0000" in err


# ---- import / export -----------------------------------------------------------------------


def test_import_the_oda_file_and_export_it_without_secrets(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, data, "connections", "import", str(FIXTURE))
    assert code == 0, err
    assert "imported 3 connections" in out
    assert all(name in out for name in ("genAI_cohere", "genAI_cohere_light", "genAI_llama"))
    code, out, _ = run(capsys, data, "connections", "export")
    assert code == 0 and out.startswith("exportedRestServices:")
    code, out, _ = run(capsys, data, "connections", "list", "--json")
    ids = {c["name"]: c["id"] for c in json.loads(out)}
    code, out, _ = run(capsys, data, "connections", "export", ids["genAI_llama"], ids["genAI_cohere"])
    assert code == 0 and "genAI_llama" in out and "genAI_cohere" in out and "genAI_cohere_light" not in out
    code, _, err = run(capsys, data, "connections", "export", "-o", "services.yaml")
    assert code == 0 and (tmp_path / "services.yaml").read_text(encoding="utf-8").startswith("exportedRestServices:")
    # What was exported imports back (into another data folder: names are unique in one).
    code, out, err = run(capsys, tmp_path / "other", "connections", "import", "services.yaml", "--json")
    assert code == 0, err
    assert sorted(c["name"] for c in json.loads(out)["created"]) == [
        "genAI_cohere",
        "genAI_cohere_light",
        "genAI_llama",
    ]
    code, _, err = run(capsys, data, "connections", "import", "services.yaml")
    assert code == 1 and "name" in err
    code, _, err = run(capsys, data, "connections", "export", "-o", "services.yaml")
    assert code == 2 and "--force" in err


def test_export_with_secrets_writes_a_file_only_its_owner_reads(
    capsys: pytest.CaptureFixture[str], data: Path, stub: StubUpstream, tmp_path: Path
) -> None:
    conn = create(capsys, data, stub)
    code, out, _ = run(capsys, data, "connections", "export", conn)
    assert code == 0 and "스텁 サービス" in out
    target = tmp_path / "with-secrets.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    code, out, err = run(capsys, data, "connections", "export", "--include-secrets", "-o", str(target), "--force")
    assert code == 0, err
    assert "readable by you only" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert SECRET in target.read_text(encoding="utf-8")
    fresh = tmp_path / "fresh.yaml"
    code, _, _ = run(capsys, data, "connections", "export", "--include-secrets", "-o", str(fresh))
    assert code == 0 and stat.S_IMODE(fresh.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("exportedRestServices: [{name: x, endpoint: 'https://a.example/v1', authType: magic}]", "authType"),
        ("exportedRestServices: [\n  - {name: x\n", "YAML"),
    ],
)
def test_import_of_a_bad_file_exits_2_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path, content: str, expected: str
) -> None:
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    code, _, err = run(capsys, data, "connections", "import", "bad.yaml")
    assert code == 2 and expected.lower() in err.lower(), err
    code, _, err = run(capsys, data, "connections", "import", "missing.yaml")
    assert code == 2 and "file" in err
    code, out, _ = run(capsys, data, "connections", "list", "--json")
    assert json.loads(out) == []
