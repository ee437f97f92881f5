"""An evaluation's results as the services show them, whichever backend holds the files (the drivers
read them: backends/evaluation_files.py): the rows page (sorted, filtered by category) and the
comparison of several evaluations."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from ..api.evaluations import (
    EvaluationComparison,
    EvaluationDetail,
    EvaluationRow,
    EvaluationRows,
    EvaluationRowsQuery,
    EvaluationSummary,
    ModelParameters,
)
from ..errors import InvalidInput

MAX_COMPARED = 8


def page_rows(rows: Sequence[EvaluationRow], query: EvaluationRowsQuery) -> EvaluationRows:
    categories = sorted({r.category for r in rows if r.category is not None})
    chosen = [r for r in rows if query.category is None or r.category == query.category]
    if query.sort is None:
        chosen.sort(key=lambda r: r.index, reverse=query.descending)
    else:
        key = query.sort
        known = {"latency_ms", "tokens_per_s", "index"} | {k for r in rows for k in r.scores}
        if key not in known:
            raise InvalidInput.field(
                "query.sort", f"'{key}' is not a score of these rows; sort by one of {', '.join(sorted(known))}"
            )

        def value(row: EvaluationRow) -> float:
            found = row.scores.get(key) if key in row.scores else getattr(row, key, None)
            return float("-inf") if found is None else float(found)

        # Rows without the score (failed rows) go last either way.
        chosen.sort(key=lambda r: (value(r) == float("-inf"), -value(r) if query.descending else value(r)))
    return EvaluationRows(
        items=chosen[query.offset : query.offset + query.limit], total=len(chosen), categories=categories
    )


def best_ids(metric: str, values: Mapping[str, float]) -> list[str]:
    """The evaluations holding the best value of a score (the lowest latency, else the highest), in
    their order; none when fewer than two have it or all tie."""
    finite = {k: v for k, v in values.items() if math.isfinite(v)}
    if len(finite) < 2:
        return []
    best = (min if metric.startswith("latency") else max)(finite.values())
    ids = [k for k, v in finite.items() if abs(v - best) <= 1e-9]
    return [] if len(ids) == len(finite) else ids


def _best(scores: Mapping[str, Mapping[str, float]]) -> dict[str, list[str]]:
    return {metric: ids for metric, values in scores.items() if (ids := best_ids(metric, values))}


def compare(details: Sequence[EvaluationDetail]) -> EvaluationComparison:
    """Several evaluations side by side (the service checks how many): the scores, the best of
    each, and what makes the comparison unfair."""
    overall: dict[str, dict[str, float]] = {}
    categories: dict[str, dict[str, dict[str, float]]] = {}
    notes: list[str] = []
    for d in details:
        if d.report is None:
            notes.append(f"'{d.name}' has no report yet ({d.state.value}).")
            continue
        for metric, score in d.report.overall.scores.items():
            overall.setdefault(metric, {})[d.id] = score
        for name, scores in d.report.categories.items():
            for metric, score in scores.scores.items():
                categories.setdefault(name, {}).setdefault(metric, {})[d.id] = score
    same = len({(d.dataset_hash, d.sample_size) for d in details}) == 1
    if not same:
        notes.append(
            "The evaluations scored different datasets (or samples): their scores are not directly comparable"
            f" ({'; '.join(_dataset_differences(details))})."
        )
    differing = param_differences(details)
    if differing:
        notes.append(f"The evaluations asked with different model parameters: {'; '.join(differing)}.")
    if len({_judging(d) for d in details}) > 1:
        notes.append(
            "The judge scores come from different judges or rubrics, so they are not directly comparable: "
            f"{_values(details, _judging)}."
        )
    return EvaluationComparison(
        evaluations=[summary_of(d) for d in details],
        overall=overall,
        categories=categories,
        same_dataset=same,
        notes=notes,
        best=_best(overall),
        category_best={name: _best(scores) for name, scores in categories.items()},
    )


def _values(details: Sequence[EvaluationDetail], value: Callable[[EvaluationDetail], object]) -> str:
    """0.2 ('A') vs 0.7 ('B'): each evaluation's value, named, in the order compared."""
    return _named(details, [value(d) for d in details])


def _named(details: Sequence[EvaluationDetail], values: Sequence[object]) -> str:
    return " vs ".join(f"{v} ('{d.name}')" for d, v in zip(details, values, strict=True))


def _judging(detail: EvaluationDetail) -> str:
    """Who graded an evaluation's answers, and by which rubric ("no judge" without one)."""
    if detail.judge is None:
        return "no judge"
    names = " and ".join(j.name for j in detail.judge.judges)
    rubric = detail.judge.rubric + (f" ({detail.judge.rubric_text})" if detail.judge.rubric_text else "")
    return f"{names}, {rubric} rubric"


def _dataset_differences(details: Sequence[EvaluationDetail]) -> list[str]:
    found = []
    if len({d.dataset_hash for d in details}) > 1:
        found.append(f"dataset sha256 {_values(details, lambda d: (d.dataset_hash or '?')[:12])}")
    if len({d.sample_size for d in details}) > 1:
        found.append(f"sample size {_values(details, lambda d: d.sample_size or 'all rows')}")
    return found


def param_differences(details: Sequence[EvaluationDetail]) -> list[str]:
    """Each model parameter whose value is not the same in every evaluation, with the values:
    'temperature 0.2 ('A') vs 0.7 ('B')'."""
    dumped = [d.params.model_dump() for d in details]
    return [
        f"{name} {_named(details, [p[name] for p in dumped])}"
        for name in ModelParameters.model_fields
        if len({repr(p[name]) for p in dumped}) > 1
    ]


def summary_of(detail: EvaluationDetail) -> EvaluationSummary:
    return EvaluationSummary.model_validate(detail.model_dump(include=set(EvaluationSummary.model_fields)))
