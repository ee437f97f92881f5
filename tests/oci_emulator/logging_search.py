"""Emulated OCI Logging search (API 20190909): ``POST /search``.

Records added with ``emu.logging.add_record(log_id, message, source=...)`` are returned when the search
query mentions their log OCID (and, when the query has ``source = '*<ocid>'``, their source matches).
With no records the response is an empty result set.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from .core import OciError, Request, Response, Router, decode_page, encode_page, now_rfc3339

if TYPE_CHECKING:
    from .server import OciEmulator

V = "/20190909"


class LoggingSearchService:
    prefix = "logging"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu
        self.records: list[dict] = []

    def register(self, r: Router) -> None:
        r.add("POST", f"{V}/search", "SearchLogs", self.search_logs)

    def add_record(self, log_id: str, message: str, source: str | None = None, time: str | None = None,
                   log_group_id: str | None = None, compartment_id: str | None = None,
                   record_type: str = "com.oraclecloud.datascience.custom") -> None:  # fmt: skip
        """Add a log line. ``record_type`` fills ``logContent.type`` (emulator-chosen values)."""
        ts = time or now_rfc3339()
        with self.emu.lock:
            self.records.append(
                {
                    "_log_id": log_id,
                    "_seq": len(self.records),
                    "datetime": ts,
                    "logContent": {
                        "id": str(uuid.uuid4()),
                        "time": ts,
                        "type": record_type,
                        "source": source or "",
                        "subject": "",
                        "oracle": {"logid": log_id, "loggroupid": log_group_id, "compartmentid": compartment_id},
                        "data": {"message": message},
                    },
                }
            )

    def search_logs(self, req: Request) -> Response:
        body = req.json()
        for name in ("timeStart", "timeEnd", "searchQuery"):
            if not body.get(name):
                raise OciError(400, "MissingParameter", f"{name} is required.")
        query = body["searchQuery"]
        try:  # compared as instants: the SDK sends "+00:00" offsets and microseconds, records carry "Z" and ms
            start, end = _instant(body["timeStart"]), _instant(body["timeEnd"])
        except ValueError:
            raise OciError(400, "InvalidParameter", "timeStart and timeEnd must be RFC 3339 timestamps.") from None
        if end < start:
            raise OciError(400, "InvalidParameter", "timeEnd is before timeStart.")
        m = re.search(r"source\s*=\s*'\*?([^']+)'", query)
        source = m.group(1) if m else None
        hits = [
            r
            for r in self.records
            if r["_log_id"] in query
            and (source is None or r["logContent"]["source"].endswith(source))
            and start <= _instant(r["datetime"]) <= end
        ]
        # Records written in the same millisecond keep their order (newest last, or first when DESC).
        hits.sort(key=lambda r: (_instant(r["datetime"]), r["_seq"]), reverse="DESC" in query.upper())
        limit = req.q_int("limit", 100)
        start = decode_page(req.q("page"))
        chunk = hits[start : start + limit]
        headers = {"opc-next-page": encode_page(start + limit)} if start + limit < len(hits) else {}
        results = [{"data": {k: v for k, v in r.items() if not k.startswith("_")}} for r in chunk]
        return Response(
            200,
            {"results": results, "fields": [], "summary": {"resultCount": len(results), "fieldCount": 0}},
            headers,
        )


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
