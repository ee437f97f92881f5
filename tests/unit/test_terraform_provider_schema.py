"""Every attribute and block the Terraform exports write is one the OCI provider's schema takes (Required or
Optional), as its Go source declares it: tests/fixtures/terraform_provider_schema.json holds what
tests/terraform_schema.py read from oracle/terraform-provider-oci at the commit it names, and is compared with
a provider checkout when one is at hand (AQUA_TF_PROVIDER_SRC=<checkout or bare repository>).

The OCI fine-tune's job (written from the driver's CreateJobDetails) is checked where the driver writes it,
in tests/handlers/test_oci_finetune_export.py."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.genai import GenAiTrainingConfig
from aqua_ext.services import terraform as tf
from tests.terraform_schema import extract, load_fixture, settable_paths, unknown_paths, written_paths
from tests.unit.test_terraform_export import COMPARTMENT, TRICKY, _finetune, _hf_model, _parse

GO = """
func ExampleResource() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			// Required
			"compartment_id": {
				Type:     schema.TypeString,
				Required: true,
			},
			"config": {
				Type:     schema.TypeList,
				Optional: true,
				MaxItems: 1,
				Elem: &schema.Resource{
					Schema: map[string]*schema.Schema{
						"kind": {
							Type:     schema.TypeString,
							Required: true,
						},
						"seen": {
							Type:     schema.TypeString,
							Computed: true,
						},
					},
				},
			},
			// Computed
			"state": {
				Type:     schema.TypeString,
				Computed: true,
			},
		},
	}
}

func other() map[string]interface{} { return map[string]interface{}{"not_schema": 1} }
"""


def test_the_reader_keeps_what_a_configuration_may_set() -> None:
    assert settable_paths(GO) == {"compartment_id", "config", "config.kind"}


def test_written_paths_walk_blocks_and_keep_maps_whole() -> None:
    body = {"a": 1, "tags": {"x": "y"}, "b": [{"c": 2, "d": [{"e": 3}]}], "names": ["p", "q"]}
    assert written_paths(body) == {"a", "tags", "b", "b.c", "b.d", "b.d.e", "names"}


def _exports() -> list[str]:
    lora = GenAiTrainingConfig(training_config_type="LORA_TRAINING_CONFIG", lora_r=16)
    tfew = GenAiTrainingConfig(training_config_type="TFEW_TRAINING_CONFIG")
    vanilla = GenAiTrainingConfig(training_config_type="VANILLA_TRAINING_CONFIG", num_of_last_layers=4)
    storage = tf.ImportedModelSpec(
        COMPARTMENT, "m", tf.Capability.TEXT_TO_TEXT, namespace="ns", bucket="b", prefix="p", region="us-ashburn-1"
    )
    cluster = tf.ClusterSpec(COMPARTMENT, TRICKY, unit_shape="H100_X2", type="HOSTING", description="d")
    endpoint = tf.EndpointSpec(COMPARTMENT, "e", "m", "c", content_moderation=True, description="d")
    deployment = tf.ModelDeploymentSpec(
        COMPARTMENT, "p", "d", "m", "VM.Standard.E4.Flex", "img", 8080, 8080, environment={"A": "b"},
        ocpus=4, memory_in_gbs=64.0, log_group_id="g", log_id="l", description="x", freeform_tags={"k": "v"},
    )  # fmt: skip
    return [
        tf.hosting_tf(
            _hf_model(
                hf_token_required=True, hf_branch="main", hf_commit="abc", vendor="v", version="1", description="d"
            ),
            cluster,
            "e",
        ),
        tf.imported_model_tf(storage),
        tf.endpoint_tf(endpoint),
        *(tf.finetune_tf(_finetune(config), COMPARTMENT) for config in (lora, tfew, vanilla)),
        tf.model_deployment_tf(deployment),
    ]


@pytest.mark.parametrize("index", range(7))
def test_every_attribute_and_block_is_in_the_provider_schema(index: int) -> None:
    parsed = _parse(_exports()[index])
    assert parsed["resource"]
    assert unknown_paths(parsed) == {}


def test_a_name_the_provider_does_not_take_is_caught() -> None:
    text = tf.endpoint_tf(tf.EndpointSpec(COMPARTMENT, "e", "m", "c")).replace("model_id", "served_model_id")
    assert unknown_paths(_parse(text)) == {"oci_generative_ai_endpoint": {"served_model_id"}}


def _checkout() -> Path | None:
    path = os.environ.get("AQUA_TF_PROVIDER_SRC")
    return Path(path) if path else None


@pytest.mark.skipif(_checkout() is None, reason="no provider checkout (set AQUA_TF_PROVIDER_SRC to compare)")
def test_the_fixture_is_what_the_provider_source_declares() -> None:
    checkout = _checkout()
    assert checkout is not None
    fresh = extract(checkout)
    fixture: dict[str, Any] = json.loads(Path("tests/fixtures/terraform_provider_schema.json").read_text())
    if fresh["commit"] == fixture["commit"]:
        assert fresh["resources"] == fixture["resources"]
    # Another commit: every path the exports may rely on must still be there.
    loaded = load_fixture()
    for kind, paths in fresh["resources"].items():
        assert loaded[kind] <= set(paths), (kind, sorted(loaded[kind] - set(paths)))
