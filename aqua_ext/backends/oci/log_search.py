"""OCI Logging search for one resource's lines (a model deployment, a job run), as a log page:
the last lines oldest first, and the last line's timestamp as the cursor for what comes next."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ...api.logs import LogPage, LogsQuery
from ...errors import InvalidInput
from . import mapping
from .clients import OciClients

LOG_SEARCH_PAGE = 1000  # Logging search's largest page
LOG_SEARCH_WINDOW = timedelta(days=14)  # the longest window Logging search accepts


def check_log_ocids(log_group_id: str | None, log_id: str | None) -> None:
    """A log asked for (`log_id` given) is named by a log group OCID and a log OCID."""
    if log_id:
        if mapping.ocid_kind(log_group_id or "") != "loggroup":
            raise InvalidInput.field(
                "log_group_id", "must be an OCI Logging log group OCID (ocid1.loggroup.oc1.<region>.<id>)"
            )
        if mapping.ocid_kind(log_id) != "log":
            raise InvalidInput.field("log_id", "must be an OCI Logging log OCID (ocid1.log.oc1.<region>.<id>)")


def instant(value: str) -> datetime:
    when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


async def search_log_page(
    clients: OciClients,
    query: LogsQuery,
    *,
    compartment_id: str,
    log_group_id: str,
    log_ids: list[str],
    resource_id: str,
    created: datetime,
    source: str,
    with_kind: bool = False,
) -> LogPage:
    """The page of `resource_id`'s lines in the given logs. `with_kind` prefixes each line with
    its log's type (access or predict, for deployments)."""
    after = None
    if query.after:
        try:
            after = instant(query.after)
        except ValueError:
            raise InvalidInput.field("after", "must be a cursor returned by an earlier call") from None
    lines, cursor = await search_lines(
        clients,
        compartment_id=compartment_id,
        log_group_id=log_group_id,
        log_ids=log_ids,
        resource_id=resource_id,
        created=created,
        tail=query.tail,
        after=after,
        with_kind=with_kind,
    )
    return LogPage(lines=lines, cursor=cursor or query.after or "", source=source)


async def search_lines(
    clients: OciClients,
    *,
    compartment_id: str,
    log_group_id: str,
    log_ids: list[str],
    resource_id: str,
    created: datetime,
    tail: int,
    after: datetime | None = None,
    with_kind: bool = False,
) -> tuple[list[str], str | None]:
    """The last `tail` lines (after `after`), oldest first, and the timestamp of the last one."""
    import oci

    now = datetime.now(timezone.utc)
    start = max(after or created - timedelta(minutes=5), now - LOG_SEARCH_WINDOW)
    sources = ", ".join(f'"{compartment_id}/{log_group_id}/{log_id}"' for log_id in log_ids)
    search = f"search {sources} | where source = '*{resource_id}' | sort by datetime desc"
    details = oci.loggingsearch.models.SearchLogsDetails(
        time_start=start, time_end=now + timedelta(minutes=1), search_query=search, is_return_field_info=False
    )
    rows: list[dict[str, Any]] = []
    page: str | None = None
    while len(rows) < tail:
        paging: dict[str, Any] = {"page": page} if page else {}
        response = await clients.call(
            "logging",
            clients.log_search.search_logs,
            details,
            limit=min(LOG_SEARCH_PAGE, tail - len(rows)),
            **paging,
        )
        rows.extend(r.data for r in response.data.results or [] if isinstance(r.data, dict))
        page = response.next_page
        if not page:
            break
    out: list[tuple[datetime, str, str]] = []
    for row in rows:
        stamp = str(row.get("datetime") or (row.get("logContent") or {}).get("time") or "")
        try:
            when = instant(stamp)
        except ValueError:
            continue
        if after is not None and when <= after:
            continue
        content = row.get("logContent") or {}
        data = content.get("data")
        message = data.get("message") if isinstance(data, dict) else data
        text = "" if message is None else str(message)
        kind = f" [{str(content.get('type') or '').rsplit('.', 1)[-1] or 'log'}]" if with_kind else ""
        out.append((when, stamp, f"{stamp}{kind} {text}".rstrip()))
    # Newest came first: reverse (which keeps lines of the same millisecond in order), then make
    # sure of the order by time, stably.
    out.reverse()
    out.sort(key=lambda item: item[0])
    out = out[-tail:]
    return [line for _, _, line in out], (out[-1][1] if out else None)
