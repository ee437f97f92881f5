"""The conventions the local jobs (fine-tuning, evaluation) share: their states, `status.json` written
atomically (and read back, a killed job reported FAILED), the peak RSS, the spec's keys checked, and
the entry point's shape (`python -m aqua_ext.jobs.<job> SPEC.json`)."""

from __future__ import annotations

import itertools
import json
import os
import resource
import signal
import sys
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from ..backends.local.processes import proc_stat

ACCEPTED, IN_PROGRESS, SUCCEEDED, FAILED, CANCELING, CANCELED = (
    "ACCEPTED",
    "IN_PROGRESS",
    "SUCCEEDED",
    "FAILED",
    "CANCELING",
    "CANCELED",
)
FINAL_STATES = frozenset({SUCCEEDED, FAILED, CANCELED})
STATUS_FILE, LOG_FILE = "status.json", "job.log"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


_tmp_names = itertools.count()


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    # A fresh temp name each time: the SIGTERM handler may write while an update is half done.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{next(_tmp_names)}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:  # a full disk leaves no half-written temp file
        tmp.unlink(missing_ok=True)
        raise


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) is gone for our purposes.
    stat = proc_stat(pid)
    return stat is None or stat[0] != "Z"


def read_status(output_dir: Path | str) -> dict[str, Any] | None:
    """status.json of a job, or None before it exists. A job whose process is
    gone in a non-final state was killed (SIGKILL, the out-of-memory killer, a
    reboot): reported as FAILED with that reason."""
    path = Path(output_dir) / STATUS_FILE
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = status.get("pid")
    if status.get("state") not in FINAL_STATES and isinstance(pid, int) and not pid_alive(pid):
        status = {
            **status,
            "state": FAILED,
            "reason": "The job was killed (out of memory, or stopped by the system) before it finished",
            "error": "process gone without a final state",
        }
    return status


class StatusFile:
    """A job's `status.json`: `status` as last written, rewritten atomically by `update`."""

    output_dir: Path
    status: dict[str, Any]

    def update(self, **fields: Any) -> None:
        self.status.update(fields)
        self.status["updated_at"] = now()
        write_json_atomic(self.output_dir / STATUS_FILE, self.status)


def read_spec(
    path: Path, *, required: Iterable[str], allowed: Collection[str], error: Callable[[str], Exception]
) -> dict[str, Any]:
    """The spec file's JSON object, every `required` key given and none but those and `allowed`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise error("Invalid job spec: expected a JSON object")
    required = tuple(required)
    missing = [key for key in required if not raw.get(key)]
    if missing:
        raise error(f"Invalid job spec: missing {', '.join(missing)}")
    unknown = sorted(set(raw) - set(allowed) - set(required))
    if unknown:
        raise error(f"Invalid job spec: unknown keys {', '.join(unknown)}")
    return raw


class _Job(Protocol):
    def on_signal(self, signum: int, _frame: Any) -> None: ...

    def run(self) -> int: ...


def run_main(
    argv: list[str] | None,
    module: str,
    *,
    load_spec: Callable[[Path], dict[str, Any]],
    spec_errors: tuple[type[BaseException], ...],
    make_job: Callable[[dict[str, Any]], _Job],
    offline_env: Iterable[str] = (),
) -> int:
    """`python -m <module> SPEC.json`: offline, the spec loaded (exit 2 with the reason on stderr when it
    is unusable), SIGTERM and SIGINT cancel, the job's exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(f"usage: python -m {module} SPEC.json", file=sys.stderr)
        return 2
    # Offline for good: huggingface_hub reads these at import, so set them first.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in offline_env:
        os.environ.setdefault(name, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    spec_path = Path(args[0])
    bad_spec: tuple[type[BaseException], ...] = (OSError, ValueError, *spec_errors)
    try:
        spec = load_spec(spec_path)
    except bad_spec as exc:
        # No output_dir to report into (or not a trustworthy one): say it on stderr.
        print(f"{module}: {spec_path}: {exc}", file=sys.stderr)
        return 2
    job = make_job(spec)
    signal.signal(signal.SIGTERM, job.on_signal)
    signal.signal(signal.SIGINT, job.on_signal)
    return job.run()
