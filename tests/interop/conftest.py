"""The interoperability harness: Oracle's own AQUA code (oracle-ads, in .venv-ads) and aqua_ext (the
main venv, run as its CLI in a subprocess) against one OCI emulator, in both directions.

This suite runs only in .venv-ads (scripts/ads-env makes it; scripts/test runs it with
`-c tests/interop/pytest.ini`, so no conftest above this folder loads and the main suite never
imports `ads`). The emulator runs in this process; AQUA is pointed at it by rewriting the endpoint
of every SDK client it builds (ADS honours only OCI_ODSC_SERVICE_ENDPOINT and
OCI_IDENTITY_SERVICE_ENDPOINT; Object Storage, Resource Search, Logging and Limits have no override),
and by the environment AQUA reads at import (compartment, project, tenancy, telemetry bucket), which
is why `ads` is imported only after the emulator is up.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.oci_emulator

from tests.oci_emulator import OciEmulator, write_oci_config  # noqa: E402
from tests.oci_emulator.conformance import error_violations  # noqa: E402
from tests.oci_setup import OciWorld  # noqa: E402

# The main venv's interpreter runs aqua_ext (scripts/test passes it; a worktree may borrow another's).
AQUA_EXT_PYTHON = os.environ.get("AQUA_EXT_PYTHON") or str(ROOT / ".venv" / "bin" / "python")
# The aqua_ext source tree the CLI runs (default: this one; another checkout's, to see what its fixes flip).
AQUA_EXT_SOURCE = os.environ.get("AQUA_EXT_SOURCE") or str(ROOT)
BUCKET = "aqua-models"
TELEMETRY_BUCKET = "service-managed-models"

# SDK client class → emulator service (every client AQUA or ocifs builds goes to the emulator).
CLIENT_SERVICES = {
    ("oci.data_science", "DataScienceClient"): "datascience",
    ("oci.object_storage", "ObjectStorageClient"): "objectstorage",
    ("oci.identity", "IdentityClient"): "identity",
    ("oci.resource_search", "ResourceSearchClient"): "resource_search",
    ("oci.logging", "LoggingManagementClient"): "logging_management",
    ("oci.loggingsearch", "LogSearchClient"): "logging_search",
    ("oci.limits", "LimitsClient"): "limits",
    # ocifs (AQUA's oci:// file access) has a client of its own for Object Storage.
    ("ocifs.data_lake.lake_sharing_object_storage_client", "LakeSharingObjectStorageClient"): "objectstorage",
}


@dataclass
class World:
    """The emulator seeded for both tools; `base` is the handler tests' world (CLI flags, model folders)."""

    base: OciWorld
    log_group_id: str
    log_id: str

    @property
    def emulator(self) -> OciEmulator:
        return self.base.emulator

    @property
    def compartment_id(self) -> str:
        return self.base.compartment_id

    @property
    def project_id(self) -> str:
        return self.base.project_id

    def uri(self, path: str) -> str:
        return f"oci://{BUCKET}@{self.emulator.namespace}/{path}"

    def put(self, path: str, data: bytes | str) -> str:
        self.emulator.put_object(None, BUCKET, path, data)
        return self.uri(path)

    def cli(self, *argv: str) -> Any:
        """`aqua-ext <OCI flags> --json <argv>` in the main venv against the emulator: its JSON answer."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "NB_SESSION", "PROJECT_"))}
        env["PYTHONPATH"] = AQUA_EXT_SOURCE  # this tree's aqua_ext, whichever venv lends the interpreter
        code = "import sys; from aqua_ext.cli import main; sys.exit(main(sys.argv[1:]))"
        proc = subprocess.run(
            [AQUA_EXT_PYTHON, "-c", code, *self.base.cli_args(), "--json", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=AQUA_EXT_SOURCE,
            timeout=120,
        )
        if proc.returncode != 0:
            raise AssertionError(f"aqua-ext {' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}")
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    def calls_during(self, fn: Any) -> dict[str, int]:
        """The emulator operations `fn()` caused, by name."""
        self.emulator.reset_calls()
        fn()
        return {k: v for k, v in self.emulator.calls.items() if v}


def _point_sdk_clients_at(emu: OciEmulator) -> None:
    """Every SDK client built from now on talks to the emulator, whatever endpoint its caller asked for."""
    import importlib

    for (module, name), service in CLIENT_SERVICES.items():
        cls = getattr(importlib.import_module(module), name)
        if getattr(cls.__init__, "_emulated", False):
            continue
        original = cls.__init__

        def init(self: Any, config: Any, *args: Any, __orig: Any = original, __svc: str = service, **kw: Any) -> None:
            kw["service_endpoint"] = emu.endpoint(__svc)
            __orig(self, config, *args, **kw)

        init._emulated = True  # type: ignore[attr-defined]
        cls.__init__ = init


def _poll_work_requests_quickly() -> None:
    """ads waits for a work request (a model group's creation, when AQUA deploys a fine-tune) by polling every
    10 s; the emulator's finish in a tenth of that, so the harness polls every 0.1 s (what is waited for is
    the same)."""
    from ads.common.work_request import DataScienceWorkRequest

    original = DataScienceWorkRequest.wait_work_request
    if getattr(original, "_emulated", False):
        return

    def wait(self: Any, *args: Any, **kw: Any) -> Any:
        return original(self, *args, **{**kw, "poll_interval": 0.1})

    wait._emulated = True  # type: ignore[attr-defined]
    DataScienceWorkRequest.wait_work_request = wait


LEAKED_HOSTS: set[str] = set()


def _only_local_network() -> None:
    """Name resolution fails at once for any host but this machine: a call AQUA (or ocifs, or Hugging Face
    lookups) makes outside the emulator fails fast instead of waiting out retries, and is reported."""
    original = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kw: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            LEAKED_HOSTS.add(name)
            raise socket.gaierror(socket.EAI_NONAME, f"interop harness: {name} is outside the emulator")
        return original(host, *args, **kw)

    socket.getaddrinfo = getaddrinfo


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    started = time.monotonic()
    identity = write_oci_config(tmp_path_factory.mktemp("oci"))
    with OciEmulator(config=identity, transition_seconds=0.05) as emu:
        compartment = emu.add_compartment("aqua-interop")
        project = emu.add_project(compartment, "interop")
        emu.add_bucket(None, BUCKET, versioned=True)
        emu.add_bucket(None, TELEMETRY_BUCKET, versioned=False)
        emu.seed_service_models(4)
        group = emu.logging_management.add_log_group(compartment, "interop-logs")
        log = emu.logging_management.add_log(group, "interop-log")
        os.environ.update(
            {
                "OCI_IAM_TYPE": "api_key",
                "OCI_CONFIG_LOCATION": str(identity.config_file),
                "OCI_CONFIG_PROFILE": identity.profile,
                "OCI_ODSC_SERVICE_ENDPOINT": emu.endpoint("datascience"),
                "OCI_IDENTITY_SERVICE_ENDPOINT": emu.endpoint("identity"),
                "NB_SESSION_COMPARTMENT_OCID": compartment,
                "PROJECT_COMPARTMENT_OCID": compartment,
                "PROJECT_OCID": project,
                "TENANCY_OCID": identity.tenancy,
                "AQUA_TELEMETRY_BUCKET": TELEMETRY_BUCKET,
                "AQUA_TELEMETRY_BUCKET_NS": emu.namespace,
                "ODSC_MODEL_COMPARTMENT_OCID": emu.service_compartment_id,
            }
        )
        _point_sdk_clients_at(emu)
        _only_local_network()
        import ads  # only now: AQUA reads the environment above at import

        ads.set_auth("api_key", oci_config_location=str(identity.config_file), profile=identity.profile)
        _poll_work_requests_quickly()
        w = World(OciWorld(emu, identity, compartment, project), group, log)
        emu.error_log = []
        print(f"\n[interop] emulator up and ads imported in {time.monotonic() - started:.1f} s")
        yield w
        # Every error either tool met was OCI's envelope (a tool's error handling is only tested if it is).
        found = sorted({v for error in emu.error_log for v in error_violations(*error)})
        print(f"\n[interop] {len(emu.error_log)} error answers sent, each checked against OCI's error envelope")
        if found:
            pytest.fail("error answers unlike OCI's:\n" + "\n".join(found))


# Seed 000's fine-tuning rows (a Korean AQUA guide, Llama 2's [INST] format), exactly as it gives them: the
# escaped slash, the template row's placeholders and the null category included.
KOREAN_ROWS = [
    (
        r'{"prompt":"<s>[INST]<<SYS>>[모델에게 지시할 내용]<</SYS>>[질문 내용][\/INST]","completion":"[답변'
        r' 내용]","category": null}'
    ),
    (
        r'{"prompt":"<s>[INST]<<SYS>>당신은 클라우드 전문가입니다. 도움이 되고 상세하며 정확한 답변을'
        r' 제공합니다.<</SYS>>OCI 가상머신 서비스에 대해서 설명해줘[\/INST]","completion":"가상 머신(VM)은'
        r" 소규모 개발 프로젝트에서 실시간 통신 플랫폼과 같은 대규모 글로벌 애플리케이션에 이르는 워크로드를"
        r" 위해 클라우드에서 안전하고 탄력적인 컴퓨팅 용량을 제공합니다. 유연한 모양을 통해 사용자는 가격 대비"
        r" 성능을 향상시키기 위해 맞춤형 프로세서 및 메모리 값으로 VM 리소스를 최적화할 수"
        r' 있습니다.","category": null}'
    ),
]
JAPANESE_ROWS = [
    {
        "prompt": (
            "<s>[INST]<<SYS>>あなたはクラウドの専門家です。<</SYS>>"
            "OCIのオブジェクトストレージについて説明してください[/INST]"
        ),
        "completion": (
            "オブジェクトストレージは、あらゆる種類のデータを安全に保存できる、拡張性の高いストレージサービスです。"
        ),
    },
    {
        "prompt": "AQUAでモデルをデプロイするには、GPUは何枚必要ですか？",
        "completion": "モデルの大きさに応じて、A10 GPUを1枚から4枚まで使います。",
    },
    {
        "prompt": "ファインチューニング用データセットの形式は？",
        "completion": "promptとcompletionを持つJSONLです。",
    },
]


@pytest.fixture(scope="session")
def dataset_rows() -> list[dict[str, Any]]:
    """The interop dataset's rows: English arithmetic, then seed 000's Korean rows and a few Japanese ones."""
    english = [{"prompt": f"What is {i} + {i}?", "completion": f"{2 * i}"} for i in range(60)]
    return english + [json.loads(line) for line in KOREAN_ROWS] + JAPANESE_ROWS


@pytest.fixture(scope="session")
def dataset(world: World, dataset_rows: list[dict[str, Any]]) -> str:
    """{prompt, completion} rows in Object Storage, enough for both tools' fine-tuning and evaluation checks
    (UTF-8, the non-ASCII text unescaped, as a person's file would have it)."""
    lines = [json.dumps(row, ensure_ascii=False) for row in dataset_rows]
    return world.put("data/rows.jsonl", ("\n".join(lines) + "\n").encode())


@pytest.fixture(scope="session")
def aqua(world: World) -> Any:
    """AQUA's four app classes, built the way its REST handlers build them."""
    from ads.aqua.evaluation import AquaEvaluationApp
    from ads.aqua.finetuning import AquaFineTuningApp
    from ads.aqua.model import AquaModelApp
    from ads.aqua.modeldeployment import AquaDeploymentApp

    class Apps:
        model = AquaModelApp()
        deployment = AquaDeploymentApp()
        finetuning = AquaFineTuningApp()
        evaluation = AquaEvaluationApp()

    return Apps


@pytest.fixture(scope="session")
def ext_model(world: World) -> dict[str, Any]:
    """A model aqua_ext registered from Object Storage."""
    uri = world.base.add_model_folder("aqua-models", "ext/tiny-chat")
    return dict(world.cli("models", "register", "--os-uri", uri, "--name", "ext-tiny-chat"))


# The config.json of the model AQUA registers: what aqua_ext reads of that model is checked against these numbers.
AQUA_MODEL_CONFIG: dict[str, Any] = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,  # hidden_size / num_attention_heads, written out (aqua_ext reports only what the file says)
    "vocab_size": 256,
    "tie_word_embeddings": False,
    "max_position_embeddings": 2048,
    "torch_dtype": "bfloat16",
}


def llama_parameters(config: dict[str, Any]) -> int:
    """A Llama's weight count from its config.json: embeddings, per layer attention (q and o H×heads·head_dim,
    k and v H×kv_heads·head_dim), the gated MLP (3·H·intermediate) and two norms, the final norm, the LM head."""
    h, layers, vocab = config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]
    q = config["num_attention_heads"] * config["head_dim"]
    kv = config["num_key_value_heads"] * config["head_dim"]
    per_layer = 2 * h * q + 2 * h * kv + 3 * h * config["intermediate_size"] + 2 * h
    return vocab * h + layers * per_layer + h + (0 if config["tie_word_embeddings"] else vocab * h)


@pytest.fixture(scope="session")
def aqua_model(world: World, aqua: Any) -> Any:
    """A model AQUA registered (its own `register`, files already in Object Storage, no Hugging Face): the
    config.json above, and a safetensors file as big as that many bfloat16 (2-byte) weights."""
    uri = world.base.add_model_folder("aqua-models", "aqua/tiny-chat", config=False, weights="")
    world.put("aqua/tiny-chat/config.json", json.dumps(AQUA_MODEL_CONFIG))
    world.put("aqua/tiny-chat/model.safetensors", b"\0" * (2 * llama_parameters(AQUA_MODEL_CONFIG)))
    return aqua.model.register(
        model="acme/tiny-chat",
        os_path=uri + "/",
        download_from_hf=False,
        inference_container="odsc-vllm-serving",
        finetuning_container="odsc-llm-fine-tuning",
        compartment_id=world.compartment_id,
        project_id=world.project_id,
    )


@pytest.fixture(scope="session")
def aqua_deployment(world: World, aqua: Any, aqua_model: Any) -> Any:
    """An ACTIVE deployment AQUA made of the model AQUA registered."""
    md = aqua.deployment.create(
        model_id=aqua_model.id,
        instance_shape="VM.GPU.A10.2",
        display_name="aqua-deployment",
        compartment_id=world.compartment_id,
        project_id=world.project_id,
    )
    world.emulator.fast_forward()
    return md


@pytest.fixture(scope="session")
def ext_deployment(world: World, aqua_model: Any) -> dict[str, Any]:
    """A deployment aqua_ext made of the model AQUA registered (ACTIVE once the emulator moves on)."""
    md = world.cli(
        "deployments", "create", aqua_model.id, "--name", "ext-deployment", "--shape", "VM.GPU.A10.2", "--no-wait"
    )
    world.emulator.fast_forward()
    return dict(md["deployment"])  # --no-wait answers {deployment, operation}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if LEAKED_HOSTS:
        terminalreporter.write_line(f"[interop] calls outside the emulator were refused: {sorted(LEAKED_HOSTS)}")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        print(f"\n[interop] {report.nodeid}: {report.outcome} in {report.duration:.1f} s", file=sys.stderr)
