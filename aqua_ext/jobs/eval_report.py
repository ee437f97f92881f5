"""report.html: one self-contained file (inline SVG charts drawn by matplotlib, inline CSS, no
script, nothing fetched), readable offline and safe to attach to an email."""

from __future__ import annotations

import html
import io
from datetime import datetime, timezone
from typing import Any

from .eval_provenance import provenance_facts

# Scores shown as bars, on the libraries' scales; latency is a table figure, not a bar.
SCORE_LABELS = {
    "bertscore": "BERTScore F1",
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "exact_match": "Exact match",
    "bleu": "BLEU",
    "chrf": "chrF",
    "readability": "Readability (Flesch)",
    "judge": "Judge (1–5 as 0–1)",
    "judge_1": "Judge 1",
    "judge_2": "Judge 2",
}
HUNDRED_SCALE = {"bleu", "chrf", "readability"}
FIGURES = {
    "latency_ms_mean": "Latency mean (ms)",
    "latency_ms_p50": "Latency p50 (ms)",
    "latency_ms_p95": "Latency p95 (ms)",
    "tokens_per_s_mean": "Tokens/s (mean)",
}
MAX_ROWS_IN_HTML = 500


def _svg_bars(title: str, groups: dict[str, dict[str, float]]) -> str:
    """Grouped horizontal bars (one group per metric, one bar per series), as inline SVG."""
    import matplotlib

    matplotlib.use("Agg")  # no display, no GUI toolkit
    import matplotlib.pyplot as plt

    metrics = [m for m in SCORE_LABELS if any(m in g for g in groups.values())]
    if not metrics:
        return ""
    series = list(groups)
    height = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(metrics) * max(1, len(series)) + 1.2))
    for i, name in enumerate(series):
        # Scores on 0..100 scales are drawn as fractions so every bar shares one axis.
        values = [groups[name].get(m, 0.0) / (100 if m in HUNDRED_SCALE else 1) for m in metrics]
        ax.barh([y + i * height for y in range(len(metrics))], values, height=height, label=name)
    ax.set_yticks(
        [y + height * (len(series) - 1) / 2 for y in range(len(metrics))],
        [SCORE_LABELS[m] + (" ÷ 100" if m in HUNDRED_SCALE else "") for m in metrics],
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    svg = out.getvalue()
    return svg[svg.find("<svg") :]  # drop the XML prolog: the SVG sits inside HTML


def _fmt(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if name in HUNDRED_SCALE or name in FIGURES else f"{value:.3f}"


def render_html(report: dict[str, Any], rows: list[dict[str, Any]], *, title: str) -> str:
    overall = report["overall"]["scores"]
    categories = report.get("categories") or {}
    esc = html.escape
    failed = f", {report['rows_failed']} failed" if report.get("rows_failed") else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}: evaluation report</title>",
        "<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;"
        "text-align:left;vertical-align:top}table.facts th{width:12em;font-weight:600}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}"
        ".err{color:#b00}.muted{color:#666}pre{white-space:pre-wrap;margin:0;font:inherit}svg{max-width:100%}"
        "@media (prefers-color-scheme: dark){body{background:#111;color:#ddd}th,td{border-color:#333}}</style>",
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p class='muted'>{report['rows_answered']} of {report['rows_total']} rows answered{failed}; "
        f"generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.</p>",
    ]
    facts = provenance_facts(report.get("provenance") or {})
    if facts:
        parts.append("<h2>Provenance</h2><table class='facts'>")
        parts.extend(f"<tr><th>{esc(label)}</th><td>{esc(text)}</td></tr>" for label, text in facts)
        parts.append("</table>")
    parts.append("<h2>Summary</h2><table><tr><th>Metric</th><th>Score</th><th>Note</th></tr>")
    notes = report.get("notes") or {}
    for name, label in {**SCORE_LABELS, **FIGURES}.items():
        if name in overall or name in notes:
            # A metric with no score at all was not computed (not meaningful here): said, never shown as 0.
            score = _fmt(name, overall[name]) if name in overall else "not computed"
            parts.append(
                f"<tr><td>{esc(label)}</td><td class='n'>{score}</td>"
                f"<td class='muted'>{esc(notes.get(name, ''))}</td></tr>"
            )
    parts.append("</table>")
    parts.append(_judge_section(report.get("judge")))
    parts.append(_svg_bars("Overall", {"overall": overall}))
    if categories:
        parts.append("<h2>By category</h2>")
        parts.append(_svg_bars("By category", {name: c["scores"] for name, c in categories.items()}))
        shown = [m for m in SCORE_LABELS if m in overall]
        parts.append(
            "<table><tr><th>Category</th><th>Rows</th>"
            + "".join(f"<th>{esc(SCORE_LABELS[m])}</th>" for m in shown)
            + "</tr>"
        )
        for name, c in categories.items():
            parts.append(
                f"<tr><td>{esc(name)}</td><td class='n'>{c['rows']}</td>"
                + "".join(f"<td class='n'>{_fmt(m, c['scores'].get(m))}</td>" for m in shown)
                + "</tr>"
            )
        parts.append("</table>")
    parts.append(
        f"<h2>Rows</h2><p class='muted'>The first {min(len(rows), MAX_ROWS_IN_HTML)} of {len(rows)}; "
        "every row is in rows.jsonl.</p>"
    )
    parts.append(
        "<table><tr><th>#</th><th>Prompt</th><th>Reference</th><th>Output</th><th>ROUGE-L</th>"
        "<th>BERTScore</th><th>ms</th>" + ("<th>Judge (1–5): reason</th>" if report.get("judge") else "") + "</tr>"
    )
    for row in rows[:MAX_ROWS_IN_HTML]:
        scores = row.get("scores") or {}
        output = (
            f"<span class='err'>{esc(row['error'])}</span>" if row.get("error") else f"<pre>{esc(row['output'])}</pre>"
        )
        parts.append(
            f"<tr><td class='n'>{row['index'] + 1}</td><td><pre>{esc(row['prompt'])}</pre></td>"
            f"<td><pre>{esc(row['reference'])}</pre></td><td>{output}</td>"
            f"<td class='n'>{_fmt('rougeL', scores.get('rougeL'))}</td>"
            f"<td class='n'>{_fmt('bertscore', scores.get('bertscore'))}</td>"
            f"<td class='n'>{_fmt('latency_ms_mean', row.get('latency_ms'))}</td>"
            + (_verdicts(row.get("judgements") or []) if report.get("judge") else "")
            + "</tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)


def _judge_section(judge: dict[str, Any] | None) -> str:
    """The judges, their rubric, what each graded, their token cost and (two judges) agreement."""
    if not judge:
        return ""
    esc = html.escape
    rubric = judge["rubric"] + (f": {judge['rubric_text']}" if judge.get("rubric_text") else "")
    parts = [
        f"<h2>Judges</h2><p class='muted'>Rubric {esc(rubric)}; scores {judge['scale'][0]}–{judge['scale'][1]}. "
        f"Tokens in all: {judge['prompt_tokens']:,} prompt + {judge['completion_tokens']:,} completion.</p>",
        "<table><tr><th>Judge</th><th>Rows graded</th><th>Not graded</th><th>Mean score</th>"
        "<th>Prompt tokens</th><th>Completion tokens</th></tr>",
    ]
    for tally in judge["judges"]:
        mean = "–" if tally.get("mean_score") is None else f"{tally['mean_score']:.2f}"
        parts.append(
            f"<tr><td>{esc(tally['name'])}</td><td class='n'>{tally['rows_scored']}</td>"
            f"<td class='n'>{tally['rows_failed']}</td><td class='n'>{mean}</td>"
            f"<td class='n'>{tally['prompt_tokens']:,}</td><td class='n'>{tally['completion_tokens']:,}</td></tr>"
        )
    parts.append("</table>")
    agreement = judge.get("agreement")
    if agreement:
        shown = {
            "exact agreement": agreement.get("exact"),
            "Cohen's kappa (quadratic)": agreement.get("kappa"),
            "Spearman's rho": agreement.get("spearman"),
        }
        values = ", ".join(f"{name} {'–' if v is None else f'{v:.3f}'}" for name, v in shown.items())
        parts.append(f"<p>Agreement on the {agreement['rows']} rows both judges graded: {esc(values)}.</p>")
    return "".join(parts)


def _verdicts(verdicts: list[dict[str, Any] | None]) -> str:
    """A row's grades: each judge's score and reason, or why it has none."""
    esc = html.escape
    lines = []
    for verdict in verdicts:
        if not verdict:
            continue
        who = f"{verdict['judge'] + 1}. " if len(verdicts) > 1 else ""
        if verdict.get("error"):
            lines.append(f"<span class='err'>{who}{esc(verdict['error'])}</span>")
        else:
            lines.append(f"{who}<b>{verdict['score']}</b>: {esc(verdict.get('reason') or '')}")
    return f"<td>{'<br>'.join(lines)}</td>"
