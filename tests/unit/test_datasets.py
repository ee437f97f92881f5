"""The dataset preflight service: per-line errors with line numbers, both formats,
Llama-2 [INST] prompts, duplicates, a deterministic split, limits and the token pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.errors import InvalidInput, NotFound, PayloadTooLarge
from aqua_ext.services.datasets import (
    raise_for_line_errors,
    resolve_dataset_path,
    row_key,
    scan_jsonl,
    split_rows,
    token_stats,
    tokenizer_folder,
    validate_jsonl,
)
from tests.model_folders import needs_local_extra


def write(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def pc(i: int, **extra: Any) -> dict[str, Any]:
    return {"prompt": f"Question {i}?", "completion": f"Answer {i}.", **extra}


def chat(i: int, *, system: bool = False) -> dict[str, Any]:
    messages = [{"role": "system", "content": "Be brief."}] if system else []
    messages += [{"role": "user", "content": f"Hi {i}"}, {"role": "assistant", "content": f"Hello {i}"}]
    return {"messages": messages}


def errors_by_line(report: Any) -> dict[int, str]:
    return {e.line: e.message for e in report.errors}


def test_instruction_rows_counts_and_categories(tmp_path: Path) -> None:
    f = write(tmp_path / "d.jsonl", [pc(1, category="math"), pc(2, category="math"), pc(3, category="art"), pc(4)])
    report = validate_jsonl(f, validation_split=0.0)
    assert report.format == "instruction"
    assert (report.rows, report.valid_rows, report.errors_total, report.duplicates) == (4, 4, 0, 0)
    assert report.categories == {"math": 2, "art": 1}
    assert (report.train_rows, report.validation_rows) == (4, 0)
    assert report.size_bytes == f.stat().st_size
    assert report.tokens is None


def test_conversational_rows(tmp_path: Path) -> None:
    f = write(tmp_path / "c.jsonl", [chat(1, system=True), chat(2), chat(3)])
    report = validate_jsonl(f)
    assert report.format == "conversational" and report.valid_rows == 3 and report.errors == []


def test_per_line_errors_name_the_line(tmp_path: Path) -> None:
    f = write(
        tmp_path / "bad.jsonl",
        [
            pc(1),  # 1 ok
            '{"prompt": "a", "completion": "b"',  # 2 bad JSON
            {"prompt": "only"},  # 3 missing completion
            {"prompt": 3, "completion": "x"},  # 4 wrong type
            {"prompt": "  ", "completion": "x"},  # 5 empty prompt
            [1, 2],  # 6 not an object
            {"text": "x"},  # 7 neither format
            "",  # 8 blank: skipped, not an error
            {"prompt": "p", "completion": "c", "category": 5},  # 9 bad category
            {"prompt": "[INST] hi", "completion": "x"},  # 10 unclosed [INST]
            pc(11),  # 11 ok
        ],
    )
    report = validate_jsonl(f)
    errors = errors_by_line(report)
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 9, 10]
    assert errors[2].startswith("invalid JSON at column 34")
    assert 'missing key "completion"' in errors[3]
    assert '"prompt" must be a string, got number' in errors[4]
    assert '"prompt" is empty' in errors[5]
    assert "expected a JSON object, got array" in errors[6]
    assert "found keys: text" in errors[7]
    assert '"category" must be a string' in errors[9]
    assert "[/INST]" in errors[10]
    assert (report.rows, report.valid_rows, report.errors_total) == (10, 2, 8)
    assert any("blank line" in w for w in report.warnings)
    with pytest.raises(InvalidInput) as exc:
        raise_for_line_errors(report)
    assert exc.value.status == 400
    assert [f.field for f in exc.value.fields or []][:2] == ["line 2", "line 3"]


def test_conversation_rules(tmp_path: Path) -> None:
    f = write(
        tmp_path / "c.jsonl",
        [
            chat(1),
            {"messages": []},
            {"messages": "hi"},
            {"messages": [{"role": "bot", "content": "x"}, {"role": "assistant", "content": "y"}]},
            {"messages": [{"role": "user", "content": "x"}]},
            {"messages": [{"role": "user", "content": "x"}, {"role": "assistant"}]},
            {
                "messages": [
                    {"role": "user", "content": "x"},
                    {"role": "system", "content": "s"},
                    {"role": "assistant", "content": "y"},
                ]
            },
            {"messages": [{"role": "assistant", "content": "y"}]},
            {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": ["y"]}]},
        ],
    )
    errors = errors_by_line(validate_jsonl(f))
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert '"messages" is empty' in errors[2]
    assert "must be an array" in errors[3]
    assert "role must be system, user or assistant" in errors[4] and "messages[0]" in errors[4]
    assert "end with an assistant turn" in errors[5]
    assert 'missing key "content"' in errors[6]
    assert "system message may only come first" in errors[7]
    assert "no user turn" in errors[8]
    assert '"content" must be a string' in errors[9]


def test_mixed_formats_flag_the_differing_line(tmp_path: Path) -> None:
    f = write(tmp_path / "m.jsonl", ["{bad", pc(2), pc(3), chat(4), pc(5)])
    report = validate_jsonl(f)
    errors = errors_by_line(report)
    assert sorted(errors) == [1, 4]
    assert "conversational row in an instruction dataset (line 2 set the format)" in errors[4]
    assert report.format == "instruction"


def test_explicit_kind(tmp_path: Path) -> None:
    f = write(tmp_path / "k.jsonl", [pc(1), chat(2)])
    report = validate_jsonl(f, kind="conversational")
    assert report.format == "conversational"
    assert errors_by_line(report) == {1: "a instruction row, but the dataset kind is conversational"}


def test_llama2_inst_prompts_are_instruction_rows(tmp_path: Path) -> None:
    f = write(
        tmp_path / "l.jsonl",
        [
            {"prompt": "<s>[INST] <<SYS>>\nBe kind.\n<</SYS>>\n\nWhat is 2+2? [/INST]", "completion": "4 </s>"},
            {"prompt": "[INST] Name a color. [/INST]", "completion": "Blue"},
            pc(3),
        ],
    )
    report = validate_jsonl(f)
    assert report.format == "instruction" and report.valid_rows == 3 and report.errors == []
    assert any("2 prompts use Llama-2 [INST]" in w for w in report.warnings)


def test_duplicates_after_whitespace_normalization(tmp_path: Path) -> None:
    f = write(
        tmp_path / "d.jsonl",
        [
            pc(1),
            {"prompt": "Question  1?\n", "completion": " Answer 1."},
            pc(2),
            pc(1, category="x"),
            chat(9),
        ],
    )
    report = validate_jsonl(f)
    assert report.duplicates == 2 and report.errors_total == 1  # the chat row is the mixed-format error
    assert any("2 duplicate rows" in w for w in report.warnings)


def test_split_is_deterministic_and_near_the_fraction(tmp_path: Path) -> None:
    f = write(tmp_path / "s.jsonl", [pc(i) for i in range(2000)])
    a = validate_jsonl(f, validation_split=0.2)
    b = validate_jsonl(f, validation_split=0.2)
    assert (a.train_rows, a.validation_rows) == (b.train_rows, b.validation_rows)
    assert a.train_rows + a.validation_rows == 2000
    assert a.validation_rows == 400  # distinct rows: the share exactly
    # Row order does not matter: the split follows the rows, not their positions.
    g = write(tmp_path / "r.jsonl", [pc(i) for i in reversed(range(2000))])
    assert validate_jsonl(g, validation_split=0.2).validation_rows == a.validation_rows
    none = validate_jsonl(f, validation_split=0.0)
    assert (none.train_rows, none.validation_rows) == (2000, 0)


def test_tiny_dataset_warns_about_an_empty_split(tmp_path: Path) -> None:
    f = write(tmp_path / "t.jsonl", [pc(1)])
    report = validate_jsonl(f, validation_split=0.01)
    assert report.validation_rows == 0 and any("validation split is empty" in w for w in report.warnings)
    # One row is never held out, whatever the share: a job needs a training row.
    assert validate_jsonl(f, validation_split=0.9).train_rows == 1


def mixed(i: int) -> dict[str, Any]:
    """Rows in Korean, Japanese and English."""
    return [
        {"prompt": f"질문 {i}: 서울의 인구는?", "completion": f"답변 {i}"},
        {"prompt": f"質問 {i}: 東京の人口は?", "completion": f"回答 {i}"},
        pc(i),
    ][i % 3]


@pytest.mark.parametrize(("share", "held"), [(0.1, 6), (0.2, 12), (0.25, 16), (0.5, 31)])
def test_62_rows_split_to_the_share_rounded_to_the_nearest_row(tmp_path: Path, share: float, held: int) -> None:
    # 62 × 10% = 6.2 → 6 rows, 20% = 12.4 → 12, 25% = 15.5 → 16 (halves up): within one row of the share.
    rows = [mixed(i) for i in range(62)]
    report = validate_jsonl(write(tmp_path / "62.jsonl", rows), validation_split=share)
    assert (report.train_rows, report.validation_rows) == (62 - held, held)
    scan = scan_jsonl(write(tmp_path / "62.jsonl", rows), validation_split=0.0, keep_rows=True)
    train, validation = split_rows(scan.rows, share)
    # The job holds out what the preflight said, the same rows each time and whatever the file order.
    assert len(validation) == held and len(train) == 62 - held
    assert split_rows(scan.rows, share) == (train, validation)
    assert {row_key(r) for r in split_rows(list(reversed(scan.rows)), share)[1]} == {row_key(r) for r in validation}
    assert [r.line for r in train] == sorted(r.line for r in train)  # file order kept


@pytest.mark.parametrize("share", [0.1, 0.2, 0.3])
def test_duplicates_stay_on_one_side_and_the_share_holds_within_a_row(tmp_path: Path, share: float) -> None:
    # 62 rows, 38 distinct: Korean and Japanese rows repeated 2 to 4 times, some differing only in whitespace.
    rows: list[Any] = []
    for i in range(38):
        row = mixed(i)
        copies = 1 + (i % 4 if i < 16 else 0)
        for c in range(copies):
            rows.append({**row, "prompt": row["prompt"] + "  " * c})  # the same text once whitespace is normalized
    rows = rows[:62] + [mixed(100 + i) for i in range(62 - len(rows))]
    assert len(rows) == 62
    scan = scan_jsonl(write(tmp_path / "dup.jsonl", rows), validation_split=share, keep_rows=True)
    assert scan.report.duplicates > 10
    train, validation = split_rows(scan.rows, share)
    assert abs(len(validation) - share * 62) <= 1 and len(train) + len(validation) == 62
    assert not {row_key(r) for r in train} & {row_key(r) for r in validation}  # no duplicate straddles
    assert scan.report.validation_rows == len(validation)


def test_repeated_rows_larger_than_the_share_are_kept_for_training(tmp_path: Path) -> None:
    # One row 20 times and 42 distinct ones: at 10% the 20 copies cannot be held out, smaller rows are.
    rows = [mixed(0)] * 20 + [mixed(i) for i in range(1, 43)]
    scan = scan_jsonl(write(tmp_path / "big.jsonl", rows), validation_split=0.1, keep_rows=True)
    train, validation = split_rows(scan.rows, 0.1)
    assert len(validation) == 6 and sum(r.prompt == mixed(0)["prompt"] for r in train) == 20


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "e.jsonl"
    f.write_bytes(content)
    with pytest.raises(InvalidInput) as exc:
        validate_jsonl(f)
    assert "empty" in exc.value.message and exc.value.fields and exc.value.fields[0].field == "path"


def test_binary_file_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "b.jsonl"
    f.write_bytes(json.dumps(pc(1)).encode() + b"\n\n" + b"\x00\x00\x00\x01ABCD\n")
    with pytest.raises(InvalidInput) as exc:
        validate_jsonl(f)
    assert exc.value.status == 400 and "NUL byte on line 3" in exc.value.message
    png = tmp_path / "p.jsonl"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InvalidInput) as exc:
        validate_jsonl(png)
    assert "line 1" in exc.value.message


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "u.jsonl"
    f.write_bytes(json.dumps(pc(1)).encode() + b'\n{"prompt": "caf\xe9", "completion": "x"}\n')
    with pytest.raises(InvalidInput) as exc:
        validate_jsonl(f)
    assert "invalid byte on line 2" in exc.value.message


def test_utf8_bom_and_non_ascii_are_fine(tmp_path: Path) -> None:
    f = tmp_path / "bom.jsonl"
    f.write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"prompt": "café ☕", "completion": "ok"}, ensure_ascii=False).encode() + b"\n"
    )
    assert validate_jsonl(f).valid_rows == 1


def test_over_the_size_limit_is_413(tmp_path: Path) -> None:
    f = write(tmp_path / "big.jsonl", [pc(i) for i in range(100)])
    with pytest.raises(PayloadTooLarge) as exc:
        validate_jsonl(f, max_bytes=1000)
    assert exc.value.status == 413 and "1,000-byte limit" in exc.value.message
    assert validate_jsonl(f, max_bytes=f.stat().st_size).valid_rows == 100


def test_errors_are_capped_but_counted(tmp_path: Path) -> None:
    f = write(tmp_path / "many.jsonl", ["{"] * 250)
    report = validate_jsonl(f)
    assert len(report.errors) == 100 and report.errors_total == 250 and report.valid_rows == 0
    assert report.errors[-1].line == 100


def test_ten_thousand_rows(tmp_path: Path) -> None:
    f = write(tmp_path / "10k.jsonl", [pc(i, category=f"c{i % 7}") for i in range(10_000)])
    scan = scan_jsonl(f, keep_rows=True)
    report = scan.report
    assert report.rows == report.valid_rows == len(scan.rows) == 10_000
    assert report.duplicates == 0 and sum(report.categories.values()) == 10_000 and len(report.categories) == 7
    assert report.train_rows + report.validation_rows == 10_000 and 850 < report.validation_rows < 1150
    assert scan.rows[-1].line == 10_000


# ---- paths ----------------------------------------------------------------------------


def test_resolve_dataset_path(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    f = write(root / "data" / "d.jsonl", [pc(1)])
    outside = write(tmp_path / "secret.jsonl", [pc(1)])
    assert resolve_dataset_path("data/d.jsonl", root) == (f.resolve(), "data/d.jsonl")
    assert resolve_dataset_path(str(f), root)[1] == "data/d.jsonl"
    for bad in (str(outside), "../secret.jsonl", "data/../../secret.jsonl"):
        with pytest.raises(InvalidInput) as exc:
            resolve_dataset_path(bad, root)
        assert exc.value.fields and exc.value.fields[0].field == "path" and "outside" in exc.value.message
    (root / "link.jsonl").symlink_to(outside)
    with pytest.raises(InvalidInput):
        resolve_dataset_path("link.jsonl", root)
    # Outside the root, existence is not revealed: same 400 whether or not the file exists.
    with pytest.raises(InvalidInput):
        resolve_dataset_path(str(tmp_path / "nope.jsonl"), root)
    with pytest.raises(NotFound):
        resolve_dataset_path("data/nope.jsonl", root)
    with pytest.raises(InvalidInput) as exc:
        resolve_dataset_path("data", root)
    assert "folder" in exc.value.message


def test_tokenizer_folder(tmp_path: Path) -> None:
    assert tokenizer_folder(None) is None
    assert tokenizer_folder("oci://bucket@ns/model") is None
    assert tokenizer_folder(str(tmp_path / "missing")) is None
    assert tokenizer_folder(str(tmp_path)) is None
    (tmp_path / "tokenizer.json").write_text("{}")
    assert tokenizer_folder(str(tmp_path)) == tmp_path


# ---- token pass -------------------------------------------------------------------------


@needs_local_extra
def test_token_stats_with_the_demo_model(tmp_path: Path, demo_model_dir: Path) -> None:
    long = "word " * 400
    f = write(
        tmp_path / "t.jsonl",
        [pc(1), {"prompt": long, "completion": "ok"}, pc(3), {"prompt": "[INST] hi [/INST]", "completion": "yo"}],
    )
    scan = scan_jsonl(f, keep_rows=True)
    stats = token_stats(scan.rows, demo_model_dir, 64, model_id="demo:tiny-llama")
    assert stats is not None
    assert stats.template == "chat_template" and stats.model_id == "demo:tiny-llama"
    assert stats.over_limit == 1 and stats.over_limit_lines == [2]
    assert stats.min <= stats.p50 <= stats.p95 <= stats.max and stats.max > 64
    assert stats.min < stats.mean < stats.max

    c = write(tmp_path / "c.jsonl", [chat(1, system=True), chat(2)])
    scan = scan_jsonl(c, keep_rows=True)
    stats = token_stats(scan.rows, demo_model_dir, 2048)
    assert stats is not None and stats.over_limit == 0 and stats.template == "chat_template"
    assert token_stats([], demo_model_dir, 2048) is None
