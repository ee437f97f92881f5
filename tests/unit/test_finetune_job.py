"""The local fine-tuning job (python -m aqua_ext.jobs.finetune) as a real
detached subprocess: a LoRA run of the demo model finishes on CPU, cancel by
SIGTERM, and a bad dataset line fails with a reason naming the line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.jobs.finetune import (
    ADAPTER_DIR,
    CANCELED,
    FAILED,
    IN_PROGRESS,
    METRICS_FILE,
    MODEL_DIR,
    SUCCEEDED,
    read_status,
)
from tests.model_folders import needs_local_extra
from tests.process_groups import group_gone

pytestmark = [needs_local_extra, pytest.mark.engine]

ROOT = Path(__file__).resolve().parents[2]


def write_dataset(path: Path, rows: int = 200, bad_line: int | None = None) -> Path:
    """Short sums, "What is 3+4?" → "7": rows all distinct, so the split is stable."""
    lines = []
    for i in range(rows):
        a, b = divmod(i, 20)
        lines.append(json.dumps({"prompt": f"What is {a}+{b}?", "completion": str(a + b)}))
    if bad_line is not None:
        lines[bad_line - 1] = '{"prompt": "What is 1+1?", "completion": '  # truncated JSON
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_job(tmp_path: Path, model: Path, dataset: Path, **overrides: Any) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "job"
    spec = {
        "base_model_path": str(model),
        "dataset_path": str(dataset),
        "output_dir": str(out),
        "training_type": "lora",
        "epochs": 3,
        "learning_rate": 5e-3,
        "batch_size": 8,
        "max_seq_length": 64,
        "lora_r": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.0,
        "logging_steps": 5,
        "validation_split": 0.1,
        "seed": 0,
        **overrides,
    }
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with (out / "job.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aqua_ext.jobs.finetune", str(spec_path)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
            start_new_session=True,
        )
    return proc, out


def wait(proc: subprocess.Popen[bytes], out: Path, timeout: float) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail(f"the job ran over {timeout}s; log:\n{(out / 'job.log').read_text()[-3000:]}")


def test_lora_run_finishes_and_the_adapter_generates(tmp_path: Path, demo_model_dir: Path) -> None:
    proc, out = start_job(tmp_path, demo_model_dir, write_dataset(tmp_path / "sums.jsonl"))
    code = wait(proc, out, timeout=120)
    log = (out / "job.log").read_text()
    assert code == 0, log[-3000:]
    status = read_status(out)
    assert status is not None and status["state"] == SUCCEEDED, (status, log[-3000:])
    assert status["progress"] == 1.0 and status["step"] == status["total_steps"] > 0
    assert status["train_rows"] + status["validation_rows"] == 200 and status["validation_rows"] > 0
    assert status["pid"] == proc.pid and status["peak_rss_mb"] > 0

    records = [json.loads(line) for line in (out / METRICS_FILE).read_text().splitlines()]
    train = [r["train_loss"] for r in records if "train_loss" in r]
    validation = [r["validation_loss"] for r in records if "validation_loss" in r]
    assert len(train) >= 3 and train[-1] < train[0]
    assert len(validation) == 3  # one evaluation per epoch
    assert all({"step", "epoch", "learning_rate"} <= set(r) for r in records if "train_loss" in r)
    assert records[-1]["epoch"] == 3.0

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter = out / ADAPTER_DIR
    assert (adapter / "adapter_config.json").is_file() and (adapter / "adapter_model.safetensors").is_file()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temp folders left
    tokenizer = AutoTokenizer.from_pretrained(str(adapter), local_files_only=True)
    base = AutoModelForCausalLM.from_pretrained(str(demo_model_dir), local_files_only=True)
    model = PeftModel.from_pretrained(base, str(adapter))
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is 2+3?"}], tokenize=False, add_generation_prompt=True
    )
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        generated = model.generate(**inputs, max_new_tokens=4, do_sample=False)
        # The merged model (what engines serve) computes what base + adapter computes.
        merged = AutoModelForCausalLM.from_pretrained(str(out / MODEL_DIR), local_files_only=True)
        assert torch.allclose(merged(**inputs).logits, model(**inputs).logits, atol=1e-4)
    assert generated.shape[1] > inputs["input_ids"].shape[1]
    assert status["artifact"] == str(out / MODEL_DIR)


def test_sigterm_cancels_the_run(tmp_path: Path, demo_model_dir: Path) -> None:
    # Many epochs, so the run is surely still training when the signal comes.
    proc, out = start_job(tmp_path, demo_model_dir, write_dataset(tmp_path / "sums.jsonl"), epochs=50)
    deadline = time.monotonic() + 60
    while True:
        status = read_status(out)
        if status and status["state"] == IN_PROGRESS and status.get("step", 0) >= 2:
            break
        assert proc.poll() is None, (out / "job.log").read_text()[-3000:]
        assert time.monotonic() < deadline, f"never started training: {status}"
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGTERM)
    code = wait(proc, out, timeout=30)
    log = (out / "job.log").read_text()
    assert code == 0, log[-3000:]
    status = read_status(out)
    assert status is not None and status["state"] == CANCELED, status
    assert status["step"] < status["total_steps"]  # it stopped at a step, not at the end of 50 epochs
    assert not (out / ADAPTER_DIR).exists()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert group_gone(proc.pid)


def test_a_bad_line_fails_with_its_number(tmp_path: Path, demo_model_dir: Path) -> None:
    proc, out = start_job(tmp_path, demo_model_dir, write_dataset(tmp_path / "sums.jsonl", bad_line=17))
    code = wait(proc, out, timeout=60)
    assert code == 1
    status = read_status(out)
    assert status is not None and status["state"] == FAILED, status
    assert "line 17" in status["reason"] and status["reason"].startswith("Data error")
    assert not (out / ADAPTER_DIR).exists()
    assert group_gone(proc.pid)


def test_a_killed_job_reads_as_failed(tmp_path: Path) -> None:
    out = tmp_path / "job"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    (out / "status.json").write_text(json.dumps({"state": IN_PROGRESS, "pid": proc.pid}))
    status = read_status(out)
    assert status is not None and status["state"] == FAILED and "killed" in status["reason"]


def test_sigterm_while_loading_cancels_at_once(tmp_path: Path, demo_model_dir: Path) -> None:
    proc, out = start_job(tmp_path, demo_model_dir, write_dataset(tmp_path / "sums.jsonl"))
    deadline = time.monotonic() + 30
    while read_status(out) is None:  # ACCEPTED: written before torch is imported
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGTERM)
    assert wait(proc, out, timeout=30) == 0
    status = read_status(out)
    assert status is not None and status["state"] == CANCELED, status
    # Canceled while loading: training never began (no waiting for a first step).
    assert "training_started_at" not in status and status["step"] == 0, status
    assert not (out / ADAPTER_DIR).exists()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert group_gone(proc.pid)
