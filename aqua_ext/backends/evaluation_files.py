"""What an evaluation job writes, read as the contract's types, whichever backend holds the files (the
local job's folder, OCI's evaluation container's report location): `rows.jsonl` and `report.json`.
Facts the drivers report; sorting, paging and comparing them are the services' rules
(services/evaluation_results.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import ValidationError

from ..api.evaluations import EvaluationProvenance, EvaluationReport, EvaluationRow, JudgeReport, MetricScores


def parse_rows(lines: Iterable[str]) -> list[EvaluationRow]:
    """rows.jsonl as written by the job (a line being written right now ends the list)."""
    rows = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            break
        # A score of None (not meaningful for this row, the report's notes say why) is left out: an
        # absent score reads as "not computed", never as 0.
        record["scores"] = {k: v for k, v in (record.get("scores") or {}).items() if v is not None}
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
        notes={str(k): str(v) for k, v in (data.get("notes") or {}).items()},
        provenance=_section(EvaluationProvenance, data.get("provenance")),
        judge=_section(JudgeReport, data.get("judge")),
    )


M = TypeVar("M", EvaluationProvenance, JudgeReport)


def _section(model: type[M], data: Any) -> M | None:
    """A report's provenance or judge section; None when it has none, or one this version cannot
    read (the scores still show)."""
    if not isinstance(data, dict):
        return None
    try:
        return model.model_validate(data)
    except ValidationError:
        return None
