"""LLM-as-judge: the rules of grading an evaluation's answers with a model (one owner, here).

- the prompt (`judge_prompt`): the rubric, the 1–5 scale, the question, the reference and the answer,
  and the one JSON object the judge must reply with; one user message, so any chat deployment or
  connection can judge (no system role needed). Rows may be in any language (Korean, Japanese …):
  the judge grades meaning, and gives its reason in the question's language;
- the parsing of its reply (`parse_verdict`): strictly `{"score": int, "reason": str}`, else the first
  JSON object found in the text (judges wrap it in prose or a Markdown fence); a reply with no usable
  score is an error for that row, never a score of 0;
- the grading of every answered row (`grade_rows`), `concurrency` requests in flight over all judges;
- the scores (`row_scores`: each judge's score normalised to 0..1, and their mean), the report's
  judge section with the token cost (`judge_report`), and two judges' agreement (`agreement`).
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..api.evaluations import JUDGE_SCALE

SCALE = JUDGE_SCALE  # the contract's: integer scores, low to high
RUBRICS = {
    "correctness": (
        "Correctness: does the answer say what the reference answer says? "
        "5: the same meaning, nothing wrong or missing; 4: correct with a minor omission or imprecision; "
        "3: partly correct; 2: mostly wrong or missing the point; 1: wrong, unrelated, or empty."
    ),
    "helpfulness": (
        "Helpfulness: how well does the answer help the person who asked? The reference shows a good "
        "answer. 5: answers the question fully, clearly and directly; 4: helpful with small gaps; "
        "3: somewhat helpful; 2: barely helpful; 1: no help, off topic, or empty."
    ),
}
# The judge's reply is short: a score and a sentence or two. Temperature 0: the same grade on a rerun.
JUDGE_PARAMS: dict[str, Any] = {"max_tokens": 256, "temperature": 0.0}
MAX_REASON_CHARS = 2000
MAX_ERROR_REPLY_CHARS = 200  # how much of an unparsable reply the row's error quotes

# One judge request: the prompt in, ChatDelta items then one ChatDone out (jobs/evaluate.py's Answers).
Answers = Callable[[str], AsyncIterator[Any]]


class VerdictError(ValueError):
    """The judge's reply holds no usable grade."""


def rubric_text(rubric: str, custom: str = "") -> str:
    return custom.strip() if rubric == "custom" else RUBRICS[rubric]


def judge_prompt(prompt: str, reference: str, output: str, rubric: str) -> str:
    """The one user message that asks a judge for its grade. `rubric` is the rubric's text."""
    low, high = SCALE
    return (
        "You grade an answer to a question against a reference answer.\n\n"
        f"Rubric: {rubric}\n\n"
        f"Give an integer score from {low} (worst) to {high} (best). The texts may be in any language "
        "(Korean, Japanese, English, …): grade the meaning, not the language or the wording, and write "
        "the reason in the language of the question.\n\n"
        'Reply with one JSON object and nothing else: {"score": <integer>, "reason": "<one or two sentences>"}\n\n'
        f"<question>\n{prompt}\n</question>\n\n"
        f"<reference>\n{reference}\n</reference>\n\n"
        f"<answer>\n{output}\n</answer>"
    )


_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)


def parse_verdict(reply: str) -> tuple[int, str]:
    """(score, reason) from a judge's reply; VerdictError saying what is wrong otherwise."""
    text = reply.strip()
    fenced = _FENCE.match(text)
    obj: Any = None
    try:
        obj = json.loads(fenced.group(1) if fenced else text)
    except ValueError:
        obj = _first_object(text)
    if not isinstance(obj, dict):
        raise VerdictError(f"the judge's reply holds no JSON object: {_quoted(reply)}")
    score = obj.get("score")
    # An integral number (4 or 4.0); a bool is not a score, nor a number as text.
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not float(score).is_integer():
        raise VerdictError(f"the judge's reply has no integer score: {_quoted(reply)}")
    low, high = SCALE
    if not low <= score <= high:
        raise VerdictError(f"the judge's score {score:g} is outside {low}–{high}")
    reason = obj.get("reason", "")
    if not isinstance(reason, str):
        raise VerdictError(f"the judge's reason is not text: {_quoted(reply)}")
    return int(score), reason.strip()[:MAX_REASON_CHARS]


def _first_object(text: str) -> Any:
    """The first JSON object in `text` (a judge that explains itself around the object)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            obj, _ = decoder.raw_decode(text, start)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return obj
        start = text.find("{", start + 1)
    return None


def _quoted(reply: str) -> str:
    text = " ".join(reply.split())
    if not text:
        return "(empty)"
    return repr(text if len(text) <= MAX_ERROR_REPLY_CHARS else text[:MAX_ERROR_REPLY_CHARS] + "…")


# ---- grading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judge:
    name: str
    answers: Answers


async def grade(judge: Answers, prompt: str) -> dict[str, Any]:
    """One judge's verdict on one row: score and reason, or the error; the tokens it cost."""
    from ..services.chat_stream import ChatDone

    verdict: dict[str, Any] = {"score": None, "reason": None, "error": None}
    verdict |= {"prompt_tokens": None, "completion_tokens": None}
    parts: list[str] = []
    try:
        async for item in judge(prompt):
            if isinstance(item, ChatDone):
                usage = item.usage or {}
                for key in ("prompt_tokens", "completion_tokens"):
                    if isinstance(usage.get(key), int):
                        verdict[key] = usage[key]
            else:
                parts.append(item.content)
        verdict["score"], verdict["reason"] = parse_verdict("".join(parts))
    except VerdictError as exc:
        verdict["error"] = str(exc)
    except Exception as exc:
        verdict["error"] = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    return verdict


async def grade_rows(
    records: Sequence[dict[str, Any]],
    judges: Sequence[Judge],
    rubric: str,
    *,
    concurrency: int,
    on_graded: Callable[[int], None] | None = None,
) -> None:
    """Every judge grades every record (answered rows: the caller picks them), `concurrency` requests
    in flight over all judges; each record gets `judgements`, one per judge in order.
    `on_graded(n)`: n rows fully graded so far."""
    semaphore = asyncio.Semaphore(concurrency)
    left = {id(r): len(judges) for r in records}
    graded = 0

    async def one(record: dict[str, Any], place: int, judge: Judge) -> None:
        nonlocal graded
        prompt = judge_prompt(record["prompt"], record["reference"], record["output"], rubric)
        async with semaphore:
            verdict = await grade(judge.answers, prompt)
        record["judgements"][place] = {"judge": place, **verdict}
        left[id(record)] -= 1
        if not left[id(record)]:
            graded += 1
            if on_graded is not None:
                on_graded(graded)

    for record in records:
        record["judgements"] = [None] * len(judges)
    tasks = [asyncio.create_task(one(r, i, j)) for r in records for i, j in enumerate(judges)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


# ---- scores, the report's section, agreement -----------------------------------------------------


def normalised(score: int) -> float:
    """A 1–5 score on 0..1, the scale of the other summary scores: 1 → 0, 3 → 0.5, 5 → 1."""
    low, high = SCALE
    return (score - low) / (high - low)


def score_names(judges: int) -> list[str]:
    """The row scores the judges give: "judge" (their mean), and each judge's own when there are two."""
    return ["judge", *(f"judge_{i + 1}" for i in range(judges))] if judges > 1 else ["judge"]


def row_scores(judgements: Sequence[dict[str, Any] | None]) -> dict[str, float]:
    """A row's judge scores, normalised: each judge's (judge_1, judge_2, with two) and their mean
    (judge) over the judges that graded it; none when no judge did."""
    scores: dict[str, float] = {}
    values = []
    for i, verdict in enumerate(judgements):
        if verdict and verdict.get("score") is not None:
            value = normalised(verdict["score"])
            values.append(value)
            if len(judgements) > 1:
                scores[f"judge_{i + 1}"] = value
    if values:
        scores["judge"] = statistics.fmean(values)
    return scores


def judge_report(
    records: Sequence[dict[str, Any]], judges: Sequence[dict[str, Any]], rubric: str, custom: str
) -> dict[str, Any]:
    """report.json's `judge`: the rubric, each judge's tally and token cost, the totals, and with two
    judges their agreement on the rows both graded. `judges`: as the spec shows them (name, ids)."""
    tallies = []
    for place, shown in enumerate(judges):
        verdicts = [v for r in records if (v := (r.get("judgements") or [None] * len(judges))[place])]
        scored = [v["score"] for v in verdicts if v.get("score") is not None]
        tallies.append(
            {
                **shown,
                "rows_scored": len(scored),
                "rows_failed": sum(1 for v in verdicts if v.get("error")),
                "mean_score": statistics.fmean(scored) if scored else None,
                "prompt_tokens": sum(v.get("prompt_tokens") or 0 for v in verdicts),
                "completion_tokens": sum(v.get("completion_tokens") or 0 for v in verdicts),
            }
        )
    report: dict[str, Any] = {
        "rubric": rubric,
        "rubric_text": custom if rubric == "custom" else "",
        "scale": list(SCALE),
        "judges": tallies,
        "agreement": None,
        "prompt_tokens": sum(t["prompt_tokens"] for t in tallies),
        "completion_tokens": sum(t["completion_tokens"] for t in tallies),
    }
    if len(judges) == 2:
        pairs = [
            (first["score"], second["score"])
            for r in records
            if (both := r.get("judgements")) and (first := both[0]) and (second := both[1])
            if first.get("score") is not None and second.get("score") is not None
        ]
        report["agreement"] = agreement([a for a, _ in pairs], [b for _, b in pairs])
    return report


def judge_note(report: dict[str, Any], rows: int) -> str:
    """What the report's notes say of the judge scores: the scale, and rows a judge could not grade."""
    low, high = SCALE
    note = (
        f"LLM-as-judge ({report['rubric']} rubric): each judge's {low}–{high} score normalised to 0..1 "
        f"((score − {low}) / {high - low}); judge is the judges' mean"
    )
    failed = [f"{t['name']}: {t['rows_failed']} of {rows} rows" for t in report["judges"] if t["rows_failed"]]
    if failed:
        note += f"; not graded (an unparsable reply or a failed request, never counted as 0): {', '.join(failed)}"
    return note


def agreement(first: Sequence[int], second: Sequence[int]) -> dict[str, Any]:
    """Two judges' scores of the same rows: exact agreement, Cohen's kappa with quadratic weights over
    the whole 1–5 scale, Spearman's rho (average ranks for ties). Undefined values are None.

    Written out (a few lines of arithmetic) rather than importing scikit-learn and SciPy into the job
    for it; the tests check both against those libraries."""
    n = len(first)
    if n != len(second):
        raise ValueError("two judges' scores pair up row by row")
    out: dict[str, Any] = {"rows": n, "exact": None, "kappa": None, "spearman": None}
    if n == 0:
        return out
    out["exact"] = sum(a == b for a, b in zip(first, second, strict=True)) / n
    low, high = SCALE
    size = high - low + 1
    observed = [[0.0] * size for _ in range(size)]
    for a, b in zip(first, second, strict=True):
        observed[a - low][b - low] += 1
    rows_total = [sum(row) for row in observed]
    cols_total = [sum(observed[i][j] for i in range(size)) for j in range(size)]
    disagreement = expected = 0.0
    for i in range(size):
        for j in range(size):
            weight = (i - j) ** 2
            disagreement += weight * observed[i][j]
            expected += weight * rows_total[i] * cols_total[j] / n
    out["kappa"] = 1 - disagreement / expected if expected else None
    if n >= 2:
        out["spearman"] = _pearson(_ranks(first), _ranks(second))
    return out


def _ranks(values: Sequence[int]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1  # tied values share their average rank
        start = end + 1
    return ranks


def _pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    try:
        return statistics.correlation(x, y)
    except statistics.StatisticsError:
        return None  # a judge that gave every row the same score: no rank correlation
