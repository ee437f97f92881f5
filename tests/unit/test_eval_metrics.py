"""BERTScore as the evaluation computes it equals bert-score's own answer with the bundled
offline encoder; an empty answer scores 0; per-category summaries group the rows. ROUGE works in
Korean, Japanese and Chinese (by character; the expected values worked out by hand) and is
rouge-score's own in English; BERTScore and readability are None, with a note, where they mean
nothing (text not in a Latin script)."""

from __future__ import annotations

import json

import pytest

from aqua_ext.jobs import eval_metrics
from aqua_ext.jobs.eval_metrics import (
    ScoredRow,
    bertscore_model_path,
    by_category,
    metric_notes,
    score_rows,
    summarize,
)
from aqua_ext.jobs.eval_text import RougeTokenizer


def value(row: ScoredRow, name: str) -> float:
    score = row.scores[name]
    assert score is not None, f"{name} was not computed"
    return score


def test_bertscore_matches_the_library_and_empty_answers_score_zero() -> None:
    from bert_score import BERTScorer

    rows = [
        ScoredRow(prompt="p", reference="A cat sat on a mat.", output="The cat sat on the mat.", category="a"),
        ScoredRow(prompt="p", reference="Paris is the capital of France.", output="It is Paris.", category="a"),
        ScoredRow(prompt="p", reference="Seven.", output="   ", category="b"),
    ]
    score_rows(rows, ["bertscore", "exact_match"])
    direct = BERTScorer(model_type=bertscore_model_path(), num_layers=6, device="cpu")
    _, _, f1 = direct.score([r.output for r in rows[:2]], [r.reference for r in rows[:2]])
    assert [r.scores["bertscore"] for r in rows[:2]] == pytest.approx(f1.tolist(), abs=1e-6)
    assert value(rows[0], "bertscore") > value(rows[1], "bertscore") > 0.3
    assert rows[2].scores["bertscore"] == 0.0
    overall = summarize(rows, ["bertscore", "exact_match"])
    assert overall["bertscore"] == pytest.approx(sum(value(r, "bertscore") for r in rows) / 3)
    categories = by_category(rows, ["bertscore"])
    assert {k: v["rows"] for k, v in categories.items()} == {"a": 2, "b": 1}
    assert categories["b"]["scores"]["bertscore"] == 0.0


def test_unknown_metrics_are_refused() -> None:
    with pytest.raises(ValueError, match="perplexity"):
        score_rows([ScoredRow(prompt="p", reference="r", output="o")], ["perplexity"])


# ---- ROUGE in any script: CJK text by character, expected values worked out by hand ----------

ROUGE = ["rouge"]


def rouge_of(reference: str, output: str) -> dict[str, float]:
    row = ScoredRow(prompt="p", reference=reference, output=output)
    score_rows([row], ROUGE)
    return {k: value(row, k) for k in ("rouge1", "rouge2", "rougeL")}


def f_measure(overlap: int, predicted: int, referenced: int) -> float:
    precision, recall = overlap / predicted, overlap / referenced
    return 2 * precision * recall / (precision + recall) if overlap else 0.0


def test_cjk_text_is_tokenized_by_character_and_latin_words_as_rouge_score_does() -> None:
    tokenizer = RougeTokenizer()
    assert tokenizer.tokenize("서울은 한국의 수도입니다.") == [
        "서",
        "울",
        "은",
        "한",
        "국",
        "의",
        "수",
        "도",
        "입",
        "니",
        "다",
    ]
    assert tokenizer.tokenize("東京は日本の首都です。") == ["東", "京", "は", "日", "本", "の", "首", "都", "で", "す"]
    # Full-width Latin, common in Japanese text, is the word it stands for; English words are stemmed.
    assert tokenizer.tokenize("ＶＭを起動します") == ["vm", "を", "起", "動", "し", "ま", "す"]
    assert tokenizer.tokenize("The VMs are running models!") == [
        "the",
        "vms",
        "are",
        "run",
        "model",
    ]  # as rouge-score: 3 letters stay


def test_korean_rouge_by_hand() -> None:
    reference = "서울은 한국의 수도입니다"  # 서 울 은 한 국 의 수 도 입 니 다: 11 tokens, 10 bigrams
    # Near-perfect (one particle differs, 은 → 이): 10 of 11 tokens shared, P = R = 10/11.
    # Bigrams shared: 서울 한국 국의 의수 수도 도입 입니 니다 = 8 of 10 (울은 은한 vs 울이 이한), P = R = 8/10.
    # Longest common subsequence: every token but the particle, 10, P = R = 10/11.
    near = rouge_of(reference, "서울이 한국의 수도입니다")
    assert near["rouge1"] == pytest.approx(10 / 11)
    assert near["rouge2"] == pytest.approx(8 / 10)
    assert near["rougeL"] == pytest.approx(10 / 11)
    assert near["rouge1"] == pytest.approx(f_measure(10, 11, 11))
    assert rouge_of(reference, reference) == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}

    # Unrelated but for "VM": the reference vm 을 만 들 려 면 콘 솔 을 여 세 요 (12 tokens), the answer
    # vm 은 비 쌉 니 다 (6): one token shared, P = 1/6, R = 1/12, F = 2·(1/72)/(1/6 + 1/12) = 1/9;
    # no bigram shared; the LCS is "vm" alone, so ROUGE-L = ROUGE-1.
    unrelated = rouge_of("VM을 만들려면 콘솔을 여세요", "VM은 비쌉니다")
    assert unrelated["rouge1"] == pytest.approx(1 / 9)
    assert unrelated["rouge1"] == pytest.approx(f_measure(1, 6, 12))
    assert unrelated["rouge2"] == 0.0
    assert unrelated["rougeL"] == pytest.approx(1 / 9)
    assert near["rougeL"] > 0.9 > 0.2 > unrelated["rougeL"]
    # What rouge-score's own tokenizer said: both texts are just "vm", a perfect match.
    from rouge_score import rouge_scorer

    default = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True).score(
        "VM을 만들려면 콘솔을 여세요", "VM은 비쌉니다"
    )
    assert default["rouge1"].fmeasure == 1.0


def test_japanese_and_chinese_rouge_by_hand() -> None:
    # 東 京 は 日 本 の 首 都 で す vs 日 本 の 首 都 は 東 京 で す: the same 10 tokens, ROUGE-1 = 1.
    # Bigrams (9 each) shared: 東京 日本 本の の首 首都 です = 6, P = R = 6/9.
    # LCS: 日 本 の 首 都 で す = 7 (東京 and は come in another order), P = R = 7/10.
    reordered = rouge_of("東京は日本の首都です", "日本の首都は東京です")
    assert reordered == pytest.approx({"rouge1": 1.0, "rouge2": 6 / 9, "rougeL": 7 / 10})
    assert rouge_of("東京は日本の首都です", "東京は日本の首都です") == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}

    # vm を 起 動 し ま す (7) vs vm は 高 い で す (6, the answer in full-width ＶＭ): vm and す shared,
    # P = 2/6, R = 2/7, F = 2·(2/6)(2/7)/(2/6 + 2/7) = 4/13; no bigram shared; LCS vm…す = 2.
    unrelated = rouge_of("VMを起動します", "ＶＭは高いです")
    assert unrelated == pytest.approx({"rouge1": 4 / 13, "rouge2": 0.0, "rougeL": 4 / 13})
    assert unrelated["rouge1"] == pytest.approx(f_measure(2, 6, 7))

    # 北 京 是 中 国 的 首 都 (8) vs 北 京 是 中 国 首 都 (7): 7 shared, P = 1, R = 7/8, F = 14/15;
    # bigrams 7 vs 6, shared 北京 京是 是中 中国 首都 = 5, F = 2·(5/6)(5/7)/(5/6 + 5/7) = 10/13; LCS 7.
    chinese = rouge_of("北京是中国的首都", "北京是中国首都")
    assert chinese == pytest.approx({"rouge1": 14 / 15, "rouge2": 10 / 13, "rougeL": 14 / 15})


def test_english_rouge_is_what_rouge_score_says() -> None:
    from rouge_score import rouge_scorer

    default = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    pairs = [
        ("The cat sat on the mat.", "A cat was sitting on the mat!"),
        ("Paris is the capital of France.", "It is Paris, the French capital (since 987)."),
        ("Deploy the model with 2 GPUs", "deploying models needs two GPUs"),
    ]
    for reference, output in pairs:
        expected = default.score(reference, output)
        assert rouge_of(reference, output) == pytest.approx({k: expected[k].fmeasure for k in expected})


# ---- BERTScore and readability only where they mean something ---------------------------------


def test_bertscore_and_readability_are_none_for_rows_not_in_a_latin_script(monkeypatch: pytest.MonkeyPatch) -> None:
    import textstat

    sent: list[tuple[list[str], list[str]]] = []

    def fake_f1(outputs: list[str], references: list[str], *, batch_size: int = 32) -> list[float]:
        sent.append((list(outputs), list(references)))
        return [0.75] * len(outputs)

    monkeypatch.setattr(eval_metrics, "bertscore_f1", fake_f1)
    rows = [
        ScoredRow(prompt="p", reference="The cat sat on the mat.", output="A cat sat on a mat.", category="en"),
        ScoredRow(prompt="p", reference="서울은 한국의 수도입니다", output="서울이 한국의 수도입니다", category="ko"),
        ScoredRow(prompt="p", reference="東京は日本の首都です", output="VMは高いです", category="ja"),
        # An English answer to a Korean reference: across languages, not for an English encoder either.
        ScoredRow(
            prompt="p", reference="서울은 한국의 수도입니다", output="Seoul is the capital of Korea.", category="ko"
        ),
    ]
    score_rows(rows, ["bertscore", "readability", "rouge"])
    assert sent == [(["A cat sat on a mat."], ["The cat sat on the mat."])]  # the English row alone
    assert [r.scores["bertscore"] for r in rows] == [0.75, None, None, None]
    assert rows[0].scores["readability"] == pytest.approx(textstat.flesch_reading_ease("A cat sat on a mat."))
    assert rows[1].scores["readability"] is None and rows[2].scores["readability"] is None
    assert rows[3].scores["readability"] == pytest.approx(
        textstat.flesch_reading_ease("Seoul is the capital of Korea.")
    )

    overall = summarize(rows, ["bertscore", "readability", "rouge"])
    assert overall["bertscore"] == 0.75  # the mean of the rows that have a score: None is not 0
    categories = by_category(rows, ["bertscore"])
    assert "bertscore" not in categories["ko"]["scores"] and "bertscore" not in categories["ja"]["scores"]

    notes = metric_notes(rows, ["bertscore", "readability", "rouge"])
    assert notes["rougeL"] == "ROUGE on words, CJK text by character"
    assert notes["bertscore"].startswith("not computed for 3 of 4 rows: not meaningful for this language")
    assert notes["readability"].startswith("not computed for 2 of 4 rows: not meaningful for this language")
    assert metric_notes(rows[:1], ["bertscore", "readability"]) == {}  # English only: nothing to say


def test_a_score_not_computed_reads_as_such_in_the_report_and_the_rows_never_as_zero() -> None:
    from aqua_ext.backends.evaluation_files import parse_rows, report_from
    from aqua_ext.jobs.eval_report import render_html

    record = {
        "index": 0,
        "prompt": "수도는?",
        "reference": "서울은 한국의 수도입니다",
        "output": "서울이 한국의 수도입니다",
        "category": None,
        "latency_ms": 12.0,
        "tokens_per_s": None,
        "error": None,
        "scores": {"rougeL": 10 / 11, "bertscore": None, "readability": None},
    }
    [row] = parse_rows([json.dumps(record)])
    assert row.scores == {"rougeL": pytest.approx(10 / 11)}  # None is left out, not turned into 0

    note = "not computed for 1 of 1 rows: not meaningful for this language (not in a Latin script); why"
    report = {
        "overall": {"scores": {"rougeL": 10 / 11}, "rows": 1},
        "categories": {},
        "rows_total": 1,
        "rows_answered": 1,
        "rows_failed": 0,
        "notes": {"rougeL": "ROUGE on words, CJK text by character", "bertscore": note},
    }
    assert report_from(report).notes == report["notes"]  # the API carries them to the UI and the CLI
    html = render_html(report, [record], title="한국어 평가")
    assert "ROUGE on words, CJK text by character" in html
    assert "<td>BERTScore F1</td><td class='n'>not computed</td>" in html and note in html
    assert "0.000" not in html
