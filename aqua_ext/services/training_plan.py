"""The memory rules of fine-tuning, run before a driver is asked: which shape the form starts from
and with which batch, which job shape a run gets when none is asked for (the smallest that holds
it), and refusing a run that does not fit the shape asked for. The driver reports the facts
(backends/training.py: the model, the shapes, the hyperparameters the job trains with); the
estimate is training_fit.py's."""

from __future__ import annotations

from ..api.finetunes import FineTuneDefaultsQuery, FineTuneParams, TrainingFit
from ..backends.oci.shapes import get_shape
from ..backends.training import TrainingFacts
from ..errors import InvalidInput
from .memory_fit import GPU_USABLE_FRACTION, require_fit
from .training_fit import estimate_training_fit


def estimate(facts: TrainingFacts, params: FineTuneParams, shape: str | None) -> TrainingFit:
    known = [g for g in (get_shape(name) for name in facts.gpu_shapes) if g is not None]
    return estimate_training_fit(facts.model, params, facts.dtype(shape), hardware=facts.hardware, shapes=known)


def _fits(fit: TrainingFit, shape: str) -> bool:
    return any(t.name == shape and t.fits for t in fit.targets)


def fit_defaults(facts: TrainingFacts, query: FineTuneDefaultsQuery) -> tuple[str | None, FineTuneParams, TrainingFit]:
    """The shape the form starts on (the one asked for, the target's default, else the smallest that
    holds the run), the hyperparameters for it, and their fit."""
    shape = facts.shape
    if shape is None:
        shape = estimate(facts, facts.params_for(None), None).recommended_shape
    params = facts.params_for(shape)
    fit = estimate(facts, params, shape)
    # On this machine, start from a batch that fits: halve it while the estimate says it does not. (On
    # OCI the publisher's batch for the shape, from its FineTuneConfiguration, is the start.)
    if facts.hardware is not None and query.batch_size is None and shape is not None:
        while fit.total_gb is not None and not _fits(fit, shape) and params.batch_size > 1:
            params = params.model_copy(update={"batch_size": params.batch_size // 2})
            fit = estimate(facts, params, shape)
    return shape, params, fit


def training_shape(facts: TrainingFacts) -> str:
    """The shape a fine-tuning job runs on: the one asked for (or the target's default) once the run
    fits it, else the smallest GPU job shape that holds it. InvalidInput on field "shape" with the
    arithmetic otherwise."""
    model, shape = facts.model, facts.shape
    params = facts.params_for(shape)
    fit = estimate(facts, params, shape)
    if facts.hardware is not None and shape is not None:  # this machine: its GPU or its CPU
        target = next((t for t in fit.targets if t.name == shape), None)
        require_fit(
            f"training '{model.name}'",
            shape,
            target,  # the target named `shape`: its `fits` is the verdict for that shape
            fit.total_gb,
            fit.arithmetic,
            hint="Lower the batch size or sequence length, use LoRA, or pick a smaller model.",
        )
        return shape
    listed = ", ".join(facts.gpu_shapes) or "none"
    if shape is None:
        if fit.recommended_shape:
            return fit.recommended_shape
        if not facts.gpu_shapes:
            raise InvalidInput.field(
                "shape", "this compartment offers no GPU job shape, and OCI's fine-tuning container needs one"
            )
        if fit.total_gb is None:
            raise InvalidInput.field(
                "shape",
                f"the size of '{model.name}' is unknown, so no shape can be recommended; choose one of: {listed}",
            )
        raise InvalidInput.field(
            "shape",
            f"no GPU job shape in this compartment holds this training run of "
            f"'{model.name}' ({'; '.join(fit.arithmetic)}); lower batch_size or "
            "max_seq_length",
        )
    target = next((t for t in fit.targets if t.name == shape), None)
    require_fit(
        f"training '{model.name}'",
        shape,
        target,
        fit.total_gb,
        fit.arithmetic,
        usable_gb=target.memory_gb * GPU_USABLE_FRACTION if target else None,
        usable_detail=f"{target.gpu_count} GPU{'s' if target.gpu_count != 1 else ''}, "
        f"{GPU_USABLE_FRACTION:.0%} of {target.memory_gb:g} GB"
        if target
        else "",
        hint=f"Choose {fit.recommended_shape}, the smallest GPU job shape here that holds it, or lower "
        "batch_size or max_seq_length."
        if fit.recommended_shape
        else "No job shape here holds it: lower batch_size or max_seq_length.",
    )
    return shape
