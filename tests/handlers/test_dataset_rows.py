"""POST aqua-ext/datasets/rows through a real Jupyter server: a playground turn saved as a row of a
JSONL dataset in Korean and Japanese, new file then appended; duplicates and train/evaluation
leakage as warnings that stop the save until allowed; the file left intact by every refusal
(NUL bytes, a path outside the root, a link out of it, a non-UTF-8 file, a format mismatch)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.services.datasets import validate_jsonl

KO = {"prompt": "서울의 인구는 얼마인가요?", "completion": "약 940만 명입니다."}
JA = {"prompt": "東京の人口は？", "completion": "約1400万人です。"}


def rows_of(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def save(api: Any, path: str, **body: Any) -> tuple[int, Any]:
    return await api("datasets/rows", method="POST", body={"path": path, **body})


async def test_a_turn_becomes_a_row_of_a_new_file_then_is_appended(api: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "data").mkdir()
    status, saved = await save(api, "data/train.jsonl", format="instruction", **KO, category="지리")
    assert status == 200, saved
    assert saved["saved"] and saved["created"] and saved["line"] == 1 and saved["rows"] == 1
    assert saved["path"] == "data/train.jsonl" and saved["warnings"] == []
    status, saved = await save(api, "data/train.jsonl", format="instruction", **JA)
    assert status == 200 and saved["saved"] and not saved["created"] and saved["line"] == 2 and saved["rows"] == 2
    path = jp_root_dir / "data" / "train.jsonl"
    assert rows_of(path) == [{**KO, "category": "지리"}, JA]
    assert "서울" in path.read_text(encoding="utf-8")  # written as UTF-8 text, not \\u escapes
    # What fine-tuning and evaluation read: the preflight accepts it.
    report = validate_jsonl(path)
    assert report.valid_rows == 2 and report.errors_total == 0 and report.format == "instruction"


async def test_a_conversation_row_and_a_file_without_its_last_newline(api: Any, jp_root_dir: Path) -> None:
    path = jp_root_dir / "chat.jsonl"
    first = {"messages": [{"role": "user", "content": "こんにちは"}, {"role": "assistant", "content": "はい"}]}
    path.write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")  # no final newline
    messages = [
        {"role": "system", "content": "한국어로 답하세요."},
        {"role": "user", "content": "안녕?"},
        {"role": "assistant", "content": "안녕하세요!"},
    ]
    status, saved = await save(api, "chat.jsonl", format="conversational", messages=messages)
    assert status == 200 and saved["saved"] and saved["line"] == 2, saved
    assert rows_of(path) == [first, {"messages": messages}]


async def test_a_duplicate_is_a_warning_until_allowed(api: Any, jp_root_dir: Path) -> None:
    path = jp_root_dir / "train.jsonl"
    path.write_text(json.dumps(KO, ensure_ascii=False) + "\n", encoding="utf-8")
    before = path.read_bytes()
    spaced = {"prompt": "서울의  인구는 얼마인가요? ", "completion": KO["completion"]}  # the same after normalizing
    status, held = await save(api, "train.jsonl", format="instruction", **spaced)
    assert status == 200 and held["saved"] is False and held["line"] is None and held["rows"] == 1
    assert [(w["kind"], w["path"], w["line"]) for w in held["warnings"]] == [("duplicate", "train.jsonl", 1)]
    assert path.read_bytes() == before
    status, saved = await save(api, "train.jsonl", format="instruction", **spaced, allow_duplicate=True)
    assert status == 200 and saved["saved"] and saved["line"] == 2
    assert len(rows_of(path)) == 2


async def test_the_same_prompt_in_another_dataset_of_the_project_is_leakage(api: Any, jp_root_dir: Path) -> None:
    project = jp_root_dir / "프로젝트"
    (project / "eval").mkdir(parents=True)
    (project / ".ipynb_checkpoints").mkdir()
    conversation = {"messages": [{"role": "user", "content": JA["prompt"]}, {"role": "assistant", "content": "別"}]}
    (project / "eval" / "test.jsonl").write_text(json.dumps(KO, ensure_ascii=False) + "\n", encoding="utf-8")
    (project / "eval" / "chat.jsonl").write_text(
        json.dumps({"messages": [{"role": "user", "content": "다른 질문"}, {"role": "assistant", "content": "네"}]})
        + "\n"
        + json.dumps(conversation, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    # A checkpoint copy is not a dataset of the project; an unreadable file is skipped, not fatal.
    (project / ".ipynb_checkpoints" / "train-checkpoint.jsonl").write_text(json.dumps(KO) + "\n")
    (project / "broken.jsonl").write_bytes(b"\xff\xfe not utf-8\n")

    other_answer = {"prompt": KO["prompt"], "completion": "다른 답"}
    status, held = await save(api, "프로젝트/train.jsonl", format="instruction", **other_answer)
    assert status == 200 and held["saved"] is False, held
    [warning] = held["warnings"]
    assert warning["kind"] == "leakage" and warning["path"] == "프로젝트/eval/test.jsonl" and warning["line"] == 1
    assert "프로젝트/eval/test.jsonl" in warning["message"]
    assert held["checked_files"] == 2 and held["checked_all"] is False  # broken.jsonl could not be read
    assert not (project / "train.jsonl").exists()  # nothing half-created

    # The Japanese prompt as an instruction row matches the one-turn conversation there.
    status, held = await save(api, "프로젝트/train.jsonl", format="instruction", **JA)
    assert [(w["path"], w["line"]) for w in held["warnings"]] == [("프로젝트/eval/chat.jsonl", 2)]
    status, saved = await save(api, "프로젝트/train.jsonl", format="instruction", **JA, allow_leakage=True)
    assert (
        status == 200 and saved["saved"] and saved["created"] and [w["kind"] for w in saved["warnings"]] == ["leakage"]
    )
    assert rows_of(project / "train.jsonl") == [JA]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"path": "t.jsonl", "format": "instruction", "prompt": "안\x00녕", "completion": "x"}, "prompt"),
        ({"path": "t.jsonl", "format": "instruction", "prompt": "질문", "completion": "答\x00え"}, "completion"),
        (
            {
                "path": "t.jsonl",
                "format": "conversational",
                "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b\x00"}],
            },
            "messages[1].content",
        ),
        ({"path": "t.jsonl", "format": "instruction", "prompt": "질문", "completion": "  "}, "completion"),
        ({"path": "t.jsonl", "format": "instruction", "prompt": "질문"}, "completion"),
        (
            {"path": "t.jsonl", "format": "conversational", "messages": [{"role": "user", "content": "質問"}]},
            "messages",
        ),
        ({"path": "../outside.jsonl", "format": "instruction", **KO}, "path"),
        ({"path": "/etc/aqua.jsonl", "format": "instruction", **KO}, "path"),
        ({"path": "nope/t.jsonl", "format": "instruction", **KO}, "path"),
        ({"path": "notes.txt", "format": "instruction", **KO}, "path"),
        ({"path": "t\x00.jsonl", "format": "instruction", **KO}, "path"),
        ({"path": "t.jsonl", "format": "table", **KO}, "format"),
    ],
)
async def test_bad_input_names_the_field(api: Any, jp_root_dir: Path, body: dict[str, Any], field: str) -> None:
    status, error = await api("datasets/rows", method="POST", body=body)
    assert status == 400, error
    assert error["fields"][0]["field"] == field, error
    assert sorted(p.name for p in jp_root_dir.iterdir()) == []


async def test_files_that_cannot_take_the_row_are_left_as_they_are(api: Any, jp_root_dir: Path, tmp_path: Path) -> None:
    latin1 = jp_root_dir / "latin1.jsonl"
    latin1.write_bytes(json.dumps({"prompt": "caf\xe9", "completion": "x"}).encode() + b"\n" + b'{"prompt": "\xe9"}\n')
    binary = jp_root_dir / "binary.jsonl"
    binary.write_bytes(b'{"prompt": "a", "completion": "b"}\n\x00\x01\n')
    chat = jp_root_dir / "chat.jsonl"
    chat.write_text(json.dumps({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}))
    outside = tmp_path / "outside.jsonl"
    outside.write_text(json.dumps(KO) + "\n")
    (jp_root_dir / "link.jsonl").symlink_to(outside)
    files = {p: p.read_bytes() for p in (latin1, binary, chat, outside)}

    for path, field, text in [
        ("latin1.jsonl", "path", "not UTF-8"),
        ("binary.jsonl", "path", "NUL byte"),
        ("chat.jsonl", "format", "conversational rows"),
        ("link.jsonl", "path", "outside the Jupyter root"),
    ]:
        status, error = await save(api, path, format="instruction", **JA)
        assert status == 400 and error["fields"][0]["field"] == field and text in error["message"], (path, error)
    assert {p: p.read_bytes() for p in files} == files


async def test_a_link_inside_the_root_is_followed(api: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "real").mkdir()
    (jp_root_dir / "real" / "data.jsonl").write_text(json.dumps(KO, ensure_ascii=False) + "\n", encoding="utf-8")
    (jp_root_dir / "alias.jsonl").symlink_to(jp_root_dir / "real" / "data.jsonl")
    status, saved = await save(api, "alias.jsonl", format="instruction", **JA)
    assert status == 200 and saved["saved"] and saved["path"] == "real/data.jsonl" and saved["line"] == 2
    assert rows_of(jp_root_dir / "real" / "data.jsonl") == [KO, JA]


async def test_a_full_disk_leaves_the_file_as_it_was(
    api: Any, jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = jp_root_dir / "train.jsonl"
    path.write_text(json.dumps(KO, ensure_ascii=False) + "\n", encoding="utf-8")
    before = path.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if len(data) > 8:
            real_write(fd, data[:8])  # part of the row reaches the file, then the disk is full
            return 8
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    status, error = await save(api, "train.jsonl", format="instruction", **JA)
    monkeypatch.undo()
    assert status == 507 and "disk is full" in error["message"], error
    assert path.read_bytes() == before
    status, error = await save(api, "new.jsonl", format="instruction", **JA)
    assert status == 200  # the disk has room again; nothing of the failed save lingers
    assert rows_of(path) == [KO]
