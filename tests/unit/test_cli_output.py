"""The CLI's tables in a terminal: Korean and Japanese names take two columns a character, a
combining mark none, and the columns after them still line up; the evaluations list says what was
asked (a deployment or a connection)."""

from __future__ import annotations

from datetime import datetime, timezone

from aqua_ext.api.evaluations import EvaluationSummary
from aqua_ext.api.finetunes import FineTuneState
from aqua_ext.cli.evaluations import _evaluation_rows
from aqua_ext.cli.output import clip, display_width, table


def test_display_width_counts_wide_and_combining_characters() -> None:
    assert display_width("Qwen chat") == 9
    assert display_width("사내 GPT") == 8  # two Hangul syllables (2 each), a space, three letters
    assert display_width("日本語モデル") == 12
    assert display_width("ＡＢ") == 4  # fullwidth Latin
    assert display_width("e\u0301") == 1  # e + combining acute accent: one column
    assert display_width("ｶﾀｶﾅ") == 4  # halfwidth katakana: one column each


def test_columns_line_up_after_korean_and_japanese_names() -> None:
    rows = [
        ["dep-1", "사내 GPT 서비스", "ACTIVE"],
        ["dep-2", "日本語チャット", "FAILED"],
        ["dep-3", "plain", "INACTIVE"],
        ["dep-4", "Café\u0301", "ACTIVE"],
    ]
    lines = table(rows, ["ID", "NAME", "STATE"]).splitlines()
    # The STATE column starts at the same display column on every line (the header's included).
    starts = set()
    for line, state in zip(lines[:1] + lines[2:], ["STATE", "ACTIVE", "FAILED", "INACTIVE", "ACTIVE"], strict=True):
        before = line[: line.index(state)]
        starts.add(display_width(before))
    assert len(starts) == 1
    # The widest name (사내 GPT 서비스: 15 columns) sets the NAME column: 2 spaces of gap after it.
    assert starts == {len("dep-1") + 2 + 15 + 2}
    # The rule under the header is as wide as each column's widest cell, in columns.
    assert lines[1].split() == ["-----", "-" * 15, "-" * 8]


def test_clip_cuts_by_display_width() -> None:
    assert clip("日本語のとても長いデータセット名", 10) == "日本語の…"
    assert display_width(clip("한국어 평가 데이터셋 이름이 깁니다", 12)) <= 12
    assert clip("short", 10) == "short"


def _summary(name: str, asked: str, connection_id: str | None) -> EvaluationSummary:
    at = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    return EvaluationSummary(
        id=f"evj-{name[:2]}",
        name=name,
        description="",
        deployment_id="" if connection_id else "dep-1",
        deployment_name=asked,
        model_id="m",
        model_name="m",
        state=FineTuneState.SUCCEEDED,
        state_message="",
        metrics=["rouge"],
        dataset_path="qa.jsonl",
        dataset_hash="0" * 64,
        rows_total=3,
        rows_done=3,
        progress=1.0,
        eta_seconds=None,
        scores={},
        created_at=at,
        updated_at=at,
        finished_at=at,
        connection_id=connection_id,
    )


def test_evaluations_list_says_what_was_asked() -> None:
    items = [
        _summary("튜닝 평가", "사내 Qwen", None),
        _summary("ホスト評価", "社内 GPT サービス", "conn-1"),
    ]
    lines = _evaluation_rows(items, several_targets=False).splitlines()
    assert lines[0].split()[:4] == ["ID", "NAME", "ASKS", "STATE"]
    assert "사내 Qwen (deployment)" in lines[2]
    assert "社内 GPT サービス (connection)" in lines[3]
    # Both rows' STATE starts where the header's does.
    column = display_width(lines[0][: lines[0].index("STATE")])
    assert {display_width(line[: line.index("SUCCEEDED")]) for line in lines[2:]} == {column}
