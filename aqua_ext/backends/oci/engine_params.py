"""What a user may pass to the OCI service containers (vLLM, TGI, llama.cpp) in
`PARAMS`, and how they are checked.

An allowlist, like the local engines (`backends/local/engines.py`), not a
denylist: an option we do not know is refused with the list of those we do.
What decides where the server listens, what name it serves or which model it
loads belongs to aqua_ext and the container (AQUA refuses the same options:
vLLM `--port --host --served-model-name --seed`, TGI `--port --hostname
--num-shard --sharded --trust-remote-code`, llama.cpp takes no overrides at all,
its server options being set through environment variables by the container).
The container's own `restrictedParams` are refused as well.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...errors import InvalidInput
from ...services.engine_args import (
    VLLM_FLAGS,
    VLLM_VALUES,
    EngineParams,
    check_params,
    choice,
    float_range,
    identifier,
    int_range,
    json_object,
)

# Options every OCI engine owns, with why; merged into each engine's `owned`.
_COMMON_OWNED = {
    "--port": "the container's port is fixed by the service container",
    "--host": "the container listens where OCI Data Science expects it",
    "--hostname": "the container listens where OCI Data Science expects it",
    "--model": "the model is the deployment's model",
    "--model-id": "the model is the deployment's model",
    "-m": "the model is the deployment's model",
    "--served-model-name": "the served name is odsc-llm, as AQUA's containers expect",
    "--api-key": "OCI signs and authorizes every request to a model deployment",
    "--help": "not a serving option",
    "-h": "not a serving option",
}

_VLLM = EngineParams(
    values={
        **VLLM_VALUES,
        "--cpu-offload-gb": int_range(0, 4096),
        "--max-logprobs": int_range(0, 1000),
        "--tool-call-parser": identifier,
        "--reasoning-parser": identifier,
        "--limit-mm-per-prompt": json_object,
        "--rope-scaling": json_object,
        "--generation-config": choice("auto", "vllm"),
        "--max-seq-len-to-capture": int_range(1, 2_000_000),
    },
    flags=VLLM_FLAGS
    | {
        "--enable-auto-tool-choice",
        "--disable-log-requests",
        "--disable-log-stats",
        # The model's own code runs inside the user's OCI container, as AQUA allows for such models.
        "--trust-remote-code",
    },
    owned={
        **_COMMON_OWNED,
        "--seed": "the service container sets it",
        "--max-model-len": "set it with the deployment's max_model_len",
        "--task": "the deployment's inference mode decides what it serves",
        "--runner": "the deployment's inference mode decides what it serves",
        "--chat-template": "it reads a file inside the container",
        "--download-dir": "the model comes from the deployment's artifact",
        "--uds": "the container listens where OCI Data Science expects it",
    },
)

_TGI = EngineParams(
    values={
        "--max-batch-prefill-tokens": int_range(1, 10_000_000),
        "--max-batch-total-tokens": int_range(1, 100_000_000),
        "--max-concurrent-requests": int_range(1, 100_000),
        "--max-best-of": int_range(1, 16),
        "--max-stop-sequences": int_range(0, 64),
        "--quantize": choice(
            "awq", "gptq", "bitsandbytes", "bitsandbytes-nf4", "bitsandbytes-fp4", "eetq", "fp8", "marlin", "exl2"
        ),
        "--dtype": choice("float16", "bfloat16"),
        "--rope-scaling": choice("linear", "dynamic"),
        "--rope-factor": float_range(0.1, 128.0),
        "--cuda-memory-fraction": float_range(0.05, 1.0),
    },
    flags=frozenset({"--disable-custom-kernels"}),
    owned={
        **_COMMON_OWNED,
        "--num-shard": "the shard count follows the shape's GPUs",
        "--sharded": "the shard count follows the shape's GPUs",
        "--trust-remote-code": "the TGI service container refuses it",
        "--max-total-tokens": "set it with the deployment's max_model_len",
        "--max-input-tokens": "it follows the deployment's max_model_len",
    },
)

# llama.cpp: AQUA's container takes its server options from environment variables and no overrides.
_LLAMA_CPP = EngineParams(values={}, flags=frozenset(), owned=dict(_COMMON_OWNED))

OCI_ENGINE_PARAMS: dict[str, EngineParams] = {"vllm": _VLLM, "tgi": _TGI, "llama.cpp": _LLAMA_CPP}


def validate_oci_params(engine: str, params: list[str], restricted: Iterable[str] = ()) -> list[str]:
    """Check `--name value` / `--flag` tokens for an OCI engine and return them normalised
    (`--name=value` split in two, values canonicalised). Raises InvalidInput on field
    "params" naming the token."""
    spec = OCI_ENGINE_PARAMS[engine]
    if params and not spec.values and not spec.flags:
        raise InvalidInput.field(
            "params",
            f"the {engine} service container takes no parameter overrides "
            "(its server options are set by the container)",
        )
    return check_params(
        spec,
        params,
        f"{engine} (OCI)",
        restricted=restricted,
        restricted_why=f"the {engine} service container restricts it",
    )


def max_len_params(engine: str, max_model_len: int | None) -> list[str]:
    """The engine's own spelling of the context length (llama.cpp's container sets it itself)."""
    if max_model_len is None:
        return []
    if engine == "vllm":
        return ["--max-model-len", str(max_model_len)]
    if engine == "tgi":
        # TGI counts input and output together in --max-total-tokens; the input must leave room for one token.
        return ["--max-input-tokens", str(max_model_len - 1), "--max-total-tokens", str(max_model_len)]
    return []
