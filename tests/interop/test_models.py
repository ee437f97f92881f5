"""Models, both ways: what aqua_ext registers AQUA lists, opens, deploys and fine-tunes; what AQUA
registers aqua_ext lists and opens with the parameters, context and architecture of its config.json,
and deploys with a max model length the model allows."""

from __future__ import annotations

import re
from typing import Any

from .conftest import AQUA_MODEL_CONFIG, World, llama_parameters


def test_aqua_lists_and_opens_a_model_aqua_ext_registered(world: World, aqua: Any, ext_model: dict) -> None:
    listed = aqua.model.list(compartment_id=world.compartment_id, category="USER", model_type="BASE")
    assert ext_model["id"] in [m.id for m in listed], "AQUA's custom-model list lacks aqua_ext's model"
    opened = aqua.model.get(ext_model["id"])
    assert opened.name == "ext-tiny-chat" and opened.ready_to_deploy


def test_aqua_deploys_a_model_aqua_ext_registered(world: World, aqua: Any, ext_model: dict) -> None:
    md = aqua.deployment.create(
        model_id=ext_model["id"],
        instance_shape="VM.GPU.A10.1",
        display_name="aqua-deploys-ext-model",
        compartment_id=world.compartment_id,
        project_id=world.project_id,
    )
    assert md.id and md.model_id == ext_model["id"]


def test_aqua_ext_lists_and_opens_a_model_aqua_registered(world: World, aqua_model: Any) -> None:
    listed = world.cli("models", "list")
    assert aqua_model.id in [m["id"] for m in listed], "aqua_ext's list lacks AQUA's registered model"
    opened = world.cli("models", "get", aqua_model.id)
    assert opened["name"] == "acme/tiny-chat"


def test_aqua_ext_reads_parameters_context_and_architecture_of_a_model_aqua_registered(
    world: World, aqua_model: Any
) -> None:
    opened = world.cli("models", "get", aqua_model.id)
    config = AQUA_MODEL_CONFIG  # the config.json the aqua_model fixture wrote
    h, heads, kv_heads, head_dim = (config[k] for k in ("hidden_size", "num_attention_heads",
                                                        "num_key_value_heads", "head_dim"))  # fmt: skip
    layers, inter, vocab = config["num_hidden_layers"], config["intermediate_size"], config["vocab_size"]
    weights = llama_parameters(config)
    # The count aqua_ext reports is the safetensors bytes over 2 bytes per bfloat16 weight; the fixture wrote
    # exactly the config's weights, so it is the config's count.
    assert opened.get("parameter_count") == weights, (
        f"parameter_count {opened.get('parameter_count')}, expected {weights} = embeddings {vocab}·{h} + {layers} "
        f"layers × (q,o 2·{h}·{heads}·{head_dim} + k,v 2·{h}·{kv_heads}·{head_dim} + MLP 3·{h}·{inter} + norms "
        f"2·{h}) + norm {h} + LM head {vocab}·{h}"
    )
    assert opened.get("context_length") == config["max_position_embeddings"], (
        f"context_length {opened.get('context_length')}, expected max_position_embeddings "
        f"{config['max_position_embeddings']}"
    )
    wanted = {
        "model_type": config["model_type"],
        "num_hidden_layers": layers,
        "hidden_size": h,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "head_dim": head_dim,
        "vocab_size": vocab,
        "tie_word_embeddings": config["tie_word_embeddings"],
    }
    architecture = opened.get("architecture") or {}
    got = {key: architecture.get(key) for key in wanted}
    assert got == wanted, f"{got} != {wanted} (config.json's values)"


def test_aqua_ext_deploys_a_model_aqua_registered_within_its_context(world: World, aqua_model: Any) -> None:
    md = world.cli(
        "deployments", "create", aqua_model.id, "--name", "ext-deploys-aqua-model", "--shape", "VM.GPU.A10.1"
    )
    env = world.emulator.deployments.deployments[md["id"]]["modelDeploymentConfigurationDetails"][
        "environmentConfigurationDetails"
    ]["environmentVariables"]
    lengths = re.findall(r"--max-model-len[ =](\d+)", env.get("PARAMS", ""))
    assert lengths and all(int(n) <= AQUA_MODEL_CONFIG["max_position_embeddings"] for n in lengths), (
        f"PARAMS={env.get('PARAMS')!r}"
    )
