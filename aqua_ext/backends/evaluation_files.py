"""What an evaluation job writes, read as the contract's types, whichever backend holds the files (the
local job's folder, OCI's evaluation container's report location): `rows.jsonl` and `report.json`.
Facts the drivers report; sorting, paging and comparing them are the services' rules
(services/evaluation_results.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from ..api.evaluations import EvaluationProvenance, EvaluationReport, EvaluationRow, MetricScores


def parse_rows(lines: Iterable[str]) -> list[EvaluationRow]:
    """rows.jsonl as written by the job (a line being written right now ends the list)."""
    rows = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            break
        record.setdefault("scores", {})
        rows.append(EvaluationRow.model_validate(record))
    return rows


def report_from(data: dict[str, Any]) -> EvaluationReport:
    """report.json as the job writes it."""
    return EvaluationReport(
        overall=MetricScores.model_validate(data["overall"]),
        categories={k: MetricScores.model_validate(v) for k, v in (data.get("categories") or {}).items()},
        rows_total=int(data.get("rows_total") or 0),
        rows_answered=int(data.get("rows_answered") or 0),
        rows_failed=int(data.get("rows_failed") or 0),
        wall_seconds=data.get("wall_seconds"),
        provenance=_provenance(data.get("provenance")),
    )


def _provenance(data: Any) -> EvaluationProvenance | None:
    """A report's provenance; None when it has none, or one this version cannot read (the scores still show)."""
    if not isinstance(data, dict):
        return None
    try:
        return EvaluationProvenance.model_validate(data)
    except ValidationError:
        return None
