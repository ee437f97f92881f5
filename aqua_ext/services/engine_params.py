"""Which engine parameters a user may pass, per target and engine: the allowlists (the local
engines run as our processes, the OCI service containers), checked with services/engine_args.py's
check_params before a driver is asked to deploy. The drivers get the checked, normalised tokens and
check nothing.

An allowlist, not a denylist: an option we do not know is refused with the list of those we do.
What decides where the server listens, what name it serves or which model it loads belongs to
aqua_ext (locally) or to the service container (on OCI; AQUA refuses the same options: vLLM `--port
--host --served-model-name --seed`, TGI `--port --hostname --num-shard --sharded --trust-remote-code`,
llama.cpp takes no overrides at all, its server options being set through environment variables by
the container). The container's own `restrictedParams` are refused as well.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..backends.local.engines import ENGINES
from ..errors import InvalidInput
from .engine_args import (
    EngineParams,
    Validator,
    check_params,
    choice,
    float_range,
    identifier,
    int_range,
    json_object,
)

# vLLM's tuning options, the same whether vLLM runs here or in an OCI service container
# (from `vllm serve --help`); each side adds its own and decides what it owns.
VLLM_VALUES: dict[str, Validator] = {
    "--dtype": choice("auto", "half", "float16", "bfloat16", "float", "float32"),
    "--gpu-memory-utilization": float_range(0.05, 1.0),
    "--max-num-seqs": int_range(1, 65_536),
    "--max-num-batched-tokens": int_range(1, 10_000_000),
    "--tensor-parallel-size": int_range(1, 16),
    "--pipeline-parallel-size": int_range(1, 16),
    "--quantization": choice(
        "awq",
        "gptq",
        "fp8",
        "bitsandbytes",
        "marlin",
        "awq_marlin",
        "gptq_marlin",
        "compressed-tensors",
        "experts_int8",
    ),
    "--kv-cache-dtype": choice("auto", "fp8", "fp8_e4m3", "fp8_e5m2"),
    "--block-size": choice("8", "16", "32", "64", "128"),
    "--swap-space": int_range(0, 1024),
}
VLLM_FLAGS = frozenset(
    {
        "--enforce-eager",
        "--enable-prefix-caching",
        "--no-enable-prefix-caching",
        "--enable-chunked-prefill",
        "--no-enable-chunked-prefill",
    }
)


_NOT_SERVING = {"--help": "not a serving option", "-h": "not a serving option"}

# ---- local engines (backends/local/engines.py runs them) ------------------------------------------

# Options every local engine owns: it listens on a port we pick, on 127.0.0.1 only.
_LOCAL_OWNED = {
    "--port": "the port is chosen by aqua_ext",
    "--host": "engines listen on 127.0.0.1 only",
    **_NOT_SERVING,
}

# From `transformers serve --help` (transformers 5.23). Only options that
# tune the engine are allowed; what decides where it listens, what it serves
# or what code it runs belongs to us.
_TRANSFORMERS_PARAMS = EngineParams(
    values={
        "--dtype": choice("auto", "float32", "float16", "bfloat16"),
        "--attn-implementation": identifier,
        "--quantization": choice("bnb-4bit", "bnb-8bit"),
        "--reasoning": choice("on", "off", "auto"),
        "--chat-template-kwargs": json_object,
        "--log-level": choice("debug", "info", "warning", "error", "critical"),
        "--default-seed": int_range(0, 2**32 - 1),
        "--cb-block-size": int_range(1, 1 << 20),
        "--cb-num-blocks": int_range(1, 1 << 24),
        "--cb-max-batch-tokens": int_range(1, 1 << 24),
        "--cb-max-memory-percent": float_range(0.0, 1.0),
    },
    flags=frozenset(
        {
            "--continuous-batching",
            "--no-continuous-batching",
            "--compile",
            "--no-compile",
            "--cb-use-cuda-graph",
            "--no-cb-use-cuda-graph",
            "--no-trust-remote-code",  # the default; harmless to repeat
        }
    ),
    owned={
        **_LOCAL_OWNED,
        "--device": "the device is set from the deployment's shape",
        "--served-model-name": "the model name is set from the deployment",
        "--model": "the model folder is set from the deployment",
        "--trust-remote-code": "it runs code shipped with the model; it is not allowed",
        "--decision-config": "it reads an arbitrary file on this machine",
        "--enable-cors": "the engine is reached through the Jupyter server only",
        "--no-enable-cors": "the engine is reached through the Jupyter server only",
        "--model-timeout": "the model is pinned; it is never unloaded",
        "--format": "the log format is set by aqua_ext",
        "--json": "the log format is set by aqua_ext",
        "--quiet": "the log format is set by aqua_ext",
        "-q": "the log format is set by aqua_ext",
    },
)

# Our embedding server (embedding_server.py), which stands in for transformers
# serve in embedding mode: its own, shorter list of tuning options.
_EMBEDDING_SERVER_PARAMS = EngineParams(
    values={
        "--dtype": choice("auto", "float32", "float16", "bfloat16"),
        "--log-level": choice("debug", "info", "warning", "error", "critical"),
        "--max-batch-size": int_range(1, 4096),
        "--pooling": choice("mean", "cls", "last"),
    },
    flags=frozenset(),
    owned={
        **_LOCAL_OWNED,
        "--device": "the device is set from the deployment's shape",
    },
)

# From `vllm serve --help` (vLLM 0.11). vLLM runs on a CUDA GPU only.
_VLLM_PARAMS = EngineParams(
    values={
        **VLLM_VALUES,
        "--seed": int_range(0, 2**32 - 1),
        "--uvicorn-log-level": choice("debug", "info", "warning", "error", "critical"),
    },
    flags=VLLM_FLAGS,
    owned={
        **_LOCAL_OWNED,
        "--model": "the model folder is set from the deployment",
        "--served-model-name": "the model name is set from the deployment",
        "--max-model-len": "it is set from the deployment's max model length",
        "--trust-remote-code": "it runs code shipped with the model; it is not allowed",
        "--download-dir": "engines never download; the model folder is local",
        "--api-key": "the engine is reached through the Jupyter server, which authenticates",
        "--chat-template": "it reads an arbitrary file on this machine",
        "--allowed-local-media-path": "it exposes files on this machine",
        "--ssl-keyfile": "the engine listens on 127.0.0.1 only",
        "--ssl-certfile": "the engine listens on 127.0.0.1 only",
        "--tokenizer": "the tokenizer comes from the model folder",
    },
)

# From `llama-server --help` (llama.cpp b6xxx). GGUF weights, CPU or GPU.
_LLAMA_CPP_PARAMS = EngineParams(
    values={
        "--n-gpu-layers": int_range(0, 10_000),
        "--threads": int_range(1, 1024),
        "--batch-size": int_range(1, 1 << 20),
        "--ubatch-size": int_range(1, 1 << 20),
        "--parallel": int_range(1, 256),
        "--flash-attn": choice("on", "off", "auto"),
        "--cache-type-k": choice("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"),
        "--cache-type-v": choice("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"),
        "--seed": int_range(-1, 2**32 - 1),
        "--pooling": choice("none", "mean", "cls", "last", "rank"),
    },
    flags=frozenset({"--cont-batching", "--no-cont-batching", "--mlock", "--no-mmap", "--jinja"}),
    owned={
        **_LOCAL_OWNED,
        "--model": "the model file is set from the deployment",
        "-m": "the model file is set from the deployment",
        "--alias": "the model name is set from the deployment",
        "--ctx-size": "it is set from the deployment's max model length",
        "-c": "it is set from the deployment's max model length",
        "--embedding": "it is set from the deployment's inference mode",
        "--embeddings": "it is set from the deployment's inference mode",
        "--api-key": "the engine is reached through the Jupyter server, which authenticates",
        "--path": "it serves files from this machine",
        "--chat-template-file": "it reads an arbitrary file on this machine",
        "--hf-repo": "engines never download; the model file is local",
        "--model-url": "engines never download; the model file is local",
        "--ssl-key-file": "the engine listens on 127.0.0.1 only",
        "--ssl-cert-file": "the engine listens on 127.0.0.1 only",
    },
)

ENGINE_PARAMS: dict[str, EngineParams] = {
    "transformers": _TRANSFORMERS_PARAMS,
    "vllm": _VLLM_PARAMS,
    "llama.cpp": _LLAMA_CPP_PARAMS,
}
# Per engine, the parameters in embedding mode where another program serves it.
EMBEDDING_PARAMS: dict[str, EngineParams] = {"transformers": _EMBEDDING_SERVER_PARAMS}


def validate_engine_params(engine: str, params: list[str], mode: str = "chat") -> list[str]:
    """Check `--name value` / `--flag` tokens against the local engine's allowlist
    for `mode` and return them normalised (`--name=value` split in two, values
    canonicalised). Raises InvalidInput on field "params" naming the token."""
    if engine not in ENGINE_PARAMS:
        raise InvalidInput.field("engine", f"unknown engine '{engine}'; known: {', '.join(ENGINES)}")
    spec = ENGINE_PARAMS[engine]
    if mode == "embedding" and engine in EMBEDDING_PARAMS:
        spec, engine = EMBEDDING_PARAMS[engine], f"{engine} embedding"
    return check_params(spec, params, engine)


# ---- OCI service containers ------------------------------------------------------------------------

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
    **_NOT_SERVING,
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
