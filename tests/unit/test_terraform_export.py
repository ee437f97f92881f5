"""Terraform export: valid HCL (parsed back with python-hcl2), the values the form had, escaping of
names in Korean and Japanese, quotes and `${`, and `terraform fmt` layout."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.genai import CreateGenAiFineTuneRequest, GenAiTrainingConfig, ObjectStorageDataset
from aqua_ext.api.models import Capability
from aqua_ext.errors import InvalidInput
from aqua_ext.services import terraform as tf
from aqua_ext.services.hcl import format_hcl, quote

hcl2 = pytest.importorskip("hcl2")
from hcl2.utils import SerializationOptions  # noqa: E402

COMPARTMENT = "ocid1.compartment.oc1..aaaa"
TRICKY = 'モデル "한국어" ${var.secret} %{if x} C:\\path\nnext'


def _unescape(text: str) -> str:
    """A string's literal value as Terraform reads it: python-hcl2 (strip_string_quotes) decodes the
    backslash escapes but keeps the template escapes `$${` and `%%{` as written."""
    return text.replace("$${", "${").replace("%%{", "%{")


def _parse(text: str) -> dict[str, Any]:
    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    parsed: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    return parsed


def _resource(parsed: dict[str, Any], kind: str) -> dict[str, Any]:
    for item in parsed.get("resource", []):
        if kind in item:
            (body,) = item[kind].values()
            return dict(body)
    raise AssertionError(f"no {kind} in {list(parsed)}")


def _variables(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: body for item in parsed.get("variable", []) for name, body in item.items()}


def _hf_model(**kwargs: Any) -> tf.ImportedModelSpec:
    return tf.ImportedModelSpec(
        compartment_ocid=COMPARTMENT,
        display_name=kwargs.pop("display_name", "Llama 3.1 8B 日本語"),
        capability=Capability.TEXT_TO_TEXT,
        hf_model_id="meta-llama/Llama-3.1-8B-Instruct",
        **kwargs,
    )


def test_quote_escapes_quotes_backslashes_and_interpolation() -> None:
    assert quote('a "b" ${c} %{d} e\\f') == '"a \\"b\\" $${c} %%{d} e\\\\f"'
    assert quote("줄\n바꿈\x01") == '"줄\\n바꿈\\u0001"'
    assert quote("$5 and 100%") == '"$5 and 100%"'  # a lone $ or % is no template


def test_imported_model_from_hugging_face() -> None:
    text = tf.imported_model_tf(_hf_model(hf_branch="main", hf_token_required=True, display_name=TRICKY))
    parsed = _parse(text)
    model = _resource(parsed, "oci_generative_ai_imported_model")
    assert model["compartment_id"] == "${var.compartment_ocid}"
    assert _unescape(model["display_name"]) == TRICKY
    assert model["capabilities"] == ["TEXT_TO_TEXT"]
    (source,) = model["data_source"]
    assert source == {
        "source_type": "HUGGING_FACE_MODEL",
        "model_id": "${var.hf_model_id}",
        "branch": "main",
        "access_token": "${var.hf_access_token}",
    }
    variables = _variables(parsed)
    assert variables["compartment_ocid"]["default"] == COMPARTMENT
    assert variables["hf_model_id"]["default"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert variables["hf_access_token"]["sensitive"] is True and "default" not in variables["hf_access_token"]
    # The `${` of the display name is escaped: Terraform reads no reference to var.secret in it.
    assert "$${var.secret}" in text and "%%{if x}" in text


def test_imported_model_from_object_storage() -> None:
    spec = tf.ImportedModelSpec(
        compartment_ocid=COMPARTMENT,
        display_name="임베딩",
        capability=Capability.EMBEDDING,
        namespace="ns",
        bucket="モデル",
        prefix="models/bge-m3/",
        region="ap-tokyo-1",
    )
    parsed = _parse(tf.imported_model_tf(spec))
    (source,) = _resource(parsed, "oci_generative_ai_imported_model")["data_source"]
    assert source["source_type"] == "OBJECT_STORAGE_OBJECT" and source["region"] == "ap-tokyo-1"
    assert source["prefix_name"] == "${var.model_prefix}"
    variables = _variables(parsed)
    assert (variables["model_bucket"]["default"], variables["model_prefix"]["default"]) == ("モデル", "models/bge-m3/")
    with pytest.raises(ValueError):
        tf.imported_model_tf(tf.ImportedModelSpec(COMPARTMENT, "x", Capability.EMBEDDING, namespace="ns"))


def test_cluster_and_endpoint_in_one_file() -> None:
    cluster = tf.ClusterSpec(COMPARTMENT, "클러스터 A10", unit_shape="A10_X2", unit_count=2)
    parsed = _parse(tf.hosting_tf(_hf_model(), cluster, "エンドポイント"))
    body = _resource(parsed, "oci_generative_ai_dedicated_ai_cluster")
    assert (body["type"], body["unit_shape"], body["unit_count"]) == ("HOSTING", "A10_X2", 2)
    assert _unescape(body["display_name"]) == "클러스터 A10"
    endpoint = _resource(parsed, "oci_generative_ai_endpoint")
    assert endpoint["model_id"] == "${oci_generative_ai_imported_model.imported_model.id}"
    assert endpoint["dedicated_ai_cluster_id"] == "${oci_generative_ai_dedicated_ai_cluster.cluster.id}"
    assert _unescape(endpoint["display_name"]) == "エンドポイント"


def test_cluster_refuses_an_unknown_unit_shape() -> None:
    with pytest.raises(InvalidInput) as caught:
        tf.cluster_tf(tf.ClusterSpec(COMPARTMENT, "x", unit_shape="A10_X3"))
    assert caught.value.fields and caught.value.fields[0].field == "unit_shape"


def test_endpoint_with_content_moderation() -> None:
    spec = tf.EndpointSpec(COMPARTMENT, "ep", "ocid1.model", "ocid1.cluster", content_moderation=True)
    endpoint = _resource(_parse(tf.endpoint_tf(spec)), "oci_generative_ai_endpoint")
    assert endpoint["content_moderation_config"] == [{"is_enabled": True}]
    assert endpoint["model_id"] == "ocid1.model"


def _finetune(config: GenAiTrainingConfig | None) -> CreateGenAiFineTuneRequest:
    return CreateGenAiFineTuneRequest(
        display_name='微調整 "v2"',
        base_model_id="ocid1.generativeaimodel.oc1..base",
        dedicated_ai_cluster_id="ocid1.generativeaidedicatedaicluster.oc1..ft",
        training_dataset=ObjectStorageDataset(namespace="ns", bucket="datasets", object="학습/train.jsonl"),
        training_config=config,
    )


def test_finetune_writes_every_hyperparameter_of_the_method() -> None:
    config = GenAiTrainingConfig(training_config_type="LORA_TRAINING_CONFIG", lora_r=16, learning_rate=0.00005)
    parsed = _parse(tf.finetune_tf(_finetune(config), COMPARTMENT))
    model = _resource(parsed, "oci_generative_ai_model")
    assert _unescape(model["display_name"]) == '微調整 "v2"'
    (details,) = model["fine_tune_details"]
    (dataset,) = details["training_dataset"]
    assert dataset["object"] == "${var.dataset_object}" and dataset["dataset_type"] == "OBJECT_STORAGE"
    (training,) = details["training_config"]
    assert training == {
        "training_config_type": "LORA_TRAINING_CONFIG",
        "total_training_epochs": 3,
        "learning_rate": 0.00005,
        "training_batch_size": 8,
        "early_stopping_patience": 15,
        "early_stopping_threshold": 0.0001,
        "log_model_metrics_interval_in_steps": 10,
        "lora_r": 16,
        "lora_alpha": 8,
        "lora_dropout": 0.1,
    }
    assert _variables(parsed)["dataset_object"]["default"] == "학습/train.jsonl"
    assert "learning_rate                       = 0.00005" in tf.finetune_tf(_finetune(config), COMPARTMENT)


def test_finetune_tfew_has_no_lora_fields_and_refuses_them() -> None:
    parsed = _parse(tf.finetune_tf(_finetune(GenAiTrainingConfig(training_config_type="TFEW_TRAINING_CONFIG")), ""))
    (details,) = _resource(parsed, "oci_generative_ai_model")["fine_tune_details"]
    (training,) = details["training_config"]
    assert training["training_config_type"] == "TFEW_TRAINING_CONFIG"
    assert not {"lora_r", "lora_alpha", "lora_dropout", "num_of_last_layers"} & set(training)
    assert "default" not in _variables(parsed)["compartment_ocid"]  # no compartment known: the user sets it
    with pytest.raises(InvalidInput) as caught:
        tf.finetune_tf(_finetune(GenAiTrainingConfig(training_config_type="TFEW_TRAINING_CONFIG", lora_r=4)), "")
    assert caught.value.fields and caught.value.fields[0].field == "lora_r"


def test_finetune_without_training_config_leaves_the_method_to_the_service() -> None:
    (details,) = _resource(_parse(tf.finetune_tf(_finetune(None), COMPARTMENT)), "oci_generative_ai_model")[
        "fine_tune_details"
    ]
    assert "training_config" not in details


def test_model_deployment_from_plain_values() -> None:
    spec = tf.ModelDeploymentSpec(
        compartment_ocid=COMPARTMENT,
        project_id="ocid1.datascienceproject.oc1..p",
        display_name="배포 デプロイ",
        model_id="ocid1.datasciencemodel.oc1..m",
        shape="VM.GPU.A10.2",
        image="iad.ocir.io/ns/odsc-vllm-serving:0.9",
        server_port=8080,
        health_check_port=8080,
        environment={"PARAMS": "--served-model-name odsc-llm --max-model-len 4096", "BASE_MODEL": "service_models/x"},
        instance_count=2,
        log_group_id="ocid1.loggroup.oc1..g",
        log_id="ocid1.log.oc1..l",
        freeform_tags={"aqua_ext_model": "m", "OCI_AQUA": "active"},
    )
    parsed = _parse(tf.model_deployment_tf(spec))
    body = _resource(parsed, "oci_datascience_model_deployment")
    assert _unescape(body["display_name"]) == "배포 デプロイ"
    assert body["freeform_tags"] == {"aqua_ext_model": "m", "OCI_AQUA": "active"}
    (config,) = body["model_deployment_configuration_details"]
    assert config["deployment_type"] == "SINGLE_MODEL"
    (model,) = config["model_configuration_details"]
    assert model["model_id"] == "ocid1.datasciencemodel.oc1..m" and model["bandwidth_mbps"] == 10
    assert model["instance_configuration"] == [{"instance_shape_name": "VM.GPU.A10.2"}]
    assert model["scaling_policy"] == [{"policy_type": "FIXED_SIZE", "instance_count": 2}]
    (environment,) = config["environment_configuration_details"]
    assert environment["environment_configuration_type"] == "OCIR_CONTAINER"
    assert environment["environment_variables"]["PARAMS"] == "--served-model-name odsc-llm --max-model-len 4096"
    (logs,) = body["category_log_details"]
    assert (
        logs["access"] == logs["predict"] == [{"log_group_id": "ocid1.loggroup.oc1..g", "log_id": "ocid1.log.oc1..l"}]
    )


def test_flex_shape_size() -> None:
    spec = tf.ModelDeploymentSpec(
        COMPARTMENT, "p", "cpu", "m", "VM.Standard.E4.Flex", "img", 8080, 8080, ocpus=4, memory_in_gbs=64.0
    )
    (config,) = _resource(_parse(tf.model_deployment_tf(spec)), "oci_datascience_model_deployment")[
        "model_deployment_configuration_details"
    ]
    (instance,) = config["model_configuration_details"][0]["instance_configuration"]
    assert instance["model_deployment_instance_shape_config_details"] == [{"ocpus": 4, "memory_in_gbs": 64}]


def _all_exports() -> list[str]:
    cluster = tf.ClusterSpec(COMPARTMENT, TRICKY, unit_shape="H100_X2", type="FINE_TUNING")
    config = GenAiTrainingConfig(training_config_type="VANILLA_TRAINING_CONFIG", num_of_last_layers=4)
    deployment = tf.ModelDeploymentSpec(
        COMPARTMENT, "p", TRICKY, "m", "VM.GPU.A10.1", "img", 8080, 8080, environment={"A": TRICKY}
    )
    return [
        tf.hosting_tf(_hf_model(hf_token_required=True, freeform_tags={"k": TRICKY}), cluster, TRICKY),
        tf.cluster_tf(cluster),
        tf.finetune_tf(_finetune(config), COMPARTMENT),
        tf.model_deployment_tf(deployment),
    ]


@pytest.mark.parametrize("index", range(4))
def test_format_is_idempotent_and_aligned(index: int) -> None:
    text = _all_exports()[index]
    assert format_hcl(text) == text
    assert format_hcl(format_hcl(text)) == format_hcl(text)
    assert text.endswith("}\n") and "\t" not in text
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, f"odd indent in {line!r}"
    # Consecutive one-line attributes of a block share the column of their `=`.
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  compartment_id "))
    assert lines[first].index(" = ") == lines[first + 1].index(" = "), lines[first : first + 2]


def test_format_realigns_text_laid_out_otherwise() -> None:
    messy = 'resource "a" "b" {\nx = 1\n    longer_name="v"\nblk {\n y = "}{"\n}\n}\n'
    assert format_hcl(messy) == (
        'resource "a" "b" {\n  x           = 1\n  longer_name = "v"\n  blk {\n    y = "}{"\n  }\n}\n'
    )


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
@pytest.mark.parametrize("index", range(4))
def test_terraform_fmt_leaves_the_export_unchanged(index: int) -> None:
    text = _all_exports()[index]
    result = subprocess.run(
        ["terraform", "fmt", "-"], input=text, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == text


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_terraform_reads_the_quoted_string_back_literally(tmp_path: Path) -> None:
    literal = TRICKY + " $${already} 100% $5"
    result = subprocess.run(
        ["terraform", "console"],
        input=f"jsonencode({quote(literal)})\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path,
    )
    # The console prints the JSON text as an HCL string: decode both layers.
    assert json.loads(json.loads(result.stdout.strip())) == literal


@pytest.mark.parametrize(
    ("name", "file_name"),
    [("My Chat 1", "my-chat-1.tf"), ("배포 デプロイ", "model_deployment.tf"), ("llama 日本語 v2", "llama-v2.tf")],
)
def test_file_name_keeps_ascii_only(name: str, file_name: str) -> None:
    assert tf.tf_file_name(name) == file_name


def test_model_deployment_spec_from_the_sdk_dict() -> None:
    oci = pytest.importorskip("oci")
    m = oci.data_science.models
    log = m.LogDetails(log_id="ocid1.log.oc1..l", log_group_id="ocid1.loggroup.oc1..g")
    details = m.CreateModelDeploymentDetails(
        display_name="배포",
        project_id="p",
        compartment_id=COMPARTMENT,
        category_log_details=m.CategoryLogDetails(access=log, predict=log),
        freeform_tags={"OCI_AQUA": "active"},
        model_deployment_configuration_details=m.SingleModelDeploymentConfigurationDetails(
            deployment_type="SINGLE_MODEL",
            model_configuration_details=m.ModelConfigurationDetails(
                model_id="m",
                instance_configuration=m.InstanceConfiguration(
                    instance_shape_name="VM.Standard.E4.Flex",
                    model_deployment_instance_shape_config_details=m.ModelDeploymentInstanceShapeConfigDetails(
                        ocpus=4, memory_in_gbs=64
                    ),
                ),
                scaling_policy=m.FixedSizeScalingPolicy(instance_count=3),
                bandwidth_mbps=10,
            ),
            environment_configuration_details=m.OcirModelDeploymentEnvironmentConfigurationDetails(
                image="img", server_port=8080, health_check_port=8081, environment_variables={"A": "ㄱ"}
            ),
        ),
    )
    from aqua_ext.backends.oci.deploy_request import model_deployment_spec

    spec = model_deployment_spec(oci.util.to_dict(details))
    assert spec == tf.ModelDeploymentSpec(
        COMPARTMENT,
        "p",
        "배포",
        "m",
        "VM.Standard.E4.Flex",
        "img",
        8080,
        8081,
        environment={"A": "ㄱ"},
        instance_count=3,
        ocpus=4,
        memory_in_gbs=64,
        log_group_id="ocid1.loggroup.oc1..g",
        log_id="ocid1.log.oc1..l",
        freeform_tags={"OCI_AQUA": "active"},
    )
