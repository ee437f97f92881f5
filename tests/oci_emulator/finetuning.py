"""Plays Oracle AQUA's fine-tuning service container (``odsc-llm-fine-tuning``) inside emulated job runs.

A job whose environment carries ``AIP_SMC_FT_ARGUMENTS`` (the base and output model catalog OCIDs) and
``OCI__LAUNCH_CMD`` (the training flags) is a fine-tuning job. While its run is IN_PROGRESS the "container":

* logs what it does (when the run has a log);
* after each of the ``--num_epochs`` epochs appends that epoch's training and validation loss to the output
  model's custom metadata, grouped by description ``train_metrics_epoch`` / ``val_metrics_epoch`` (AQUA's
  reader groups them by description, in list order);
* at the end checks what the real container checks, failing the run with its exit codes ("Job run artifact
  execution failed with exit code N"): 41 training data unreadable, 51 output bucket missing, 52 output bucket
  not versioned; else it writes ``train_metrics_final`` / ``val_metrics_final``, ``fine_tune_output_path``
  and the adapter files under ``<output_dir>/<output model OCID>/``, tags the model ``OCI_AQUA = active``
  (ready to deploy), and the run SUCCEEDS.

Assumptions (the container is closed source): each metric value is a compact JSON object
``{"epoch": n, "loss": x}`` under the key ``<description>_<n>`` (finals: the key is the description); losses
are deterministic and decreasing. Knobs on ``emu.finetuning``: ``exit_code = N`` (the next run fails with it),
``loss = fn(epoch, validation) -> float``, ``tags_model = False`` (leave the OCI_AQUA tag as it is).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .core import now_rfc3339

if TYPE_CHECKING:
    from .jobs import JobService

FT_ARGUMENTS = "AIP_SMC_FT_ARGUMENTS"
LAUNCH_CMD = "OCI__LAUNCH_CMD"
CATEGORY = "Performance"


def default_loss(epoch: int, validation: bool) -> float:
    return round(2.0 * 0.75**epoch + (0.15 if validation else 0.0), 4)


@dataclass
class _Training:
    model_id: str
    epochs: int
    training_data: str
    output_dir: str


def _flags(command: str) -> dict[str, str]:
    words = shlex.split(command)
    return {words[i][2:]: words[i + 1] for i in range(len(words) - 1) if words[i].startswith("--")}


def _os_parts(uri: str) -> tuple[str, str, str] | None:
    """(bucket, namespace, object name or prefix) of oci://bucket@namespace/name."""
    if not uri.startswith("oci://") or "@" not in uri:
        return None
    bucket, _, rest = uri[len("oci://") :].partition("@")
    namespace, _, name = rest.partition("/")
    return bucket, namespace, name.strip("/")


class FineTuningContainer:
    def __init__(self, jobs: JobService) -> None:
        self.jobs = jobs
        self.ds = jobs.ds
        self.emu = jobs.emu
        self.training: dict[str, _Training] = {}  # run OCID -> what it trains
        # Knobs:
        self.exit_code: int | None = None  # the next fine-tuning run fails with this exit code
        self.loss: Callable[[int, bool], float] = default_loss
        # False: the container leaves OCI_AQUA as AQUA created it ("") when the run succeeds (to test a client's
        # fallback for a model nobody tagged).
        self.tags_model = True

    # ------------------------------------------------------------------ helpers
    def _plan(self, run: dict, job: dict) -> _Training | None:
        from .jobs import job_environment

        env = job_environment(job)
        env.update(((run.get("jobConfigurationOverrideDetails") or {}).get("environmentVariables")) or {})
        if FT_ARGUMENTS not in env:
            return None
        args = json.loads(env[FT_ARGUMENTS])
        flags = _flags(env.get(LAUNCH_CMD, ""))
        return _Training(
            model_id=args["outputModel"]["modelId"],
            epochs=int(flags.get("num_epochs", "3")),
            training_data=flags.get("training_data", ""),
            output_dir=flags.get("output_dir", ""),
        )

    def _add_metadata(self, model_id: str, key: str, value: str, description: str) -> None:
        rec = self.ds.models.get(model_id)
        if rec is None:  # the output model was deleted meanwhile; the real container would fail on UpdateModel
            return
        items = [i for i in rec["customMetadataList"] if i["key"] != key]
        items.append({"key": key, "value": value, "description": description, "category": CATEGORY,
                      "keywords": None, "hasArtifact": False})  # fmt: skip
        rec["customMetadataList"] = items
        rec["_etag"] = self.ds._etag(rec)

    def _mark_active(self, model_id: str) -> None:
        """The container tags its output model ready to deploy (``OCI_AQUA = active``; AQUA creates it with
        ``""``), the value ``ads.aqua.model`` reads as "ready to deploy"."""
        rec = self.ds.models.get(model_id)
        if rec is None or not self.tags_model:
            return
        tags = {k: v for k, v in (rec.get("freeformTags") or {}).items() if k.lower() != "oci_aqua"}
        rec["freeformTags"] = {**tags, "OCI_AQUA": "active"}
        rec["_etag"] = self.ds._etag(rec)

    def _metric(self, model_id: str, description: str, epoch: int, validation: bool, key: str | None = None) -> float:
        loss = self.loss(epoch, validation)
        value = json.dumps({"epoch": epoch, "loss": loss}, separators=(",", ":"))
        self._add_metadata(model_id, key or f"{description}_{epoch}", value, description)
        return loss

    # ------------------------------------------------------------------ the run
    def started(self, run: dict, job: dict, duration: float) -> None:
        """The run turned IN_PROGRESS: train, one epoch after another, within ``duration``."""
        plan = self._plan(run, job)
        if plan is None:
            return
        self.training[run["id"]] = plan
        self.jobs._log(run, f"Fine-tuning into model {plan.model_id} on {plan.training_data} for {plan.epochs} epochs")
        for epoch in range(1, plan.epochs + 1):
            self.emu.schedule(duration * epoch / (plan.epochs + 1), self._epoch_step(run, plan, epoch))

    def _epoch_step(self, run: dict, plan: _Training, epoch: int) -> Callable[[], None]:
        def step() -> None:
            if run["lifecycleState"] != "IN_PROGRESS":  # canceled: training stops
                return
            train = self._metric(plan.model_id, "train_metrics_epoch", epoch, False)
            val = self._metric(plan.model_id, "val_metrics_epoch", epoch, True)
            self.jobs._log(run, f"Epoch {epoch}/{plan.epochs}: train_loss={train} eval_loss={val}")

        return step

    def _check(self, plan: _Training) -> int | None:
        """The exit code the container would stop with, or None."""
        store = self.emu.objectstorage
        data = _os_parts(plan.training_data)
        if data is None or data[2] not in store.objects.get((data[1], data[0]), {}):
            return 41
        out = _os_parts(plan.output_dir)
        if out is None or (out[1], out[0]) not in store.buckets:
            return 51
        if store.buckets[(out[1], out[0])]["versioning"] != "Enabled":
            return 52
        return None

    def finished(self, run: dict, job: dict) -> tuple[str, str | None] | None:
        """The run's outcome when it is a fine-tuning run (None otherwise): the checks, then the outputs."""
        plan = self.training.pop(run["id"], None) or self._plan(run, job)
        if plan is None:
            return None
        code, self.exit_code = self.exit_code, None
        code = code or self._check(plan)
        if code is not None:
            self.jobs._log(run, f"Training stopped with exit code {code}")
            return "FAILED", f"Job run artifact execution failed with exit code {code}"
        self._metric(plan.model_id, "train_metrics_final", plan.epochs, False, key="train_metrics_final")
        self._metric(plan.model_id, "val_metrics_final", plan.epochs, True, key="val_metrics_final")
        bucket, namespace, prefix = _os_parts(plan.output_dir) or ("", "", "")
        folder = f"{prefix}/{plan.model_id}" if prefix else plan.model_id
        self.emu.objectstorage.put(namespace, bucket, f"{folder}/adapter_config.json",
                                   json.dumps({"peft_type": "LORA", "created": now_rfc3339()}))  # fmt: skip
        self.emu.objectstorage.put(namespace, bucket, f"{folder}/adapter_model.safetensors", b"\0" * 1024)
        location = f"oci://{bucket}@{namespace}/{folder}/"
        self._add_metadata(plan.model_id, "fine_tune_output_path", location, "Where the fine-tuned weights are")
        self._mark_active(plan.model_id)
        self.jobs._log(run, f"Saved the fine-tuned adapter to {location}")
        return "SUCCEEDED", None
