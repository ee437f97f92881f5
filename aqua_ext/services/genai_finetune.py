"""OCI Generative AI fine-tuning (seed 003, Terraform `oci_generative_ai_model`): which hyperparameters
each training method takes, the service's defaults and ranges, and the 80/20 dataset split.

Sources: seed 003 (the provider's resource page) says which fields apply to which method
(`lora_*` when training_config_type=LORA_TRAINING_CONFIG, `num_of_last_layers` when
VANILLA_TRAINING_CONFIG) and that the one dataset is split 80/20. The defaults and ranges are Oracle's
"Hyperparameters for Fine-Tuning a Model in Generative AI" page
(docs.oracle.com/en-us/iaas/Content/generative-ai/fine-tuning-parameters.htm), which gives them per base
model; the figures below are its LoRA rows (meta.llama-3.x-70b-instruct) and its T-Few / Vanilla rows
for cohere.command, marked where a figure was not on the rows read and follows the LoRA one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.genai import GenAiTrainingConfig, ResolvedTrainingConfig, TrainingConfigType
from ..errors import InvalidInput

LORA_ONLY = ("lora_r", "lora_alpha", "lora_dropout")
VANILLA_ONLY = ("num_of_last_layers",)
COMMON = (
    "total_training_epochs",
    "learning_rate",
    "training_batch_size",
    "early_stopping_patience",
    "early_stopping_threshold",
    "log_model_metrics_interval_in_steps",
)


@dataclass(frozen=True)
class Bound:
    """A field's default and inclusive range (None: open); `below` makes the upper bound exclusive."""

    default: float
    low: float | None = None
    high: float | None = None
    below: bool = False

    def text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"from {self.low:g} to {'below ' if self.below else ''}{self.high:g}"
        if self.low is not None:
            return f"{self.low:g} or more"
        return f"up to {self.high:g}"

    def holds(self, value: float) -> bool:
        above_low = self.low is None or value >= self.low
        below_high = self.high is None or (value < self.high if self.below else value <= self.high)
        return above_low and below_high


# The rows every method shares. Epochs: "1 or a higher integer", default 3. Learning rate: "between 0 and
# 1.0". Batch size: "an integer between 8 and 16", default 8. Patience: "0 to disable, 1 or higher",
# default 15. Threshold: "0 or a positive number", default 0.0001. Logging interval: preset to 10 (0 turns
# it off, as seed 003 says).
_COMMON_BOUNDS: dict[str, Bound] = {
    "total_training_epochs": Bound(3, 1),
    "training_batch_size": Bound(8, 8, 16),
    "early_stopping_patience": Bound(15, 0),
    "early_stopping_threshold": Bound(0.0001, 0),
    "log_model_metrics_interval_in_steps": Bound(10, 0),
}

# T-Few and Vanilla share the rows above as the LoRA table gives them; their own rows were not read here.
BOUNDS: dict[TrainingConfigType, dict[str, Bound]] = {
    TrainingConfigType.LORA: {
        **_COMMON_BOUNDS,
        "learning_rate": Bound(0.0002, 0, 1),
        "lora_r": Bound(8, 1, 64),  # "an integer from 1 to 64", default 8 (read on the page)
        # Not on the part of the page read here, recalled from it: re-check alpha 1-128 / 8, dropout [0, 1) / 0.1.
        "lora_alpha": Bound(8, 1, 128),
        "lora_dropout": Bound(0.1, 0, 1, below=True),
    },
    TrainingConfigType.TFEW: {
        **_COMMON_BOUNDS,
        "learning_rate": Bound(0.01, 0, 1),  # "For the T-Few training method, the default is 0.01"
    },
    TrainingConfigType.VANILLA: {
        **_COMMON_BOUNDS,
        "learning_rate": Bound(0.01, 0, 1),  # cohere.command's; cohere.command-light's is 6e-7
        # cohere.command's last 15 layers at most (recalled from the page, not read here: re-check).
        "num_of_last_layers": Bound(15, 1, 15),
    },
}

INTEGER_FIELDS = frozenset(
    {
        "total_training_epochs",
        "training_batch_size",
        "early_stopping_patience",
        "log_model_metrics_interval_in_steps",
        "num_of_last_layers",
        "lora_r",
        "lora_alpha",
    }
)

SPLIT_TRAIN = 0.8
SPLIT_STATEMENT = (
    "Generative AI takes one JSONL dataset per custom model and splits it 80/20: about 80% of the lines "
    'train the model and 20% validate it (the accuracy and loss it reports). Each line is {"prompt": …, '
    '"completion": …}.'
)


def _allowed(kind: TrainingConfigType) -> tuple[str, ...]:
    return (
        COMMON
        + (LORA_ONLY if kind == TrainingConfigType.LORA else ())
        + (VANILLA_ONLY if kind == TrainingConfigType.VANILLA else ())
    )


def resolve_training_config(config: GenAiTrainingConfig) -> ResolvedTrainingConfig:
    """The training configuration the service will run: the request's values checked against the method's
    ranges, the service's defaults for the rest. InvalidInput naming the field for one the method does not
    take (with the method that does) or a value out of range (with the range and the default). A request
    without a training_config leaves the method to the service (its default differs per base model)."""
    kind = config.training_config_type
    allowed = _allowed(kind)
    given = config.model_dump(exclude_none=True, exclude={"training_config_type"})
    for field in given:
        if field not in allowed:
            owner = TrainingConfigType.LORA if field in LORA_ONLY else TrainingConfigType.VANILLA
            raise InvalidInput.field(
                field,
                f"applies to training_config_type {owner.value} only, not {kind.value}; "
                f"remove it or choose {owner.value}",
            )
    bounds = BOUNDS[kind]
    values: dict[str, float | int] = {}
    defaulted: list[str] = []
    for field in allowed:
        bound = bounds[field]
        if field in given:
            value = given[field]
            if not bound.holds(value):
                raise InvalidInput.field(
                    field,
                    f"{value:g} is out of range for {kind.value}: {bound.text()} (the default is {bound.default:g})",
                )
            values[field] = value
        else:
            values[field] = int(bound.default) if field in INTEGER_FIELDS else bound.default
            defaulted.append(field)
    return ResolvedTrainingConfig(training_config_type=kind, defaulted=defaulted, **values)


def split_counts(lines: int) -> tuple[int, int]:
    """About how many of `lines` the service trains and validates on (80/20); the service rounds its own way."""
    if lines < 0:
        raise ValueError("lines must not be negative")
    train = round(lines * SPLIT_TRAIN)
    return train, lines - train


def split_statement(lines: int) -> str:
    train, validate = split_counts(lines)
    return f"{lines:,} lines: about {train:,} train and {validate:,} validate (80/20). " + SPLIT_STATEMENT
