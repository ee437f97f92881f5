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
from ..local.engines import EngineParams, Validator, _choice, _float, _identifier, _int, _json_object

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
        "--dtype": _choice("auto", "half", "float16", "bfloat16", "float", "float32"),
        "--gpu-memory-utilization": _float(0.05, 1.0),
        "--max-num-seqs": _int(1, 65_536),
        "--max-num-batched-tokens": _int(1, 10_000_000),
        "--tensor-parallel-size": _int(1, 16),
        "--pipeline-parallel-size": _int(1, 16),
        "--quantization": _choice("awq", "gptq", "fp8", "bitsandbytes", "marlin", "awq_marlin", "gptq_marlin",
                                  "compressed-tensors", "experts_int8"),
        "--kv-cache-dtype": _choice("auto", "fp8", "fp8_e4m3", "fp8_e5m2"),
        "--block-size": _choice("8", "16", "32", "64", "128"),
        "--swap-space": _int(0, 1024),
        "--cpu-offload-gb": _int(0, 4096),
        "--max-logprobs": _int(0, 1000),
        "--tool-call-parser": _identifier,
        "--reasoning-parser": _identifier,
        "--limit-mm-per-prompt": _json_object,
        "--rope-scaling": _json_object,
        "--generation-config": _choice("auto", "vllm"),
        "--max-seq-len-to-capture": _int(1, 2_000_000),
    },
    flags=frozenset({
        "--enforce-eager", "--enable-prefix-caching", "--no-enable-prefix-caching", "--enable-chunked-prefill",
        "--no-enable-chunked-prefill", "--enable-auto-tool-choice", "--disable-log-requests", "--disable-log-stats",
        # The model's own code runs inside the user's OCI container, as AQUA allows for such models.
        "--trust-remote-code",
    }),
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
        "--max-batch-prefill-tokens": _int(1, 10_000_000),
        "--max-batch-total-tokens": _int(1, 100_000_000),
        "--max-concurrent-requests": _int(1, 100_000),
        "--max-best-of": _int(1, 16),
        "--max-stop-sequences": _int(0, 64),
        "--quantize": _choice("awq", "gptq", "bitsandbytes", "bitsandbytes-nf4", "bitsandbytes-fp4", "eetq", "fp8",
                              "marlin", "exl2"),
        "--dtype": _choice("float16", "bfloat16"),
        "--rope-scaling": _choice("linear", "dynamic"),
        "--rope-factor": _float(0.1, 128.0),
        "--cuda-memory-fraction": _float(0.05, 1.0),
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
    restricted = set(restricted)
    if params and not spec.values and not spec.flags:
        raise InvalidInput.field("params", f"the {engine} service container takes no parameter overrides "
                                           "(its server options are set by the container)")
    out: list[str] = []
    i = 0
    while i < len(params):
        token = params[i]
        if not token.startswith("-"):
            raise InvalidInput.field("params", f"'{token}' is a value without a parameter name before it "
                                               "(expected --name value)")
        name, eq, inline = token.partition("=")
        if name in spec.owned:
            raise InvalidInput.field("params", f"{name} cannot be set: {spec.owned[name]}")
        if name in restricted:
            raise InvalidInput.field("params", f"{name} cannot be set: the {engine} service container restricts it")
        if name in spec.flags:
            if eq:
                raise InvalidInput.field("params", f"{name} is a flag and takes no value")
            out.append(name)
            i += 1
            continue
        check: Validator | None = spec.values.get(name)
        if check is None:
            allowed = ", ".join(sorted([*spec.values, *spec.flags]))
            raise InvalidInput.field("params", f"{name} is not an allowed {engine} parameter on OCI; allowed: {allowed}")
        if eq:
            value, i = inline, i + 1
        elif i + 1 < len(params) and not params[i + 1].startswith("--"):
            value, i = params[i + 1], i + 2
        else:
            raise InvalidInput.field("params", f"{name} needs a value")
        try:
            value = check(value)
        except ValueError as exc:
            raise InvalidInput.field("params", f"{name} {exc}") from None
        out += [name, value]
    return out


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


def param_value(tokens: list[str], name: str) -> str | None:
    """The value of `name` in a token list (`--name value` or `--name=value`), else None."""
    for i, token in enumerate(tokens):
        if token == name and i + 1 < len(tokens):
            return tokens[i + 1]
        if token.startswith(name + "="):
            return token.split("=", 1)[1]
    return None
