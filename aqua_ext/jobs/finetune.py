"""The local fine-tuning job: `python -m aqua_ext.jobs.finetune SPEC.json`.

Runs one supervised fine-tuning (trl SFTTrainer; LoRA through peft, or the
last N decoder layers unfrozen) on the CPU, offline, in its own process: the
caller starts it detached (`start_new_session=True`, stdout and stderr
redirected to `<output_dir>/job.log`) so it survives a Jupyter restart, and
follows it through the files it writes in `output_dir`:

- `status.json`: state, message, progress (0..1), step, total_steps, epoch,
  started_at, updated_at, pid, and on failure `error` (technical) and
  `reason` (for people). Rewritten atomically (temp file + rename).
- `metrics.jsonl`: one JSON object per log: step, epoch, and train_loss +
  learning_rate (train logs) or validation_loss (evaluations).
- on success `model/`: full weights and the tokenizer, what an engine serves
  (LoRA: the adapter merged into the base weights), and for LoRA also
  `adapter/` (the peft adapter alone, small, for engines that load adapters).
  Written to a temp folder and renamed into place, so never half written.

States: ACCEPTED (written before anything heavy is imported) → IN_PROGRESS →
SUCCEEDED | FAILED; SIGTERM (or SIGINT) → CANCELING, training stops at the
next step → CANCELED, exit code 0. A job killed outright (SIGKILL, the OOM
killer) cannot write its last state: `read_status` reports a job whose
process is gone in a non-final state as FAILED, "killed".

The spec (JSON object): base_model_path, dataset_path, output_dir (required);
training_type ("lora" | "last_layers"), epochs, learning_rate, batch_size,
max_seq_length, pad_to_max_length, lora_r, lora_alpha, lora_dropout,
lora_target_modules (list or "all-linear"), last_n_layers, validation_split,
evaluation ("epoch" | "steps": every logging_steps), early_stopping_patience
(evaluations without improvement; 0 = off), early_stopping_threshold,
logging_steps, seed. See DEFAULTS.

Dataset rows (JSONL): instruction {prompt, completion} or conversational
{messages}, checked line by line by the same code as the dataset preflight
(aqua_ext.services.datasets). Instruction rows become a one-turn chat (user
prompt, assistant completion) when the tokenizer has a chat template (plain
prompt + completion otherwise, or for Llama-2 "[INST]" prompts, which are
already formatted); conversational rows are the prompt (all turns but the
last) and the completion (the final assistant turn), through the model's own
chat template. The loss is on the completion only.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from ..services.datasets import DatasetRow, scan_jsonl, split_rows
from . import job_status
from .job_status import (
    ACCEPTED,
    CANCELED,
    CANCELING,
    FAILED,
    FINAL_STATES,
    IN_PROGRESS,
    STATUS_FILE,
    SUCCEEDED,
    StatusFile,
    now,
    peak_rss_mb,
    read_spec,
    run_main,
)

METRICS_FILE = "metrics.jsonl"
LOG_FILE = job_status.LOG_FILE
read_status = job_status.read_status  # the server reads a job's status through this module too
ADAPTER_DIR, MODEL_DIR = "adapter", "model"

DEFAULTS: dict[str, Any] = {
    "training_type": "lora",
    "epochs": 3,
    "learning_rate": 2e-4,
    "batch_size": 8,
    "max_seq_length": 512,
    "pad_to_max_length": False,
    "lora_r": 8,
    "lora_alpha": 16,
    "lora_dropout": 0.05,
    "lora_target_modules": "all-linear",
    "last_n_layers": 1,
    "validation_split": 0.1,
    "evaluation": "epoch",
    "early_stopping_patience": 0,
    "early_stopping_threshold": 0.0,
    "logging_steps": 10,
    "seed": 42,
    "device": "cpu",
}
REQUIRED = ("base_model_path", "dataset_path", "output_dir")


class JobError(Exception):
    """A failure with a reason people can act on."""


class DataError(JobError):
    pass


class SpecError(JobError):
    pass


class Canceled(Exception):
    pass


class Job(StatusFile):
    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.output_dir = Path(spec["output_dir"]).expanduser().absolute()
        self.status: dict[str, Any] = {}
        self.cancel_requested = False
        self.started = time.monotonic()
        # "preparing" (reading data, importing, loading: nothing written but status.json, so a
        # cancel may end the process at once), "training" (stop at the next step), "saving".
        self.phase = "preparing"

    # ---- status and metrics -------------------------------------------------------

    def metric(self, record: dict[str, Any]) -> None:
        with (self.output_dir / METRICS_FILE).open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")

    def on_signal(self, signum: int, _frame: Any) -> None:
        if self.cancel_requested:
            return
        self.cancel_requested = True
        print(f"Received {signal.Signals(signum).name}: canceling", flush=True)
        if self.status.get("state") in FINAL_STATES:
            return
        if self.phase == "preparing" and self.status:
            # Imports and model loading can take long and hold nothing worth finishing: stop now.
            shutil.rmtree(self.output_dir / f".work-{os.getpid()}", ignore_errors=True)
            self.update(
                state=CANCELED,
                message="Canceled",
                peak_rss_mb=peak_rss_mb(),
                wall_s=round(time.monotonic() - self.started, 2),
            )
            for stale in self.output_dir.glob(f".{STATUS_FILE}.{os.getpid()}.*.tmp"):
                stale.unlink(missing_ok=True)  # an update this signal interrupted
            print("Canceled", flush=True)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        self.update(state=CANCELING, message="Canceling")

    def check_cancel(self) -> None:
        if self.cancel_requested:
            raise Canceled()

    # ---- the run ------------------------------------------------------------------

    def run(self) -> int:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        (self.output_dir / METRICS_FILE).unlink(missing_ok=True)
        self.update(
            state=ACCEPTED,
            message="Accepted",
            progress=0.0,
            step=0,
            total_steps=None,
            epoch=0.0,
            started_at=now(),
            pid=os.getpid(),
        )
        work = self.output_dir / f".work-{os.getpid()}"
        try:
            self._train(work)
        except Canceled:
            shutil.rmtree(work, ignore_errors=True)
            self.update(
                state=CANCELED,
                message="Canceled",
                peak_rss_mb=peak_rss_mb(),
                wall_s=round(time.monotonic() - self.started, 2),
            )
            print("Canceled", flush=True)
            return 0
        except BaseException as exc:
            shutil.rmtree(work, ignore_errors=True)
            traceback.print_exc()
            reason = human_reason(exc)
            self.update(
                state=FAILED,
                message=reason,
                reason=reason,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                peak_rss_mb=peak_rss_mb(),
                wall_s=round(time.monotonic() - self.started, 2),
            )
            return 1
        shutil.rmtree(work, ignore_errors=True)
        return 0

    def _train(self, work: Path) -> None:
        spec = self.spec
        rows = load_rows(Path(spec["dataset_path"]).expanduser())
        train_rows, validation_rows = split_rows(rows, float(spec["validation_split"]))
        if not train_rows:
            raise DataError("Data error: no training rows left after the validation split")
        self.check_cancel()

        self.update(message="Loading torch and the base model")
        import torch

        torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
        from datasets import Dataset
        from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
        from trl import SFTConfig, SFTTrainer

        torch.manual_seed(int(spec["seed"]))
        on_gpu = spec["device"] == "cuda"
        base = Path(spec["base_model_path"]).expanduser()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
            # bfloat16 on GPUs (half the memory, native speed); float32 on CPUs, where bf16 is slow.
            model = AutoModelForCausalLM.from_pretrained(
                str(base),
                local_files_only=True,
                dtype=torch.bfloat16 if on_gpu else torch.float32,
                low_cpu_mem_usage=True,
            )
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise JobError(f"Could not load the base model from {base}: {exc}") from exc
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        has_template = bool(getattr(tokenizer, "chat_template", None))
        if not has_template and any(r.format == "conversational" for r in rows):
            raise DataError("Data error: the dataset is conversational but the model's tokenizer has no chat template")
        self.check_cancel()

        peft_config = None
        if spec["training_type"] == "lora":
            from peft import LoraConfig

            targets = spec["lora_target_modules"]
            peft_config = LoraConfig(
                r=int(spec["lora_r"]),
                lora_alpha=int(spec["lora_alpha"]),
                lora_dropout=float(spec["lora_dropout"]),
                target_modules=targets if isinstance(targets, str) else list(targets),
                task_type="CAUSAL_LM",
            )
        else:
            freeze_all_but_last_layers(model, int(spec["last_n_layers"]))

        evaluate = bool(validation_rows)
        eval_strategy = "no" if not evaluate else ("steps" if spec["evaluation"] == "steps" else "epoch")
        max_len = int(spec["max_seq_length"])
        config = SFTConfig(
            output_dir=str(work / "trainer"),
            num_train_epochs=float(spec["epochs"]),
            learning_rate=float(spec["learning_rate"]),
            per_device_train_batch_size=int(spec["batch_size"]),
            per_device_eval_batch_size=int(spec["batch_size"]),
            max_length=max_len,
            pad_to_multiple_of=max_len if spec["pad_to_max_length"] else None,
            completion_only_loss=True,
            packing=False,
            logging_strategy="steps",
            logging_steps=int(spec["logging_steps"]),
            logging_first_step=True,
            eval_strategy=eval_strategy,
            eval_steps=int(spec["logging_steps"]) if eval_strategy == "steps" else None,
            save_strategy="no",
            report_to="none",
            use_cpu=not on_gpu,
            seed=int(spec["seed"]),
            data_seed=int(spec["seed"]),
            dataloader_num_workers=0,
            disable_tqdm=True,
            bf16=on_gpu,
            fp16=False,
        )

        job = self

        class JobCallback(TrainerCallback):
            def __init__(self) -> None:
                self.best: float | None = None
                self.bad_evals = 0

            def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
                job.update(
                    state=CANCELING if job.cancel_requested else IN_PROGRESS,
                    message="Canceling" if job.cancel_requested else "Training",
                    total_steps=state.max_steps,
                    progress=0.0,
                    training_started_at=now(),
                )

            def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
                if job.cancel_requested:
                    control.should_training_stop = True
                    control.should_evaluate = False
                    control.should_save = False
                    return
                total = state.max_steps or 1
                job.update(
                    step=state.global_step,
                    epoch=round(state.epoch or 0.0, 4),
                    progress=round(min(state.global_step / total, 1.0) * 0.98, 4),
                )

            def on_log(
                self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
            ) -> None:
                logs = logs or {}
                record: dict[str, Any] = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4)}
                if "loss" in logs:
                    record["train_loss"] = logs["loss"]
                    if "learning_rate" in logs:
                        record["learning_rate"] = logs["learning_rate"]
                elif "eval_loss" in logs:
                    record["validation_loss"] = logs["eval_loss"]
                else:
                    return  # the end-of-training summary: it goes into status.json
                job.metric(record)

            def on_evaluate(
                self, args: Any, state: Any, control: Any, metrics: dict[str, Any] | None = None, **kwargs: Any
            ) -> None:
                loss = (metrics or {}).get("eval_loss")
                patience = int(job.spec["early_stopping_patience"])
                if loss is None or patience <= 0:
                    return
                if self.best is None or loss < self.best - float(job.spec["early_stopping_threshold"]):
                    self.best, self.bad_evals = loss, 0
                    return
                self.bad_evals += 1
                if self.bad_evals >= patience:
                    print(f"Early stopping: validation loss did not improve for {patience} evaluations", flush=True)
                    job.status["early_stopped"] = True
                    control.should_training_stop = True

        self.update(message="Preparing the dataset")
        trainer = SFTTrainer(
            model=model,
            args=config,
            train_dataset=Dataset.from_list([to_example(r, has_template) for r in train_rows]),
            eval_dataset=(
                Dataset.from_list([to_example(r, has_template) for r in validation_rows]) if evaluate else None
            ),
            processing_class=tokenizer,
            peft_config=peft_config,
            callbacks=[JobCallback()],
        )
        self.phase = "training"
        self.check_cancel()
        result = trainer.train()
        self.phase = "saving"
        self.check_cancel()

        self.update(message="Saving", progress=0.99)
        staged: dict[str, Path] = {}
        trained: Any = trainer.model  # a PeftModel for LoRA (merge_and_unload), else the PreTrainedModel
        if spec["training_type"] == "lora":
            staged[ADAPTER_DIR] = work / ADAPTER_DIR
            trained.save_pretrained(str(staged[ADAPTER_DIR]))
            tokenizer.save_pretrained(str(staged[ADAPTER_DIR]))
            # Engines serve plain weights: merge the adapter into (this copy of) the base model.
            trained = trained.merge_and_unload()
        staged[MODEL_DIR] = work / MODEL_DIR
        trained.save_pretrained(str(staged[MODEL_DIR]))
        tokenizer.save_pretrained(str(staged[MODEL_DIR]))
        for folder in staged.values():
            for path in folder.rglob("*"):  # transformers writes weights 0600; an engine may run as another user
                path.chmod(0o755 if path.is_dir() else 0o644)
        self.check_cancel()
        for name, staging in staged.items():
            target = self.output_dir / name
            if target.exists():
                os.replace(target, work / f"previous-{name}")
            os.replace(staging, target)
        target = self.output_dir / MODEL_DIR
        shutil.rmtree(work / "trainer", ignore_errors=True)
        summary = {k: v for k, v in (result.metrics or {}).items() if isinstance(v, (int, float))}
        self.update(
            state=SUCCEEDED,
            message="Succeeded",
            progress=1.0,
            step=trainer.state.global_step,
            epoch=round(trainer.state.epoch or 0.0, 4),
            artifact=str(target),
            train_rows=len(train_rows),
            validation_rows=len(validation_rows),
            summary=summary,
            peak_rss_mb=peak_rss_mb(),
            wall_s=round(time.monotonic() - self.started, 2),
        )
        print(f"Succeeded: {target} (peak RSS {peak_rss_mb()} MiB)", flush=True)


# ---- data ---------------------------------------------------------------------------


def load_rows(path: Path) -> list[DatasetRow]:
    """The dataset's valid rows; DataError naming the first bad line."""
    try:
        scan = scan_jsonl(path, keep_rows=True, validation_split=0.0)
    except FileNotFoundError:
        raise DataError(f"Data error: {path}: no such file") from None
    except Exception as exc:  # the preflight's InvalidInput / PayloadTooLarge: empty, binary, too big
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise DataError(f"Data error: {exc}") from exc
    report = scan.report
    if report.errors_total:
        first = report.errors[0]
        more = f" ({report.errors_total} invalid lines in all)" if report.errors_total > 1 else ""
        raise DataError(f"Data error: line {first.line}: {first.message}{more}")
    if not scan.rows:
        raise DataError(f"Data error: {path} has no rows")
    return scan.rows


def to_example(row: DatasetRow, has_template: bool) -> dict[str, Any]:
    """A trl prompt-completion example (conversational when it goes through the chat template)."""
    if row.format == "conversational":
        messages = [{"role": role, "content": content} for role, content in row.messages]
        return {"prompt": messages[:-1], "completion": messages[-1:]}
    if has_template and not row.inst:
        return {
            "prompt": [{"role": "user", "content": row.prompt}],
            "completion": [{"role": "assistant", "content": row.completion}],
        }
    return {"prompt": row.prompt, "completion": row.completion}


# ---- models -------------------------------------------------------------------------


def freeze_all_but_last_layers(model: Any, n: int) -> None:
    """Train the last `n` decoder layers and the final norm; freeze the rest."""
    layers = None
    for module in model.modules():
        if type(module).__name__ == "ModuleList" and len(module) > 0 and layers is None:
            layers = module
    if layers is None:
        raise JobError("Cannot train the last layers of this model: no list of decoder layers found")
    if not 1 <= n <= len(layers):
        raise SpecError(f"Invalid job spec: last_n_layers must be between 1 and {len(layers)} for this model")
    for param in model.parameters():
        param.requires_grad = False
    for layer in list(layers)[-n:]:
        for param in layer.parameters():
            param.requires_grad = True
    inner = getattr(model, "model", None)
    norm = getattr(inner, "norm", None)
    if norm is not None:
        for param in norm.parameters():
            param.requires_grad = True


# ---- failures -----------------------------------------------------------------------


def human_reason(exc: BaseException) -> str:
    """What went wrong, for people: data error (with the line), out of memory, disk full, killed, ..."""
    if isinstance(exc, JobError):
        return str(exc)
    text = str(exc)
    name = type(exc).__name__
    if (
        isinstance(exc, MemoryError)
        or name == "OutOfMemoryError"
        or "out of memory" in text.lower()
        or "can't allocate memory" in text.lower()
        or "DefaultCPUAllocator" in text
    ):
        return "Out of memory: lower the batch size or the sequence length, use LoRA, or pick a smaller model"
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "Disk full: free space in the output folder and retry"
    if isinstance(exc, KeyboardInterrupt):
        return "Killed: the job was interrupted"
    if isinstance(exc, SystemExit):
        return f"Killed: the job exited (code {exc.code})"
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        return f"Permission denied: {exc}"
    return f"Training failed: {name}: {text}"[:1000]


# ---- spec and entry point -----------------------------------------------------------


def load_spec(path: Path) -> dict[str, Any]:
    raw = read_spec(path, required=REQUIRED, allowed=DEFAULTS, error=SpecError)
    spec = {**DEFAULTS, **raw}
    if spec["training_type"] not in ("lora", "last_layers"):
        raise SpecError('Invalid job spec: training_type must be "lora" or "last_layers"')
    if spec["evaluation"] not in ("epoch", "steps"):
        raise SpecError('Invalid job spec: evaluation must be "epoch" or "steps"')
    if spec["device"] not in ("cpu", "cuda"):
        raise SpecError('Invalid job spec: device must be "cpu" or "cuda"')
    if not 0 <= float(spec["validation_split"]) < 1:
        raise SpecError("Invalid job spec: validation_split must be in [0, 1)")
    for key in ("epochs", "learning_rate", "batch_size", "max_seq_length", "lora_r", "lora_alpha", "logging_steps"):
        if not float(spec[key]) > 0:
            raise SpecError(f"Invalid job spec: {key} must be positive")
    return spec


def main(argv: list[str] | None = None) -> int:
    return run_main(
        argv,
        "aqua_ext.jobs.finetune",
        load_spec=load_spec,
        spec_errors=(SpecError,),
        make_job=Job,
        offline_env=("HF_DATASETS_DISABLE_PROGRESS_BARS",),
    )


if __name__ == "__main__":
    sys.exit(main())
