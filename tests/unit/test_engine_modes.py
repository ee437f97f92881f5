"""Each target tells the deploy dialog which inference modes each engine deploys (`info.targets[].
engine_modes`), from the same table the driver checks a create request against: the dialog keeps no
table of its own (it once refused embedding for transformers, which the local target serves). Likewise
the engines that serve LoRA adapters (`adapter_engines`), from the table the adapter checks read."""

from __future__ import annotations

from pathlib import Path

from aqua_ext.backends.local.backend import LocalBackend
from aqua_ext.backends.local.engines import ENGINE_MODES
from aqua_ext.backends.oci.deploy_request import EMBEDDING_ENGINES, OCI_ENGINES, engine_modes
from aqua_ext.services.adapters import adapter_engines, takes_adapters
from aqua_ext.services.operations import OperationRegistry
from aqua_ext.services.targets import Targets


async def test_the_local_target_says_transformers_deploys_embeddings(tmp_path: Path) -> None:
    backend = LocalBackend(OperationRegistry(), data_dir=tmp_path, allowed_roots=[tmp_path], generate_demo=False)
    described = await backend.describe()
    assert "embedding" in described.engine_modes["transformers"]  # our embedding server serves it
    assert described.engine_modes == {engine: list(modes) for engine, modes in ENGINE_MODES.items()}
    assert "engine_modes" in described.model_dump(mode="json")


def test_oci_embedding_modes_follow_the_engines_the_create_check_allows() -> None:
    modes = engine_modes()
    assert set(modes) == set(OCI_ENGINES)
    assert {engine for engine, served in modes.items() if "embedding" in served} == set(EMBEDDING_ENGINES)
    assert "embedding" not in modes["llama.cpp"]
    assert all(served[:2] == ["chat", "completion"] for served in modes.values())


async def test_the_local_target_names_the_engines_that_serve_adapters_as_the_create_check_does(tmp_path: Path) -> None:
    backend = LocalBackend(OperationRegistry(), data_dir=tmp_path, allowed_roots=[tmp_path], generate_demo=False)
    [described] = await Targets([backend], started=True).describe()
    assert described.adapter_engines == {"vllm": "live", "llama.cpp": "restart"}
    assert {e for e in ("transformers", "vllm", "llama.cpp") if takes_adapters("local", e, "chat")} == set(
        described.adapter_engines
    )


def test_oci_names_vllm_for_adapters_chosen_at_create() -> None:
    # AQUA's stacked deployment (a model group) on the vLLM container: adapters are picked at create, and
    # changed by deploying again (no live change: OCI is not among the targets whose adapters change).
    assert adapter_engines("oci") == {"vllm": "redeploy"}
    assert not any(takes_adapters("oci", e, "chat") for e in OCI_ENGINES)
