"""What a target reports about training a model, for the fine-tunes service's memory fit
(services/training_plan.py): facts only, the rules (which shape holds the run, which batch the
form starts from, refusing a run that does not fit) are the service's."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..api.finetunes import FineTuneParams
from ..api.fit import Dtype
from ..api.info import Hardware
from ..api.models import ModelDetail


@dataclass(frozen=True)
class TrainingFacts:
    model: ModelDetail
    # What the job trains with: the form's defaults (or the request's params), with the publisher's
    # per-shape values where the target has them, by shape ("" before a shape is chosen).
    params: dict[str, FineTuneParams]
    shapes: list[str]  # the job shapes offered, in the form's order
    shape: str | None  # the shape asked for or the target's default; None: the smallest that holds it
    hardware: Hardware | None = None  # local: this machine (its first GPU and its RAM)
    gpu_shapes: list[str] = field(default_factory=list)  # OCI: the compartment's GPU job shapes

    def params_for(self, shape: str | None) -> FineTuneParams:
        return self.params.get(shape or "", self.params[""])

    @staticmethod
    def dtype(shape: str | None) -> Dtype:
        # What the job trains in: float32 on a CPU (jobs/finetune.py), bfloat16 on a GPU (OCI's too).
        return "float32" if shape == "cpu" else "bfloat16"
