"""The OpenAPI document is no looser than the server: what a request model's validators refuse,
the document refuses too (so a client generated from it, or schemathesis, never meets a
surprise 400), and what the document accepts the models accept."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from aqua_ext.api.datasets import ValidateDatasetRequest
from aqua_ext.api.deployments import ChatRequest, CreateDeploymentRequest, EmbedRequest
from aqua_ext.api.evaluations import CreateEvaluationRequest
from aqua_ext.api.finetunes import CreateFineTuneRequest
from aqua_ext.api.logs import LogsQuery
from aqua_ext.api.models import RegisterModelRequest
from aqua_ext.api.openapi import build_document

DOCUMENT = build_document()
REGISTRY = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(DOCUMENT))


def document_accepts(model: type[BaseModel], body: dict[str, Any]) -> bool:
    schema = {"$ref": f"urn:openapi#/components/schemas/{model.__name__}"}
    return Draft202012Validator(schema, registry=REGISTRY).is_valid(body)


def server_accepts(model: type[BaseModel], body: dict[str, Any]) -> bool:
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


DEPLOY = {"model_id": "m", "name": "d"}
FINETUNE = {"model_id": "m", "name": "f", "dataset_path": "d.jsonl"}
EVALUATION = {"deployment_id": "x", "name": "e", "dataset_path": "d.jsonl"}
REFUSED: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (ValidateDatasetRequest, {"path": "a\x00b"}),
    (ValidateDatasetRequest, {"path": ""}),
    (CreateDeploymentRequest, {**DEPLOY, "name": "   "}),
    (CreateDeploymentRequest, {**DEPLOY, "params": ["--x", "a\nb"]}),
    (CreateDeploymentRequest, {**DEPLOY, "params": [""]}),
    (ChatRequest, {"messages": []}),
    (ChatRequest, {}),
    (ChatRequest, {"messages": [{"role": "user", "content": "hi"}], "prompt": "hi"}),
    (ChatRequest, {"prompt": "  "}),
    (ChatRequest, {"prompt": "hi", "stop": [""]}),
    (EmbedRequest, {"inputs": ["  "]}),
    (EmbedRequest, {"inputs": ["x" * 100_001]}),
    (CreateFineTuneRequest, {**FINETUNE, "name": " "}),
    (CreateFineTuneRequest, {**FINETUNE, "dataset_path": "x\x00"}),
    (CreateFineTuneRequest, {**FINETUNE, "output_uri": "s3://bucket/x"}),
    (CreateFineTuneRequest, {**FINETUNE, "params": {"lora_target_modules": ["q_proj; rm -rf"]}}),
    (CreateEvaluationRequest, {**EVALUATION, "name": "\t"}),
    (CreateEvaluationRequest, {**EVALUATION, "params": {"stop": [""]}}),
    (CreateEvaluationRequest, {**EVALUATION, "finetune_id": "ft-1"}),  # both
    (CreateEvaluationRequest, {**EVALUATION, "dataset_path": None}),  # neither
    (CreateEvaluationRequest, {**EVALUATION, "connection_id": "conn-1"}),  # a deployment and a connection
    (CreateEvaluationRequest, {**EVALUATION, "deployment_id": None}),  # no model
    (CreateEvaluationRequest, {**EVALUATION, "deployment_id": ""}),
    (CreateEvaluationRequest, {**EVALUATION, "connection_model": "gpt-4o"}),  # a model of no connection
    (RegisterModelRequest, {"source": "huggingface", "hf_id": "no-slash"}),
    (RegisterModelRequest, {"source": "object_storage", "os_uri": "oci://bucket"}),
    (RegisterModelRequest, {"source": "local_folder", "path": "a\x00"}),
    (RegisterModelRequest, {"source": "local_folder", "hf_id": "org/name"}),
    (RegisterModelRequest, {"source": "huggingface", "hf_id": None}),
    (RegisterModelRequest, {"source": "object_storage"}),
    (CreateDeploymentRequest, {**DEPLOY, "log_group_id": "ocid1.loggroup.x"}),
    (CreateFineTuneRequest, {**FINETUNE, "log_id": "ocid1.log.x", "log_group_id": ""}),
    (CreateEvaluationRequest, {**EVALUATION, "log_id": "ocid1.log.x", "log_group_id": None}),
]
ACCEPTED: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (ValidateDatasetRequest, {"path": "data/train.jsonl"}),
    (CreateDeploymentRequest, {**DEPLOY, "params": ["--max-new-tokens", "64"]}),
    (ChatRequest, {"messages": [{"role": "user", "content": "hi"}]}),
    (ChatRequest, {"prompt": "Once upon a time", "messages": None, "stop": ["\n"]}),
    (EmbedRequest, {"inputs": ["hello"]}),
    (CreateFineTuneRequest, {**FINETUNE, "output_uri": " oci://b@ns/out ", "params": {"lora_target_modules": ["q"]}}),
    (CreateFineTuneRequest, {**FINETUNE, "output_uri": ""}),
    (CreateEvaluationRequest, {**EVALUATION, "params": {"stop": ["\n"]}}),
    (CreateEvaluationRequest, {**EVALUATION, "dataset_path": None, "finetune_id": "ft-1"}),
    (CreateEvaluationRequest, {**EVALUATION, "finetune_id": ""}),
    (CreateEvaluationRequest, {**EVALUATION, "deployment_id": None, "connection_id": "conn-1"}),
    (
        CreateEvaluationRequest,
        {"connection_id": "conn-1", "connection_model": "command-r", "name": "e", "finetune_id": "f"},
    ),
    (RegisterModelRequest, {"source": "huggingface", "hf_id": " Qwen/Qwen2.5-0.5B-Instruct "}),
    (RegisterModelRequest, {"source": "object_storage", "os_uri": "oci://bucket@ns/models/x"}),
    (RegisterModelRequest, {"source": "local_folder", "path": "models/m", "hf_id": None}),
    (CreateDeploymentRequest, {**DEPLOY, "log_group_id": "ocid1.loggroup.x", "log_id": "ocid1.log.x"}),
    (CreateFineTuneRequest, {**FINETUNE, "log_id": "", "log_group_id": None}),
]


@pytest.mark.parametrize(("model", "body"), REFUSED, ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_what_the_server_refuses_the_document_refuses(model: type[BaseModel], body: dict[str, Any]) -> None:
    assert not server_accepts(model, body)
    assert not document_accepts(model, body), f"the document accepts {body}, the server answers 400"


@pytest.mark.parametrize(("model", "body"), ACCEPTED, ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_what_the_document_accepts_the_server_accepts(model: type[BaseModel], body: dict[str, Any]) -> None:
    assert document_accepts(model, body)
    assert server_accepts(model, body)


def test_the_log_cursor_and_the_error_body_are_documented() -> None:
    logs = DOCUMENT["paths"]["/aqua-ext/deployments/{deployment_id}/logs"]["get"]["parameters"]
    [after] = [p for p in logs if p["name"] == "after"]
    assert after["schema"]["anyOf"][0]["pattern"] == LogsQuery.model_fields["after"].metadata[-1].pattern
    error = DOCUMENT["components"]["schemas"]["ErrorBody"]
    assert "fields" in error["properties"] and "fields" not in error["required"]


@pytest.mark.parametrize(
    ("ids", "ok"), [("a,b", True), (" a , b ,", True), (",a,,b", True), ("a", False), ("a, ", False)]
)
def test_the_compared_ids_are_documented(ids: str, ok: bool) -> None:
    from aqua_ext.api.evaluations import CompareQuery

    [param] = DOCUMENT["paths"]["/aqua-ext/compare/evaluations"]["get"]["parameters"]
    documented = Draft202012Validator(param["schema"]).is_valid(ids)
    served = len(CompareQuery(ids=ids).id_list()) >= 2
    assert documented == served == ok
