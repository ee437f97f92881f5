"""POST aqua-ext/datasets/validate through a real Jupyter server: files inside the
Jupyter root only (symlinks included), 404 for a missing file, 413 over the limit,
and the token pass with the demo model's own tokenizer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.model_folders import needs_local_extra

DEMO = "demo:tiny-llama"
MAX_BYTES = 20_000


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    config = json.loads(json.dumps(jp_server_config))
    config["ServerApp"]["tornado_settings"] = {"aqua_dataset_max_bytes": MAX_BYTES}
    return config


def write(path: Path, rows: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def pc(i: int, **extra: Any) -> dict[str, Any]:
    return {"prompt": f"Question {i}?", "completion": f"Answer {i}.", **extra}


async def test_validate_a_file_in_the_root(api: Any, jp_root_dir: Path) -> None:
    write(jp_root_dir / "data" / "bad.jsonl", [pc(1, category="a"), "{oops", pc(1), {"prompt": "x"}, pc(4)])
    status, err = await api("datasets/validate", method="POST", body={"path": "data/bad.jsonl"})
    assert status == 400, err
    assert [f["field"] for f in err["fields"]] == ["line 2", "line 4"]
    assert err["fields"][0]["message"].startswith("invalid JSON at column 2")
    assert "2 invalid lines" in err["message"]

    write(jp_root_dir / "data" / "train.jsonl", [pc(1, category="a"), pc(2), pc(1), pc(4)])
    status, report = await api("datasets/validate", method="POST", body={"path": "data/train.jsonl"})
    assert status == 200, report
    assert report["path"] == "data/train.jsonl" and report["format"] == "instruction"
    assert (report["rows"], report["valid_rows"], report["errors_total"], report["duplicates"]) == (4, 4, 0, 1)
    assert report["train_rows"] + report["validation_rows"] == 4
    assert report["categories"] == {"a": 1} and report["tokens"] is None

    # An absolute path inside the root is the same file.
    status, again = await api(
        "datasets/validate",
        method="POST",
        body={"path": str(jp_root_dir / "data" / "train.jsonl"), "validation_split": 0.5},
    )
    assert status == 200 and again["path"] == "data/train.jsonl"


async def test_paths_outside_the_root_are_refused(api: Any, jp_root_dir: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.jsonl", [pc(1)])
    (jp_root_dir / "escape.jsonl").symlink_to(outside)
    for path in (str(outside), "../outside/secret.jsonl", "escape.jsonl"):
        status, body = await api("datasets/validate", method="POST", body={"path": path})
        assert status == 400, (path, body)
        assert body["fields"] == [{"field": "path", "message": body["fields"][0]["message"]}]
        assert "outside the Jupyter root" in body["message"]
        assert str(outside) not in body["message"] or path == str(outside)


async def test_missing_file_empty_binary_and_too_large(api: Any, jp_root_dir: Path) -> None:
    status, body = await api("datasets/validate", method="POST", body={"path": "nope.jsonl"})
    assert status == 404 and body["reason"] == "Not Found"

    (jp_root_dir / "empty.jsonl").write_bytes(b"")
    status, body = await api("datasets/validate", method="POST", body={"path": "empty.jsonl"})
    assert status == 400 and "empty" in body["message"]

    (jp_root_dir / "bin.jsonl").write_bytes(json.dumps(pc(1)).encode() + b"\n\x00\x01\x02")
    status, body = await api("datasets/validate", method="POST", body={"path": "bin.jsonl"})
    assert status == 400 and "line 2" in body["message"]

    write(jp_root_dir / "big.jsonl", [pc(i) for i in range(2000)])
    status, body = await api("datasets/validate", method="POST", body={"path": "big.jsonl"})
    assert status == 413 and body["reason"] == "Payload Too Large"


async def test_request_validation(api: Any, jp_root_dir: Path) -> None:
    write(jp_root_dir / "d.jsonl", [pc(1)])
    status, body = await api(
        "datasets/validate",
        method="POST",
        body={"path": "d.jsonl", "max_seq_length": 8, "validation_split": 0.9, "kind": "x"},
    )
    assert status == 400
    assert {f["field"] for f in body["fields"]} == {"max_seq_length", "validation_split", "kind"}
    status, body = await api("datasets/validate", method="POST", body={"path": "d.jsonl", "model_id": "nope"})
    assert status == 404


@needs_local_extra
async def test_token_pass_with_the_demo_model(api: Any, jp_root_dir: Path, demo_ready: Path) -> None:
    long = "tokens " * 200
    write(jp_root_dir / "t.jsonl", [pc(1), {"prompt": long, "completion": "ok"}, pc(3)])
    write(
        jp_root_dir / "c.jsonl",
        [{"messages": [{"role": "user", "content": long}, {"role": "assistant", "content": "fine"}]}],
    )
    status, report = await api(
        "datasets/validate", method="POST", body={"path": "t.jsonl", "model_id": DEMO, "max_seq_length": 64}
    )
    assert status == 200, report
    tokens = report["tokens"]
    assert tokens["model_id"] == DEMO and tokens["max_seq_length"] == 64 and tokens["template"] == "chat_template"
    assert tokens["over_limit"] == 1 and tokens["over_limit_lines"] == [2]
    assert tokens["max"] > 64 and tokens["min"] <= tokens["p50"] <= tokens["p95"] <= tokens["max"]

    status, report = await api(
        "datasets/validate", method="POST", body={"path": "c.jsonl", "model_id": DEMO, "max_seq_length": 64}
    )
    assert status == 200 and report["format"] == "conversational" and report["tokens"]["over_limit"] == 1


async def test_token_pass_needs_a_local_tokenizer(api: Any, jp_root_dir: Path) -> None:
    # The demo model is not generated in this server (generate_demo_model is off): no artifact.
    write(jp_root_dir / "d.jsonl", [pc(1)])
    status, body = await api("datasets/validate", method="POST", body={"path": "d.jsonl", "model_id": DEMO})
    assert status == 400, body
    assert body["fields"][0]["field"] == "model_id" and "tokenizer not available locally" in body["message"]
