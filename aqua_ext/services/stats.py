"""Small statistics shared by reports (token lengths, latencies)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (a value that occurred, never an
    interpolation: "p95 latency 812 ms" is a request that took 812 ms)."""
    index = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[index]
