"""The Targets registry, the target factory and AquaConfig: several targets side by side, each
started once, a failed start tried again later, one that fails never hiding the others, routing
by id; the settings the server and the CLI both read."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from aqua_ext.api.info import BackendDescription
from aqua_ext.api.models import Capability, ModelSource, ModelSummary
from aqua_ext.backends.base import Backend
from aqua_ext.config import AquaConfig
from aqua_ext.errors import InvalidInput, NotFound, Unavailable, Upstream
from aqua_ext.services.models import Models
from aqua_ext.services.operations import OperationRegistry
from aqua_ext.services.target_factory import build_targets
from aqua_ext.services.targets import Targets


class FakeDriver(Backend):
    """A driver that starts (or fails to), and lists the models it is given."""

    def __init__(self, kind: str, models: list[str], *, fail_starts: int = 0, fail_list: bool = False) -> None:
        super().__init__(OperationRegistry())
        self.kind = kind
        self.models = models
        self.fail_starts = fail_starts
        self.fail_list = fail_list
        self.starts = 0

    def owns(self, resource_id: str) -> bool:
        return resource_id.startswith("ocid1.") == (self.kind == "oci")

    async def start(self) -> None:
        self.starts += 1
        if self.starts <= self.fail_starts:
            raise Unavailable(f"no {self.kind} config")

    async def describe(self) -> BackendDescription:
        return BackendDescription(kind=self.kind, label=self.kind, ready=True)  # type: ignore[arg-type]

    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
        if self.fail_list:
            raise Upstream(f"{self.kind} answered 500")
        return [
            ModelSummary(
                id=i,
                name=i,
                source=ModelSource.REGISTERED,
                capability=Capability.TEXT_TO_TEXT,
                formats=[],
                ready_to_deploy=True,
                ready_to_finetune=False,
            )
            for i in self.models
        ]

    async def get_model(self, model_id: str) -> Any:
        return (await self.list_models())[0]

    async def register_model(self, request: Any) -> Any:
        raise NotImplementedError

    async def delete_model(self, model_id: str) -> None:
        raise NotImplementedError


def two(**oci: Any) -> tuple[FakeDriver, FakeDriver, Targets]:
    local = FakeDriver("local", ["reg:a"])
    cloud = FakeDriver("oci", ["ocid1.datasciencemodel.oc1.iad.b"], **oci)
    return local, cloud, Targets([local, cloud], retry_seconds=30.0)


async def test_lists_merge_targets_and_tag_each_item_with_its_target() -> None:
    _, _, targets = two()
    listed = await Models(targets).list()
    assert [(m.id, m.target, m.actions) for m in listed.items] == [
        ("reg:a", "local", ["deploy", "delete"]),
        ("ocid1.datasciencemodel.oc1.iad.b", "oci", ["deploy", "delete"]),
    ]
    assert listed.problems == []


async def test_a_target_that_fails_to_start_never_hides_the_others() -> None:
    local, _, targets = two(fail_starts=99)
    listed = await Models(targets).list()
    assert [m.id for m in listed.items] == ["reg:a"]
    assert [(p.target, p.message) for p in listed.problems] == [
        ("oci", "The oci backend could not start: no oci config")
    ]
    described = {t.name: t for t in await targets.describe()}
    assert described["local"].ready and not described["oci"].ready
    assert described["oci"].problem == "The oci backend could not start: no oci config"
    with pytest.raises(Unavailable, match="no oci config"):
        await targets.route("ocid1.datasciencemodel.oc1.iad.b")
    assert (await targets.route("reg:a")) is local
    assert (await targets.default()) is local  # the first ready target takes creates that name none


async def test_a_slow_start_does_not_hold_the_other_targets_lists_back() -> None:
    local = FakeDriver("local", ["reg:a"])
    cloud = FakeDriver("oci", ["ocid1.datasciencemodel.oc1.iad.b"])
    gate = asyncio.Event()

    async def slow_start() -> None:  # e.g. OCI unreachable from a laptop that has an OCI config
        await gate.wait()

    cloud.start = slow_start  # type: ignore[method-assign]
    targets = Targets([local, cloud], start_wait_seconds=0.05)
    listed = await Models(targets).list()
    assert [m.id for m in listed.items] == ["reg:a"]
    assert [(p.target, p.message) for p in listed.problems] == [
        ("oci", "The oci target is still starting; try again shortly.")
    ]
    [described] = [t for t in await targets.describe() if t.name == "oci"]
    assert not described.ready and described.problem == "The oci target is still starting; try again shortly."
    gate.set()  # the start went on in the background
    assert [m.target for m in (await Models(targets).list()).items] == ["local", "oci"]


async def test_with_no_target_ready_yet_the_list_waits_for_the_first() -> None:
    cloud = FakeDriver("oci", ["ocid1.datasciencemodel.oc1.iad.b"])

    async def slow_start() -> None:
        await asyncio.sleep(0.2)

    cloud.start = slow_start  # type: ignore[method-assign]
    listed = await Models(Targets([cloud], start_wait_seconds=0.01)).list()
    assert [m.target for m in listed.items] == ["oci"] and listed.problems == []


async def test_a_target_whose_list_fails_is_a_problem_not_a_failed_list() -> None:
    _, _, targets = two(fail_list=True)
    listed = await Models(targets).list()
    assert [m.id for m in listed.items] == ["reg:a"]
    assert [(p.target, p.message) for p in listed.problems] == [("oci", "oci answered 500")]


async def test_when_no_target_answers_the_list_is_a_503() -> None:
    local = FakeDriver("local", [], fail_starts=99)
    with pytest.raises(Unavailable, match="The local backend could not start"):
        await Models(Targets([local])).list()


async def test_a_start_is_shared_and_a_failed_one_is_tried_again_after_the_retry_delay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr("aqua_ext.services.targets.time.monotonic", lambda: clock[0])
    local, cloud, targets = two(fail_starts=1)
    for _ in range(3):
        await targets.get("local")
        with pytest.raises(Unavailable):
            await targets.get("oci")
    assert (local.starts, cloud.starts) == (1, 1)  # started once; the failure is remembered
    clock[0] += 31.0
    assert (await targets.get("oci")) is cloud  # a fixed configuration is picked up
    assert cloud.starts == 2


def test_owner_asks_each_driver() -> None:
    _, _, targets = two()
    assert targets.owner("ocid1.datasciencemodeldeployment.oc1.iad.x") == "oci"
    assert targets.owner("dep-123") == "local"
    lonely = Targets([FakeDriver("oci", [])])
    assert lonely.owner("not-an-ocid") == "oci"  # one target answers for every id (its driver says 404/400)


def test_real_drivers_own_their_ids(tmp_path: Path) -> None:
    config = AquaConfig(config=Config({"AquaConfig": {"targets": ["local", "oci"], "data_dir": str(tmp_path)}}))
    targets = build_targets(config, OperationRegistry(), root_dir=tmp_path)
    assert targets.names == ["local", "oci"]
    assert targets.owner("ocid1.datasciencemodel.oc1.iad.x") == "oci"
    for local_id in ("reg:abc", "catalog:qwen", "dep-1", "ftj-1", "ev-1", "demo-tiny-llama"):
        assert targets.owner(local_id) == "local"


async def test_an_unknown_target_is_a_400_naming_the_enabled_ones() -> None:
    _, _, targets = two()
    with pytest.raises(InvalidInput, match="'genai' is not an enabled target \\(enabled: local, oci\\)"):
        await targets.get("genai")


async def test_an_id_no_target_owns_is_a_404() -> None:
    cloud, other = FakeDriver("oci", []), FakeDriver("genai", [])
    other.owns = lambda resource_id: resource_id.startswith("ocid1.generativeai")  # type: ignore[method-assign]
    with pytest.raises(NotFound, match="No enabled target owns the id 'dep-1'"):
        Targets([cloud, other]).owner("dep-1")


# ---- AquaConfig -----------------------------------------------------------------------------------


@pytest.fixture
def no_oci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OCI_RESOURCE_PRINCIPAL_VERSION", "NB_SESSION_OCID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OCI_CONFIG_LOCATION", str(tmp_path / "no-oci-config"))


def test_targets_default_to_local_plus_oci_when_oci_is_configured(
    no_oci: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert AquaConfig().enabled_targets() == ["local"]
    (tmp_path / "no-oci-config").write_text("[DEFAULT]\n")
    # OCI Generative AI comes with the same OCI configuration.
    assert AquaConfig().enabled_targets() == ["local", "oci", "genai"]
    (tmp_path / "no-oci-config").unlink()
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    monkeypatch.setenv("NB_SESSION_OCID", "ocid1.datasciencenotebooksession.oc1.iad.x")
    assert AquaConfig().enabled_targets() == ["local", "oci", "genai"]  # a notebook session: its CPU/GPU and OCI


def test_the_old_backend_trait_still_works(no_oci: None) -> None:
    for kind in ("local", "oci"):
        assert AquaConfig(config=Config({"AquaConfig": {"backend": kind}})).enabled_targets() == [kind]
    explicit = Config({"AquaConfig": {"backend": "oci", "targets": ["oci", "local", "oci"]}})
    assert AquaConfig(config=explicit).enabled_targets() == ["oci", "local"]
    with pytest.raises(ValueError, match="Unknown target 'cloud'"):
        AquaConfig(config=Config({"AquaConfig": {"targets": ["cloud"]}})).enabled_targets()


def test_the_cli_reads_the_server_s_config_files(tmp_path: Path) -> None:
    """`c.AquaExtension.*` in jupyter_server_config.{json,py}, as the server reads them; not
    jupyter_server_config.d/*.json, which the server reads for enabling extensions only."""
    from aqua_ext.cli.jupyter_config import load
    from aqua_ext.config import SECTIONS

    (tmp_path / "jupyter_server_config.json").write_text(
        json.dumps({"AquaExtension": {"data_dir": "/from/json", "targets": ["local", "oci"], "oci_profile": "P"}})
    )
    (tmp_path / "jupyter_server_config.py").write_text("c.AquaExtension.oci_region = 'eu-frankfurt-1'\n")
    (tmp_path / "jupyter_server_config.d").mkdir()
    (tmp_path / "jupyter_server_config.d" / "aqua.json").write_text(
        json.dumps({"AquaExtension": {"oci_compartment_id": "ocid1.compartment.oc1..x"}})
    )
    config = load(AquaConfig, SECTIONS, dirs=[str(tmp_path)]).config
    assert config.data_dir == "/from/json"
    assert config.enabled_targets() == ["local", "oci"]
    assert (config.oci_profile, config.oci_region, config.oci_compartment_id) == ("P", "eu-frankfurt-1", "")
    settings = config.oci_settings()
    assert settings.region == "eu-frankfurt-1" and settings.profile == "P"


def test_the_server_and_the_cli_share_one_default_data_dir() -> None:
    from aqua_ext.app import AquaExtension

    assert AquaExtension().data_dir == AquaConfig().data_dir
