"""Emulated Data Science service containers (``GET /20190101/containers``), shaped like the AQUA service
containers (vLLM, llama.cpp, TEI for inference; fine-tuning and evaluation job containers).

The catalog is ``emu.containers.catalog`` (a list of ContainerSummary JSON dicts): edit it in tests.
Tags and commands are illustrative, not Oracle's current ones.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .core import Request, Response, Router, invalid_parameter, paginate

if TYPE_CHECKING:
    from .datascience import DataScienceService

V = "/20190101"


def _inference(name: str, display: str, tag: str, platforms: str, formats: str, predict: str,
               restricted: list[str], cmd: str = "--served-model-name odsc-llm --disable-custom-all-reduce --seed 42",
               ) -> dict:  # fmt: skip
    return {
        "containerName": name,
        "displayName": display,
        "familyName": name,
        "description": f"{display} inference container",
        "isLatest": True,
        "targetWorkloads": ["MODEL_DEPLOYMENT"],
        "usages": ["INFERENCE"],
        "tag": tag,
        "lifecycleState": "ACTIVE",
        "workloadConfigurationDetailsList": [
            {
                "workloadType": "MODEL_DEPLOYMENT",
                "cmd": cmd,
                "serverPort": 8080,
                "healthCheckPort": 8080,
                "additionalConfigurations": {
                    "platforms": platforms,
                    "modelFormats": formats,
                    "MODEL_DEPLOY_PREDICT_ENDPOINT": predict,
                    "MODEL_DEPLOY_HEALTH_ENDPOINT": "",
                    "PORT": "8080",
                    "HEALTH_CHECK_PORT": "8080",
                    "restrictedParams": json.dumps(restricted),
                },
            }
        ],
        "tagConfigurationList": None,
        "freeformTags": {},
        "definedTags": {},
    }


def _job(name: str, display: str, tag: str, usage: str, config: dict | None = None) -> dict:
    return {
        "containerName": name,
        "displayName": display,
        "familyName": name,
        "description": f"{display} job container",
        "isLatest": True,
        "targetWorkloads": ["JOB_RUN"],
        "usages": [usage],
        "tag": tag,
        "lifecycleState": "ACTIVE",
        "workloadConfigurationDetailsList": [
            {
                "workloadType": "JOB_RUN",
                "useCaseConfiguration": {"useCaseType": "GENERIC", "additionalConfigurations": dict(config or {})},
            }
        ],
        "tagConfigurationList": None,
        "freeformTags": {},
        "definedTags": {},
    }


# The evaluation container's configuration (AQUA's `evaluation_configuration`: metrics and CPU shapes), as
# JSON strings in the JOB_RUN workload's additionalConfigurations (an assumption: a map of strings).
EVALUATION_CONFIG = {
    "metrics": json.dumps(
        [
            {"key": key, "name": name, "task": ["text-generation"], "args": {}, "tags": []}
            for key, name in (
                ("bertscore", "BERTScore"),
                ("rouge", "ROUGE"),
                ("bleu", "BLEU"),
                ("perplexity_score", "Perplexity"),
                ("text_readability", "Text readability"),
            )
        ]
    ),
    "shapes": json.dumps(
        [
            {"name": name, "ocpu": 8, "memory_in_gbs": 128, "block_storage_size": 200}
            for name in ("VM.Standard.E3.Flex", "VM.Standard.E4.Flex", "VM.Standard3.Flex", "VM.Optimized3.Flex")
        ]
    ),
}

DEFAULT_CATALOG = [
    _inference(
        "odsc-vllm-serving",
        "vLLM",
        "0.6.4.post1.2",
        "NVIDIA_GPU",
        "SAFETENSORS",
        "/v1/completions",
        ["--port", "--host", "--served-model-name", "--seed"],
    ),
    _inference(
        "odsc-tgi-serving",
        "TGI",
        "2.0.1.4",
        "NVIDIA_GPU",
        "SAFETENSORS",
        "/v1/completions",
        ["--port", "--hostname", "--num-shard", "--sharded", "--trust-remote-code"],
        cmd="",
    ),
    _inference(
        "odsc-llama-cpp-serving",
        "LLAMA-CPP",
        "0.3.7.0",
        "ARM_CPU",
        "GGUF",
        "/v1/completions",
        ["--port", "--host", "--model"],
        cmd="",
    ),
    _inference(
        "odsc-tei-serving",
        "Text Embeddings Inference",
        "1.5.0.0",
        "NVIDIA_GPU",
        "SAFETENSORS",
        "/v1/embeddings",
        ["--port", "--hostname"],
    ),
    _job("odsc-llm-fine-tuning", "Fine-Tuning", "2.2.62.70", "FINE_TUNE"),
    _job("odsc-llm-evaluate", "Evaluation", "0.1.3.4", "EVALUATION", EVALUATION_CONFIG),
]


class ContainerService:
    prefix = "datascience"

    def __init__(self, ds: DataScienceService) -> None:
        self.ds = ds
        self.emu = ds.emu
        self.catalog: list[dict] = json.loads(json.dumps(DEFAULT_CATALOG))

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/containers", "ListContainers", self.list_containers)

    def list_containers(self, req: Request) -> Response:
        items = list(self.catalog)
        if req.q("isLatest") is not None:
            want = req.q("isLatest").lower() == "true"
            items = [c for c in items if bool(c.get("isLatest")) == want]
        for param, key in (("displayName", "displayName"), ("containerName", "containerName"),
                           ("lifecycleState", "lifecycleState"), ("tagQueryParam", "tag")):  # fmt: skip
            if req.q(param):
                items = [c for c in items if c.get(key) == req.q(param)]
        workload = req.q("targetWorkload")
        if workload:
            if workload not in ("MODEL_DEPLOYMENT", "JOB_RUN"):
                raise invalid_parameter("targetWorkload must be MODEL_DEPLOYMENT or JOB_RUN.")
            items = [c for c in items if workload in c["targetWorkloads"]]
        usage = req.q("usageQueryParam")
        if usage:
            items = [c for c in items if usage in c["usages"]]
        return paginate(items, req, 100)
