"""The preflight's token pass runs in a child process: its counts are transformers' own (the judge
here is AutoTokenizer, loaded in this test process) for English, Korean and Japanese rows, and the
process that runs the preflight never imports transformers or torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.errors import InvalidInput
from aqua_ext.services.datasets import scan_jsonl
from aqua_ext.services.token_worker import TokenWorker
from tests.model_folders import needs_local_extra

ROWS: list[dict[str, Any]] = [
    {"prompt": "What is the capital of France?", "completion": "Paris."},
    {"prompt": "서울은 어느 나라의 수도입니까?", "completion": "서울은 대한민국의 수도입니다."},
    {"prompt": "日本の首都はどこですか?", "completion": "東京です。人口は約千四百万人です。"},
    {"prompt": "[INST] 한국어로 인사해 주세요 [/INST]", "completion": "안녕하세요!"},
    {"prompt": "富士山の高さは? " * 12, "completion": "三千七百七十六メートルです。"},
]
CHATS: list[dict[str, Any]] = [
    {
        "messages": [
            {"role": "system", "content": "You answer briefly."},
            {"role": "user", "content": "Name a prime number."},
            {"role": "assistant", "content": "Seven."},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "김치는 무엇으로 만듭니까?"},
            {"role": "assistant", "content": "배추와 고춧가루로 만듭니다."},
            {"role": "user", "content": "얼마나 오래 발효합니까?"},
            {"role": "assistant", "content": "며칠에서 몇 주까지입니다."},
        ]
    },
    {
        "messages": [
            {"role": "system", "content": "丁寧に答えてください。"},
            {"role": "user", "content": "桜はいつ咲きますか?"},
            {"role": "assistant", "content": "東京では三月の終わりから四月の初めです。"},
        ]
    },
]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def judged_lengths(model_dir: Path, rows: list[dict[str, Any]]) -> list[int]:
    """What transformers counts for each row, the way the fine-tuning job formats it: the chat
    template (tokenized by apply_chat_template itself), or a Llama-2 [INST] prompt as written."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    lengths = []
    for row in rows:
        if "prompt" in row and "[INST]" in row["prompt"]:
            lengths.append(len(tokenizer(row["prompt"] + row["completion"])["input_ids"]))
            continue
        messages = row.get("messages") or [
            {"role": "user", "content": row["prompt"]},
            {"role": "assistant", "content": row["completion"]},
        ]
        encoded = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)
        lengths.append(len(encoded["input_ids"]))
    return lengths


@needs_local_extra
@pytest.mark.parametrize("rows", [ROWS, CHATS], ids=["instruction", "conversational"])
async def test_the_child_counts_what_transformers_counts(
    tmp_path: Path, demo_model_dir: Path, rows: list[dict[str, Any]]
) -> None:
    expected = judged_lengths(demo_model_dir, rows)
    limit = sorted(expected)[len(expected) // 2]  # some rows over, some not
    scan = scan_jsonl(write(tmp_path / "d.jsonl", rows), keep_rows=True)
    worker = TokenWorker()
    try:
        stats = await worker.token_stats(scan.rows, demo_model_dir, limit, model_id="demo:tiny-llama")
    finally:
        worker.shutdown()
    assert stats is not None
    assert (stats.min, stats.max) == (min(expected), max(expected))
    assert stats.mean == round(sum(expected) / len(expected), 2)
    assert stats.over_limit_lines == [i + 1 for i, n in enumerate(expected) if n > limit]
    assert stats.template == "chat_template" and stats.model_id == "demo:tiny-llama"


@needs_local_extra
async def test_a_refusal_in_the_child_comes_back_as_the_same_400(tmp_path: Path, demo_model_dir: Path) -> None:
    # A copy of the demo tokenizer without its chat template (nor chat_template.jinja) cannot count
    # conversational rows.
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (plain / name).write_bytes((demo_model_dir / name).read_bytes())
    config = json.loads((plain / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (plain / "tokenizer_config.json").write_text(json.dumps(config))
    scan = scan_jsonl(write(tmp_path / "c.jsonl", CHATS), keep_rows=True)
    worker = TokenWorker()
    try:
        with pytest.raises(InvalidInput) as refused:
            await worker.token_stats(scan.rows, plain, 64)
    finally:
        worker.shutdown()
    assert refused.value.fields is not None and refused.value.fields[0].field == "model_id"


async def test_no_rows_start_no_child() -> None:
    worker = TokenWorker()
    assert await worker.token_stats([], Path("/nowhere"), 64) is None
    assert worker._pool is None


@needs_local_extra
def test_the_preflight_keeps_transformers_and_torch_out_of_the_server_process(
    tmp_path: Path, demo_model_dir: Path
) -> None:
    write(tmp_path / "d.jsonl", ROWS + ROWS[:2])
    script = textwrap.dedent(
        f"""
        import asyncio, json, sys
        from pathlib import Path
        from aqua_ext.api.job_datasets import DatasetAccess
        from aqua_ext.services.datasets import preflight_for_job
        from aqua_ext.services.token_worker import token_worker

        async def main():
            dataset = await preflight_for_job(
                DatasetAccess(root=Path({str(tmp_path)!r})), "d.jsonl", field_name="dataset",
                validation_split=0.1, max_seq_length=64, tokenizer_dir=Path({str(demo_model_dir)!r}),
                model_id="demo:tiny-llama",
            )
            token_worker.shutdown()
            return dataset.report.tokens

        tokens = asyncio.run(main())
        heavy = sorted(m for m in ("torch", "transformers", "tokenizers") if m in sys.modules)
        print(json.dumps({{"heavy": heavy, "max": tokens.max}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2]
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [] and result["max"] > 0
