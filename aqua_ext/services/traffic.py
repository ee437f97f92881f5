"""What this server relays to each deployment, measured where it streams: the chat route and the
OpenAI pass-through both run in handlers/deployments.py's `_StreamingHandler`, which opens one
`RequestMeter` per request (after the request's checks, so a refused request is no traffic) and
closes it when the response ends. Idle stop reads the last request's time and the requests in
flight; the metrics panel reads all of it.

In memory, per server process: a restarted server knows nothing of the requests before it, so the
idle clock of a deployment starts again at the server's start (`Traffic.since`)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..api.metrics import ProxyMetrics

WINDOW_S = 300.0  # requests and first-token times kept for the percentiles
RATE_WINDOW_S = 60.0  # tokens per second: over the last minute


@dataclass
class _Seen:
    last_request: float | None = None
    in_flight: int = 0
    requests_total: int = 0
    # (end time, time to first token or None, tokens) of the requests that ended within WINDOW_S.
    finished: deque[tuple[float, float | None, int]] = field(default_factory=deque)
    # [whole second, tokens relayed in it]: a token costs an addition, not an allocation.
    per_second: deque[list[int]] = field(default_factory=deque)


class RequestMeter:
    """One relayed request: `tokens(n)` as they pass (the first call sets the time to first token),
    `end()` once (later calls do nothing: a handler may end on finish and on a closed connection)."""

    __slots__ = ("_clock", "_count", "_ended", "_seen", "_traffic", "started", "ttft_s")

    def __init__(self, traffic: Traffic, seen: _Seen) -> None:
        self._traffic = traffic
        self._seen = seen
        self._clock = traffic.clock
        self.started = self._clock()
        self._count = 0
        self._ended = False
        self.ttft_s: float | None = None

    def tokens(self, n: int = 1) -> None:
        now = self._clock()
        if self.ttft_s is None:
            self.ttft_s = now - self.started
        self._count += n
        self._traffic.add_tokens(self._seen, now, n)

    def end(self, tokens: int | None = None) -> None:
        """The request ended; `tokens`, the engine's own count when it sent one, replaces ours."""
        if self._ended:
            return
        self._ended = True
        now = self._clock()
        if tokens is not None and tokens != self._count:
            self._traffic.add_tokens(self._seen, now, tokens - self._count)
            self._count = tokens
        seen = self._seen
        seen.in_flight -= 1
        seen.last_request = now  # a long answer is traffic until its end
        seen.finished.append((now, self.ttft_s, self._count))
        self._traffic.trim(seen, now)


class Unmeasured(RequestMeter):
    """A relayed request that is no deployment's (a connection's chat): nothing is counted."""

    __slots__ = ()

    def __init__(self) -> None:  # no traffic, no clock
        pass

    def tokens(self, n: int = 1) -> None:
        pass

    def end(self, tokens: int | None = None) -> None:
        pass


UNMEASURED = Unmeasured()


class Traffic:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.since = clock()  # what this server cannot know happened before it started
        self._seen: dict[str, _Seen] = {}

    def begin(self, deployment_id: str) -> RequestMeter:
        seen = self._seen.setdefault(deployment_id, _Seen())
        seen.in_flight += 1
        seen.requests_total += 1
        meter = RequestMeter(self, seen)
        seen.last_request = meter.started
        return meter

    def last_request(self, deployment_id: str) -> float | None:
        seen = self._seen.get(deployment_id)
        return seen.last_request if seen else None

    def in_flight(self, deployment_id: str) -> int:
        seen = self._seen.get(deployment_id)
        return seen.in_flight if seen else 0

    def add_tokens(self, seen: _Seen, now: float, n: int) -> None:
        second = int(now)
        buckets = seen.per_second
        if buckets and buckets[-1][0] == second:
            buckets[-1][1] += n
        else:
            buckets.append([second, n])
            while buckets and buckets[0][0] <= second - RATE_WINDOW_S:
                buckets.popleft()

    @staticmethod
    def trim(seen: _Seen, now: float) -> None:
        while seen.finished and seen.finished[0][0] < now - WINDOW_S:
            seen.finished.popleft()

    def snapshot(self, deployment_id: str) -> ProxyMetrics:
        now = self.clock()
        seen = self._seen.get(deployment_id) or _Seen()
        self.trim(seen, now)
        recent = [n for second, n in seen.per_second if second > now - RATE_WINDOW_S]
        ttfts = sorted(t for _, t, _ in seen.finished if t is not None)
        return ProxyMetrics(
            window_s=WINDOW_S,
            requests_total=seen.requests_total,
            requests_in_window=len(seen.finished),
            in_flight=seen.in_flight,
            tokens_per_s=round(sum(recent) / RATE_WINDOW_S, 2),
            ttft_p50_ms=_ms(_nearest_rank(ttfts, 0.5)),
            ttft_p95_ms=_ms(_nearest_rank(ttfts, 0.95)),
            last_request_age_s=None if seen.last_request is None else round(now - seen.last_request, 1),
        )


def _nearest_rank(ordered: list[float], q: float) -> float | None:
    """The q-quantile of a sorted sample by nearest rank (no interpolation: a handful of requests
    gives one of their own times, not a value between two)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
