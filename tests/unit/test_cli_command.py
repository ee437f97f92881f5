"""The command line a Terraform export shows (services/cli_command.py), parsed back by the CLI's own argparse
parser: each flag must land on the request field it came from, names in Korean and Japanese, quotes, `$`
and engine `--param` tokens included, and a Hugging Face token never written."""

from __future__ import annotations

import argparse
import shlex
import subprocess

import pytest
from pydantic import SecretStr

from aqua_ext.api import genai
from aqua_ext.api.deployments import CreateDeploymentRequest
from aqua_ext.api.finetunes import CreateFineTuneRequest, FineTuneParams
from aqua_ext.api.models import Capability
from aqua_ext.cli.entry import build_parser
from aqua_ext.cli.finetune import _finetune_request
from aqua_ext.services.cli_command import create_command

TRICKY = "모델 \"한국어\" 日本語の'モデル' $HOME `x` --not-a-flag"


def _parse(cli: str) -> argparse.Namespace:
    """As bash runs it (comments, line continuations, quotes), with `aqua-ext` a function printing its
    arguments, then the CLI's own parser."""
    script = 'aqua-ext() { printf "%s\\0" "$@"; }\n' + cli
    out = subprocess.run(["bash", "-c", script], capture_output=True, check=True, env={"PATH": "/usr/bin:/bin"})
    words = out.stdout.decode().split("\0")[:-1]
    return build_parser().parse_args(words)


def test_hf_import_round_trips_without_the_token() -> None:
    request = genai.ImportGenAiModelRequest(
        source="huggingface",
        display_name=TRICKY,
        description="설명 – 説明",
        capability=Capability.TEXT_TO_TEXT,
        hf_id="meta-llama/Llama-3.1-8B-Instruct",
        revision="main",
        token=SecretStr("hf_secret_value"),
        vendor="Meta",
    )
    cli = create_command(request)
    assert "hf_secret_value" not in cli
    assert "HF_TOKEN" in cli.splitlines()[0] and cli.startswith("#")
    args = _parse(cli)
    assert (args.command, args.genai_command, args.models_command) == ("genai", "models", "import")
    assert args.name == request.display_name and args.description == request.description
    assert (args.capability, args.hf_id, args.os_uri) == ("TEXT_TO_TEXT", request.hf_id, None)
    assert (args.revision, args.vendor, args.version, args.region) == ("main", "Meta", None, None)
    assert args.export is None and not args.no_wait


def test_object_storage_import_has_no_token_note() -> None:
    request = genai.ImportGenAiModelRequest(
        source="object_storage",
        display_name="ローカルモデル",
        capability=Capability.EMBEDDING,
        os_uri="oci://bucket@namespace/models/my model",
        region="ap-seoul-1",
    )
    cli = create_command(request)
    assert "HF_TOKEN" not in cli
    args = _parse(cli)
    assert (args.name, args.os_uri, args.hf_id, args.region) == (
        request.display_name,
        request.os_uri,
        None,
        "ap-seoul-1",
    )
    assert args.capability == "EMBEDDING"


def test_cluster_round_trips() -> None:
    request = genai.CreateClusterRequest(
        display_name="클러스터 クラスタ",
        type="FINE_TUNING",
        unit_shape="A10_X2",
        unit_count=3,
        model_id="meta-llama/Llama-3.1-8B-Instruct",
        context_length=8192,
        dtype="float16",
    )
    args = _parse(create_command(request))
    assert args.clusters_command == "create"
    parsed = {
        "display_name": args.name,
        "type": args.type,
        "unit_shape": args.unit_shape,
        "unit_count": args.unit_count,
        "model_id": args.model_id,
        "context_length": args.context_length,
        "dtype": args.dtype,
        "description": args.description,
    }
    assert genai.CreateClusterRequest(**parsed) == request


@pytest.mark.parametrize("moderation", [True, False, None])
def test_endpoint_round_trips(moderation: bool | None) -> None:
    request = genai.CreateGenAiEndpointRequest(
        display_name="엔드포인트 '終点'",
        description="$(rm -rf /)",
        model_id="ocid1.generativeaimodel.oc1..aaaa",
        dedicated_ai_cluster_id="ocid1.generativeaidedicatedaicluster.oc1..bbbb",
        content_moderation=moderation,
    )
    args = _parse(create_command(request))
    assert (args.name, args.description, args.model_id, args.cluster_id) == (
        request.display_name,
        request.description,
        request.model_id,
        request.dedicated_ai_cluster_id,
    )
    assert args.content_moderation is moderation


def test_finetune_round_trips_every_hyperparameter() -> None:
    request = genai.CreateGenAiFineTuneRequest(
        display_name="미세조정 ファインチューン",
        base_model_id="ocid1.generativeaimodel.oc1..base",
        dedicated_ai_cluster_id="ocid1.generativeaidedicatedaicluster.oc1..ft",
        training_dataset=genai.ObjectStorageDataset(namespace="ns", bucket="data", object="sets/学習 data.jsonl"),
        training_config=genai.GenAiTrainingConfig(
            training_config_type="LORA_TRAINING_CONFIG", total_training_epochs=3, learning_rate=0.0002, lora_r=16
        ),
        vendor="자체",
        version="1.0",
    )
    args = _parse(create_command(request))
    assert args.finetunes_command == "create"
    assert genai.ObjectStorageDataset.from_uri(args.dataset) == request.training_dataset
    assert (args.name, args.base_model_id, args.cluster_id, args.vendor, args.version) == (
        request.display_name,
        request.base_model_id,
        request.dedicated_ai_cluster_id,
        "자체",
        "1.0",
    )
    config = genai.GenAiTrainingConfig(
        training_config_type=args.training_type,
        total_training_epochs=args.total_training_epochs,
        learning_rate=args.learning_rate,
        lora_r=args.lora_r,
    )
    assert config == request.training_config
    assert args.lora_alpha is None and args.training_batch_size is None


def test_deployment_round_trips_params_and_logging() -> None:
    request = CreateDeploymentRequest(
        model_id="ocid1.datasciencemodel.oc1..model",
        name='배포 デプロイ "v2"',
        description="it's $5",
        shape="VM.GPU.A10.2",
        replicas=2,
        engine="vllm",
        mode="completion",
        dtype="bfloat16",
        quantization="fp8",
        max_model_len=8192,
        params=["--max-num-seqs", "8", "--chat-template", "{{ 'a b' }}"],
        log_group_id="ocid1.loggroup.oc1..g",
        log_id="ocid1.log.oc1..l",
        target="oci",
        idle_stop_minutes=60,
    )
    args = _parse(create_command(request))
    assert (args.command, args.deployments_command) == ("deployments", "create")
    # The CLI splits each --param value as a shell would (cli/deployments.py).
    params = [token for value in args.param for token in shlex.split(value)]
    # Every other field has a flag of its own name.
    fields = {name: getattr(args, name) for name in CreateDeploymentRequest.model_fields if name != "params"}
    assert CreateDeploymentRequest(**fields, params=params) == request


def test_deployment_defaults_stay_short() -> None:
    cli = create_command(CreateDeploymentRequest(model_id="demo", name="데모"))
    args = _parse(cli)
    assert (args.model_id, args.name, args.param, args.shape, args.target) == ("demo", "데모", None, None, None)
    assert "--description" not in cli


@pytest.mark.parametrize("training_type", ["lora", "last_layers"])
def test_finetune_round_trips_to_the_same_request(training_type: str) -> None:
    """`finetune create` parsed back and made into a request by the CLI's own code is the request exported."""
    params = FineTuneParams(
        training_type=training_type,  # type: ignore[arg-type]
        epochs=2,
        learning_rate=0.0003,
        batch_size=4,
        max_seq_length=1024,
        pad_to_max_length=True,
        lora_target_modules=["q_proj", "v_proj"],
        last_n_layers=3,
        early_stopping_patience=2,
        early_stopping_threshold=0.01,
    )
    request = CreateFineTuneRequest(
        model_id="ocid1.datasciencemodel.oc1.iad.base",
        name=TRICKY,
        description="수학 – 数学",
        dataset_path="data/학습 データ.jsonl",
        validation_split=0.2,
        params=params,
        shape="VM.GPU.A10.2",
        replicas=2,
        output_uri="oci://ft@ns/runs",
        experiment_name="math",
        subnet_id="ocid1.subnet.oc1.iad.s",
        log_group_id="ocid1.loggroup.oc1.iad.g",
        log_id="ocid1.log.oc1.iad.l",
        target="oci",
    )
    args = _parse(create_command(request))
    assert (args.command, args.finetune_command) == ("finetune", "create")
    back = _finetune_request(args)
    expected = request.model_dump()
    if training_type == "lora":  # the CLI line leaves out what LoRA does not use
        expected["params"]["last_n_layers"] = FineTuneParams().last_n_layers
    assert back.model_dump() == expected
