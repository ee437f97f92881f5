"""BERTScore as the evaluation computes it equals bert-score's own answer with the bundled
offline encoder; an empty answer scores 0; per-category summaries group the rows."""

from __future__ import annotations

import pytest

from aqua_ext.jobs.eval_metrics import ScoredRow, bertscore_model_path, by_category, score_rows, summarize


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
    assert rows[0].scores["bertscore"] > rows[1].scores["bertscore"] > 0.3
    assert rows[2].scores["bertscore"] == 0.0
    overall = summarize(rows, ["bertscore", "exact_match"])
    assert overall["bertscore"] == pytest.approx(sum(r.scores["bertscore"] for r in rows) / 3)
    categories = by_category(rows, ["bertscore"])
    assert {k: v["rows"] for k, v in categories.items()} == {"a": 2, "b": 1}
    assert categories["b"]["scores"]["bertscore"] == 0.0


def test_unknown_metrics_are_refused() -> None:
    with pytest.raises(ValueError, match="perplexity"):
        score_rows([ScoredRow(prompt="p", reference="r", output="o")], ["perplexity"])
