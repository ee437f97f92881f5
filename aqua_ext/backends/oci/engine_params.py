"""How the OCI service containers (vLLM, TGI, llama.cpp) spell a deployment's context length in
`PARAMS`: a fact of each container's command line. Which parameters a user may pass is the
deployments service's rule (services/engine_params.py); the driver gets them checked.
"""

from __future__ import annotations


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
