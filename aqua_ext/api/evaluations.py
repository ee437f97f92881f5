"""Evaluations: a deployment answers a JSONL dataset's prompts; the answers are scored against
the references (BERTScore, ROUGE, BLEU, chrF, exact match, readability, latency) into a report."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .common import LOG_PAIR_SCHEMA, NOT_BLANK_SCHEMA, ApiModel, TargetProblem, UserPath, log_pair, not_blank
from .datasets import DatasetReport
from .deployments import ADAPTER_NAME
from .finetunes import FineTuneState

# Evaluations move through the same states as jobs do (OCI runs them as jobs too).
EvaluationState = FineTuneState

# What may be done with an evaluation now: compare it with others once it SUCCEEDED.
EvaluationAction = Literal["cancel", "delete", "compare"]

MetricName = Literal["bertscore", "rouge", "bleu", "chrf", "exact_match", "readability", "latency", "judge"]
# The metrics an evaluation computes unless told: "judge" needs a model that grades (`judge`), so it
# runs when the request names one.
ALL_METRICS: tuple[MetricName, ...] = ("bertscore", "rouge", "bleu", "chrf", "exact_match", "readability", "latency")
# LLM-as-judge: how the judge is told to grade (a custom rubric brings its own text), and its scale.
JudgeRubric = Literal["correctness", "helpfulness", "custom"]
JUDGE_SCALE = (1, 5)  # the judge's integer score; summaries show it normalised to 0..1, (score - 1) / 4
MAX_JUDGES = 2


class ModelParameters(ApiModel):
    """How the deployment is asked: the playground's sampling fields."""

    max_tokens: int = Field(default=256, ge=1, le=32_768)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=-1, le=10_000)
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    stop: list[str] = Field(
        default_factory=list, max_length=8, json_schema_extra={"items": {"type": "string", "minLength": 1}}
    )
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)

    @field_validator("stop")
    @classmethod
    def _stops(cls, value: list[str]) -> list[str]:
        if any(not s for s in value):
            raise ValueError("stop sequences must not be empty")
        return value


_GIVEN: dict[str, Any] = {"type": "string", "minLength": 1}


class JudgeModel(ApiModel):
    """A model that grades the answers: a deployment that can chat, or a connection (and which of its
    models; absent: its default, else its first). Exactly one of deployment_id, connection_id."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["deployment_id"], "properties": {"deployment_id": _GIVEN}},
                {"required": ["connection_id"], "properties": {"connection_id": _GIVEN}},
            ],
            "if": {"required": ["model"], "properties": {"model": _GIVEN}},
            "then": {"required": ["connection_id"], "properties": {"connection_id": _GIVEN}},
        }
    )

    deployment_id: str | None = Field(default=None, min_length=1, max_length=400)
    connection_id: str | None = Field(default=None, min_length=1, max_length=400)
    model: str | None = Field(default=None, max_length=200)


class JudgeSettings(ApiModel):
    """LLM-as-judge: one or two models grade each answer against its reference with a rubric, on a
    1–5 scale, and say why; two judges' agreement is reported. Runs in the local evaluation job."""

    judges: list[JudgeModel] = Field(min_length=1, max_length=MAX_JUDGES)
    rubric: JudgeRubric = "correctness"
    # The custom rubric's text (what makes an answer a 5, a 1); only with rubric "custom".
    rubric_text: str = Field(default="", max_length=4000, validate_default=True)
    concurrency: int = Field(default=8, ge=1, le=64)  # judge requests in flight at once

    @field_validator("rubric_text")
    @classmethod
    def _custom_text(cls, value: str, info: ValidationInfo) -> str:
        rubric = info.data.get("rubric")
        if rubric == "custom" and not value.strip():
            raise ValueError("a custom rubric needs its text: what makes an answer score 5, and 1")
        if rubric not in (None, "custom") and value.strip():
            raise ValueError(f"only a custom rubric takes a text; '{rubric}' is built in")
        return value.strip()


class CreateEvaluationRequest(ApiModel):
    # The document says what the model validators check: a deployment_id or a connection_id, exactly
    # one (connection_model only with a connection); a dataset_path or a finetune_id, exactly one; a log pair.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                *LOG_PAIR_SCHEMA["allOf"],
                {
                    "oneOf": [
                        {"required": ["deployment_id"], "properties": {"deployment_id": _GIVEN}},
                        {"required": ["connection_id"], "properties": {"connection_id": _GIVEN}},
                    ]
                },
                {
                    "if": {"required": ["connection_model"], "properties": {"connection_model": _GIVEN}},
                    "then": {"required": ["connection_id"], "properties": {"connection_id": _GIVEN}},
                },
            ],
            "oneOf": [
                {"required": ["dataset_path"], "properties": {"dataset_path": {"type": "string"}}},
                {"required": ["finetune_id"], "properties": {"finetune_id": {"type": "string", "minLength": 1}}},
            ],
        }
    )

    # The model evaluated: an ACTIVE deployment ...
    deployment_id: str | None = Field(default=None, min_length=1, max_length=400)
    # ... or a connection (a hosted service, `conn-…`) that may `evaluate`; it runs on the local target,
    # and `connection_model` picks which of its models answers (absent: its default, else its first).
    connection_id: str | None = Field(default=None, min_length=1, max_length=400)
    connection_model: str | None = Field(default=None, max_length=200)
    # One of the deployment's LoRA adapters answers (its name); omitted: the base model.
    adapter: str | None = Field(default=None, pattern=ADAPTER_NAME)
    name: str = Field(min_length=1, max_length=100, json_schema_extra=NOT_BLANK_SCHEMA)
    description: str = Field(default="", max_length=2000)
    # Rows {prompt, completion[, category]}: a JSONL file inside the Jupyter root (OCI: or oci://) ...
    dataset_path: UserPath | None = None
    # ... or the dataset a fine-tune was trained on (its snapshot), e.g. to check the tuned model.
    finetune_id: str | None = Field(default=None, max_length=400)
    # Evaluate a sample of N rows (a seeded, reproducible choice); None: every row.
    sample_size: int | None = Field(default=None, ge=1, le=1_000_000)
    metrics: list[MetricName] = Field(default_factory=lambda: list(ALL_METRICS), min_length=1, max_length=8)
    # LLM-as-judge (the "judge" metric, added to `metrics` when absent); None: no judge.
    judge: JudgeSettings | None = None
    params: ModelParameters = Field(default_factory=ModelParameters)
    concurrency: int = Field(default=4, ge=1, le=64)  # requests in flight at once
    shape: str | None = Field(default=None, max_length=100)  # OCI: the evaluation job's CPU shape
    report_uri: str | None = Field(default=None, max_length=1024)  # OCI: where the report goes
    log_group_id: str | None = Field(default=None, max_length=255)  # OCI logging
    log_id: str | None = Field(default=None, max_length=255)
    # The target to run the evaluation on; omitted: the deployment's own target (the only one allowed).
    target: str | None = Field(default=None, max_length=50)

    _name_not_blank = field_validator("name")(not_blank)

    @field_validator("metrics")
    @classmethod
    def _unique(cls, value: list[MetricName]) -> list[MetricName]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _one_model(self) -> CreateEvaluationRequest:
        if bool(self.deployment_id) == bool(self.connection_id):
            raise ValueError("deployment_id: give a deployment_id or a connection_id (the model evaluated), not both")
        if self.connection_model and not self.connection_id:
            raise ValueError("connection_model: names a model of the connection evaluated; give a connection_id")
        if self.adapter and not self.deployment_id:
            raise ValueError("adapter: names an adapter of the deployment evaluated; give a deployment_id")
        return self

    @model_validator(mode="after")
    def _judged(self) -> CreateEvaluationRequest:
        if self.judge is None:
            if "judge" in self.metrics:
                raise ValueError("judge: the judge metric needs a model that grades (judge.judges)")
            return self
        for i, judge in enumerate(self.judge.judges):
            if bool(judge.deployment_id) == bool(judge.connection_id):
                raise ValueError(f"judge.judges.{i}.deployment_id: give a deployment_id or a connection_id, not both")
            if judge.model and not judge.connection_id:
                raise ValueError(f"judge.judges.{i}.model: names a model of a connection; give a connection_id")
        if "judge" not in self.metrics:
            self.metrics.append("judge")
        return self

    @model_validator(mode="after")
    def _one_dataset(self) -> CreateEvaluationRequest:
        if bool(self.dataset_path) == bool(self.finetune_id):
            raise ValueError("dataset_path: give a dataset_path or a finetune_id (its training data), not both")
        return log_pair(self)


class MetricScores(ApiModel):
    """Scores by name: bertscore, rouge1, rouge2, rougeL, exact_match (0..1), bleu, chrf (0..100),
    readability (Flesch reading ease), latency_ms_mean/p50/p95, tokens_per_s_mean."""

    scores: dict[str, float]
    rows: int


class EvaluationProvenance(ApiModel):
    """How a report was made, as the job wrote it into report.json (jobs/eval_provenance.py): the
    model asked (a deployment, or a connection and its model), the dataset as scored, the
    parameters sent with every row, the metric libraries' versions, the dates (ISO 8601, UTC)."""

    model_id: str | None = None
    model_name: str | None = None
    deployment_id: str | None = None
    deployment_name: str | None = None
    connection_id: str | None = None
    connection_name: str | None = None
    connection_model: str | None = None
    finetune_id: str | None = None
    dataset_path: str
    dataset_sha256: str
    dataset_rows: int
    sample_size: int | None = None  # set only when a sample was scored
    sample_seed: int | None = None
    params: dict[str, Any] = {}  # the sampling parameters sent (ModelParameters' fields)
    metric_versions: dict[str, str] = {}  # distribution name -> version
    aqua_ext_version: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class JudgeShown(ApiModel):
    """A judge as people know it: its deployment or connection (and model), and its name."""

    name: str
    deployment_id: str | None = None
    connection_id: str | None = None
    model: str | None = None


class JudgeSetup(ApiModel):
    """How an evaluation's answers are graded by judges (its request's judge settings, with names)."""

    rubric: JudgeRubric
    rubric_text: str = ""
    judges: list[JudgeShown]
    concurrency: int = 8


class JudgeTally(JudgeShown):
    """One judge's work over the run: rows it graded, rows it could not (its answer unparsable or its
    request failed: never a score of 0), its mean score on the 1–5 scale, and its token cost."""

    rows_scored: int
    rows_failed: int
    mean_score: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


class JudgeAgreement(ApiModel):
    """Two judges on the rows both graded: the share of equal scores, Cohen's kappa with quadratic
    weights (chance-corrected, for an ordinal scale) and Spearman's rank correlation; None where it
    is undefined (fewer than two rows, or a judge that gave one score to every row)."""

    rows: int
    exact: float | None
    kappa: float | None
    spearman: float | None


class JudgeReport(ApiModel):
    rubric: JudgeRubric
    rubric_text: str = ""
    scale: tuple[int, int] = JUDGE_SCALE
    judges: list[JudgeTally]
    agreement: JudgeAgreement | None = None  # two judges only
    prompt_tokens: int = 0  # all judges, every row: what the grading cost
    completion_tokens: int = 0


class JudgeVerdict(ApiModel):
    """One judge's grade of one row: a 1–5 score and its reason, or the error that kept it from one."""

    judge: int  # the judge's place in the report's judges (0-based)
    score: int | None = None
    reason: str | None = None
    error: str | None = None
    prompt_tokens: int | None = None  # None: the judge's service reported no usage
    completion_tokens: int | None = None


class EvaluationReport(ApiModel):
    overall: MetricScores
    categories: dict[str, MetricScores]
    rows_total: int
    rows_answered: int
    rows_failed: int  # the deployment answered with an error (the rows table says which)
    wall_seconds: float | None
    # Score name → how it was computed ("ROUGE on words, CJK text by character"), or why it was not
    # for some rows ("not meaningful for this language"): a score left out is not computed, never 0.
    notes: dict[str, str] = {}
    provenance: EvaluationProvenance | None = None  # None: a report written before jobs recorded it
    judge: JudgeReport | None = None  # LLM-as-judge, when a judge graded the answers


class EvaluationSummary(ApiModel):
    id: str
    name: str
    description: str
    # What answered: a deployment, or a connection (`connection_id` set, `deployment_id` "",
    # `deployment_name` the connection's name, `model_id` and `model_name` the service's model).
    deployment_id: str
    deployment_name: str
    # The deployment's LoRA adapter that answered (None: its base model, or a connection).
    adapter: str | None = None
    model_id: str
    model_name: str
    state: FineTuneState
    state_message: str
    metrics: list[MetricName]
    dataset_path: str
    dataset_hash: str
    rows_total: int
    rows_done: int
    progress: float  # 0..1
    eta_seconds: float | None
    # The headline scores once known (the report's overall scores), for lists and comparisons.
    scores: dict[str, float]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    target: str = ""  # the target that runs the job ("local", "oci")
    actions: list[EvaluationAction] = []
    connection_id: str | None = None


class EvaluationDetail(EvaluationSummary):
    params: ModelParameters
    concurrency: int
    sample_size: int | None
    finetune_id: str | None
    report: EvaluationReport | None
    # OCI: the job, its run and the report's location; None locally.
    job_id: str | None
    job_run_id: str | None
    report_uri: str | None
    failure_log: list[str]
    judge: JudgeSetup | None = None  # the judges grading the answers, if any


class EvaluationList(ApiModel):
    items: list[EvaluationSummary]
    total: int
    problems: list[TargetProblem] = []  # targets whose evaluations are missing, and why


class CreateEvaluationResponse(ApiModel):
    evaluation: EvaluationDetail
    preflight: DatasetReport


class EvaluationRow(ApiModel):
    index: int  # the row's place in the evaluated dataset (0-based)
    prompt: str
    reference: str
    output: str
    category: str | None
    latency_ms: float | None
    tokens_per_s: float | None
    scores: dict[str, float]
    error: str | None  # the deployment's error for this row
    judgements: list[JudgeVerdict] = []  # each judge's grade of this row (LLM-as-judge)


class EvaluationRowsQuery(ApiModel):
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=1000)
    sort: str | None = Field(default=None, max_length=50)  # a score name, or latency_ms
    descending: bool = False
    category: str | None = Field(default=None, max_length=200)


class EvaluationRows(ApiModel):
    items: list[EvaluationRow]
    total: int  # rows matching (before offset/limit)
    categories: list[str]


class CompareQuery(ApiModel):
    # Comma-separated evaluation ids, 2 to 8 (the pattern: at least two that are not blank).
    ids: str = Field(
        min_length=1, max_length=4000, json_schema_extra={"pattern": r"^(.*,)?[^,]*[^\s,][^,]*,(.*,)?[^,]*[^\s,]"}
    )

    def id_list(self) -> list[str]:
        return list(dict.fromkeys(i.strip() for i in self.ids.split(",") if i.strip()))


class EvaluationComparison(ApiModel):
    evaluations: list[EvaluationSummary]
    # metric → evaluation id → score (the overall scores side by side).
    overall: dict[str, dict[str, float]]
    # category → metric → evaluation id → score.
    categories: dict[str, dict[str, dict[str, float]]]
    # True when every evaluation scored the same dataset (same hash) and sample: a fair comparison.
    same_dataset: bool
    notes: list[str]  # what makes the comparison unfair, if anything
    # metric → the ids holding its best overall score (the lowest latency, else the highest); empty
    # (the metric left out) when fewer than two have the score or all tie.
    best: dict[str, list[str]]
    # category → metric → the ids holding its best score in that category, the same way.
    category_best: dict[str, dict[str, list[str]]]
