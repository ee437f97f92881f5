"""Whether a process group is gone, as the tests that start real engines and jobs check it."""

from __future__ import annotations

import os


def group_gone(pgid: int) -> bool:
    """True once no process of the group exists, zombies included. Stricter than the product's
    `backends.local.processes.group_gone` (which counts a zombie as gone): a test must see the
    group reaped, not only killed."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False
