"""A small OpenAI-compatible embedding server for one local model folder.

`transformers serve` has no /v1/embeddings, so local "embedding" deployments
run this instead. engines.py starts it exactly like transformers serve: a
detached process, pinned to one folder, bound to 127.0.0.1, its log the
process's stdout; wait_ready polls /health and sends one embedding.

    python -m aqua_ext.backends.local.embedding_server MODEL_FOLDER \\
        --host 127.0.0.1 --port N --device cpu [--dtype auto|float32|float16|bfloat16] \\
        [--log-level info] [--max-batch-size N] [--pooling mean|cls|last]

Routes:

- `GET /health`: 200 `{"status": "ok"}`. The model is loaded before the
  port is bound, so an answer means it is ready.
- `GET /v1/models` and `GET /v1/models/{id}`: the one served model, whose id
  is the folder's absolute path (what engines.EngineSpec.engine_model_id is).
- `POST /v1/embeddings`: the OpenAI request and response shapes. `input` is a
  string, a list of strings, a list of token ids, or a list of token-id lists
  (at most MAX_INPUTS items, none empty); `model` is the served id or left
  out; `encoding_format` is "float" (default) or "base64" (little-endian
  float32, like OpenAI); `dimensions` keeps the first N components and
  normalises again. Inputs longer than the model's maximum length are
  truncated. Vectors are pooled over the attention mask (mean by default, the
  sentence-transformers convention for most embedding models) and L2-normalised.

Every error answers an OpenAI error body `{"error": {"message", "type",
"param", "code"}}`: 400 for a bad request, 404 for another model or an unknown
route, 500 (without a traceback; that goes to the log) for a failure of ours.

fastapi (with starlette and anyio) comes with the [local] extra like torch
and transformers; torch and transformers are imported only when the model is
loaded, so the process logs what it is about to do before that slow import.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from anyio import to_thread
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

if TYPE_CHECKING:
    import torch

LOG = logging.getLogger("aqua_ext.embedding_server")

# OpenAI's own limit on inputs per request; it bounds the memory one request can take.
MAX_INPUTS = 2048
DEFAULT_MAX_BATCH_SIZE = 32
POOLINGS = ("mean", "cls", "last")
DTYPES = ("auto", "float32", "float16", "bfloat16")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
ENCODING_FORMATS = ("float", "base64")
# Tokenizers without a real limit report this sentinel (transformers' VERY_LARGE_INTEGER is 1e30).
_NO_LIMIT = 10**9
# Used when neither the tokenizer nor the config states a maximum length.
_FALLBACK_MAX_LENGTH = 512

Pooling = Literal["mean", "cls", "last"]
EncodingFormat = Literal["float", "base64"]
# One input: text to tokenize, or token ids given by the client.
Input = str | list[int]


# ----------------------------------------------------------------------------
# Errors and request parsing
# ----------------------------------------------------------------------------


class ApiError(Exception):
    """An error answered as an OpenAI error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def _bad(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


@dataclass(frozen=True)
class EmbeddingRequest:
    inputs: list[Input]
    encoding_format: EncodingFormat
    dimensions: int | None


def _is_int(value: object) -> bool:
    # bool is an int in Python; `true` is not a token id.
    return isinstance(value, int) and not isinstance(value, bool)


_INPUT_SHAPES = "a string, an array of strings, an array of token ids, or an array of token-id arrays"


def parse_input(value: object, vocab_size: int) -> list[Input]:
    """The inputs of a request's `input`, or ApiError(400) on param "input"."""
    if isinstance(value, str):
        items: list[Input] = [value]
    elif isinstance(value, list):
        if not value:
            raise _bad("'input' must not be empty.", "input")
        if all(_is_int(v) for v in value):
            items = [list(value)]  # one input, already tokenized
        elif all(isinstance(v, str) for v in value):
            items = list(value)
        elif all(isinstance(v, list) for v in value):
            for i, tokens in enumerate(value):
                if not all(_is_int(t) for t in tokens):
                    raise _bad(f"'input[{i}]' must be an array of integer token ids.", "input")
            items = [list(tokens) for tokens in value]
        else:
            raise _bad(f"'input' must be {_INPUT_SHAPES}; this array is none of them.", "input")
    else:
        raise _bad(f"'input' must be {_INPUT_SHAPES}.", "input")
    if len(items) > MAX_INPUTS:
        raise _bad(f"'input' has {len(items)} items; at most {MAX_INPUTS} are allowed per request.", "input")
    for i, item in enumerate(items):
        where = "'input'" if len(items) == 1 else f"'input[{i}]'"
        if len(item) == 0:
            raise _bad(f"{where} must not be empty.", "input")
        if isinstance(item, list):
            bad = next((t for t in item if not 0 <= t < vocab_size), None)
            if bad is not None:
                # Out of range ids would fail deep inside the model's embedding lookup.
                raise _bad(f"{where} holds token id {bad}; this model's ids are 0 to {vocab_size - 1}.", "input")
    return items


def parse_request(body: object, *, model_names: set[str], dimension: int, vocab_size: int) -> EmbeddingRequest:
    """Validate an /v1/embeddings body. Raises ApiError (400, or 404 for another model)."""
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object.")
    model = body.get("model")
    if model is not None:
        if not isinstance(model, str):
            raise _bad("'model' must be a string.", "model")
        if model not in model_names:
            # Like transformers serve in pinned mode, we serve one folder; unlike
            # it, answer as OpenAI does for an unknown model.
            raise ApiError(
                404,
                f"The model '{model}' does not exist; this server serves '{min(model_names)}'.",
                param="model",
                code="model_not_found",
            )
    if "input" not in body:
        raise _bad("'input' is a required property.", "input")
    inputs = parse_input(body["input"], vocab_size)
    encoding = body.get("encoding_format")
    if encoding is not None and encoding not in ENCODING_FORMATS:
        raise _bad(f"'encoding_format' must be one of {', '.join(ENCODING_FORMATS)}.", "encoding_format")
    dimensions = body.get("dimensions")
    if dimensions is not None and (not _is_int(dimensions) or not 1 <= dimensions <= dimension):
        raise _bad(f"'dimensions' must be an integer from 1 to {dimension} (this model's dimension).", "dimensions")
    return EmbeddingRequest(
        inputs=inputs, encoding_format="base64" if encoding == "base64" else "float", dimensions=dimensions
    )


# ----------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------


def _pool(hidden: torch.Tensor, mask: torch.Tensor, lengths: torch.Tensor, pooling: Pooling) -> torch.Tensor:
    """One vector per row of `hidden` (batch, seq, dim), padding excluded."""
    import torch

    if pooling == "cls":
        return hidden[:, 0]
    if pooling == "last":
        # Right padding (see Embedder._forward): the last real token is at length - 1.
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), lengths - 1]
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


class Embedder:
    """A tokenizer and a base model (no head) loaded from one folder."""

    def __init__(
        self,
        folder: Path,
        *,
        device: str = "cpu",
        dtype: str = "auto",
        pooling: Pooling = "mean",
        max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
    ) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        # The weight-loading bar is a tqdm line per update: noise in the engine log.
        hf_logging.disable_progress_bar()
        self.pooling: Pooling = pooling
        self.max_batch_size = max_batch_size
        self.device = torch.device(device)
        # Fast tokenizers are not safe to call from two threads at once ("Already
        # borrowed"), and two forwards at once only fight over the same cores:
        # requests take turns.
        self._lock = threading.Lock()
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
        model = AutoModel.from_pretrained(
            folder,
            local_files_only=True,
            trust_remote_code=False,
            dtype="auto" if dtype == "auto" else getattr(torch, dtype),
        )
        if getattr(model.config, "is_encoder_decoder", False) and hasattr(model, "get_encoder"):
            model = model.get_encoder()  # T5-style: the encoder's states are the embedding
        # A decoder would otherwise build a KV cache on every forward, for nothing.
        model.config.use_cache = False
        self.model = model.to(self.device).eval()
        self.vocab_size = int(model.get_input_embeddings().num_embeddings)
        self.max_length = self._max_length()
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        # The output width is what the model really produces, not what its config
        # calls it (hidden_size, d_model, dim...): ask it once.
        self.dimension = int(self._forward([[0]]).shape[-1])

    def _max_length(self) -> int:
        limits = [
            int(n)
            for n in (
                getattr(self.tokenizer, "model_max_length", None),
                getattr(self.model.config, "max_position_embeddings", None),
            )
            if isinstance(n, int) and 0 < n < _NO_LIMIT
        ]
        return min(limits) if limits else _FALLBACK_MAX_LENGTH

    def embed(self, inputs: list[Input]) -> tuple[torch.Tensor, int]:
        """L2-normalised float32 vectors (len(inputs), dimension) on the CPU, and
        the number of tokens used (after truncation). Blocking: call from a thread.
        Raises ApiError(400) for an input that tokenizes to nothing."""
        with self._lock:
            texts = [(i, item) for i, item in enumerate(inputs) if isinstance(item, str)]
            ids: list[list[int]] = [item[: self.max_length] if isinstance(item, list) else [] for item in inputs]
            if texts:
                encoded = self.tokenizer([text for _, text in texts], truncation=True, max_length=self.max_length)
                for (i, _), tokens in zip(texts, encoded["input_ids"], strict=True):
                    ids[i] = list(tokens)
            # A tokenizer that drops whitespace and adds no special tokens can leave
            # nothing to pool: that is the client's input, not our failure.
            empty = next((i for i, tokens in enumerate(ids) if not tokens), None)
            if empty is not None:
                where = "'input'" if len(ids) == 1 else f"'input[{empty}]'"
                raise _bad(f"{where} has no tokens for this model's tokenizer.", "input")
            return self._forward(ids), sum(len(tokens) for tokens in ids)

    def _forward(self, ids: list[list[int]]) -> torch.Tensor:
        import torch

        out = torch.empty((len(ids), 0), dtype=torch.float32)
        # Longest first, so each batch holds inputs of similar length and pads little.
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.max_batch_size):
                rows = order[start : start + self.max_batch_size]
                lengths = torch.tensor([max(1, len(ids[i])) for i in rows])
                width = int(lengths.max())
                # Right padding, always: real tokens keep positions 0..n-1 and, in a
                # causal model, never see a pad, so a vector does not depend on what
                # it was batched with.
                input_ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for row, i in enumerate(rows):
                    input_ids[row, : len(ids[i])] = torch.tensor(ids[i], dtype=torch.long)
                    mask[row, : len(ids[i])] = 1
                outputs = self.model(input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device))
                hidden = outputs.last_hidden_state if hasattr(outputs, "last_hidden_state") else outputs[0]
                # Pool and normalise in float32: a float16 sum over hundreds of tokens loses digits.
                pooled = _pool(hidden.float(), mask.to(self.device), lengths.to(self.device), self.pooling)
                vectors = torch.nn.functional.normalize(pooled, p=2.0, dim=-1).cpu()
                if out.shape[1] == 0:
                    out = torch.empty((len(ids), vectors.shape[1]), dtype=torch.float32)
                out[torch.tensor(rows)] = vectors
        return out


def shape_vectors(vectors: torch.Tensor, dimensions: int | None) -> torch.Tensor:
    """Keep the first `dimensions` components and normalise again (OpenAI's
    `dimensions` on text-embedding-3: a shortened vector still has unit norm)."""
    import torch

    if dimensions is None or dimensions >= vectors.shape[1]:
        return vectors
    return torch.nn.functional.normalize(vectors[:, :dimensions], p=2.0, dim=-1)


def _encode(vectors: torch.Tensor, encoding: EncodingFormat) -> list[list[float]] | list[str]:
    if encoding == "base64":
        # OpenAI's base64 is the raw little-endian float32 array of each vector.
        array = vectors.numpy().astype("<f4")
        return [base64.b64encode(row.tobytes()).decode("ascii") for row in array]
    values: list[list[float]] = vectors.tolist()
    return values


def embeddings_body(embedder: Embedder, request: EmbeddingRequest, model_id: str) -> tuple[bytes, int]:
    """The JSON response to `request`, and the tokens used. Blocking (the
    forward pass, and a JSON dump that can reach megabytes): call from a thread."""
    vectors, tokens = embedder.embed(request.inputs)
    encoded = _encode(shape_vectors(vectors, request.dimensions), request.encoding_format)
    body = {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(encoded)],
        "model": model_id,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return json.dumps(body, separators=(",", ":")).encode(), tokens


# ----------------------------------------------------------------------------
# The HTTP app
# ----------------------------------------------------------------------------


def _error_response(error: ApiError) -> Response:
    return JSONResponse(error.body(), status_code=error.status)


def build_app(embedder: Embedder, model_id: str, *, aliases: set[str] | None = None) -> FastAPI:
    """The app serving `embedder` as `model_id` (also accepting `aliases` as `model`)."""
    app = FastAPI(title="aqua_ext embedding server", docs_url=None, redoc_url=None, openapi_url=None)
    names = {model_id, *(aliases or set())}
    created = int(time.time())
    model_card = {"id": model_id, "object": "model", "created": created, "owned_by": "aqua_ext"}

    @app.middleware("http")
    async def access_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # One line per request, like uvicorn's access log (which is off), plus
        # the time taken and what an embedding request carried.
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            client = f"{request.client.host}:{request.client.port}" if request.client else "-"
            detail = getattr(request.state, "log_detail", "")
            LOG.info(
                '%s "%s %s" %d %.1f ms%s',
                client,
                request.method,
                request.url.path,
                status,
                (time.perf_counter() - started) * 1000,
                detail,
            )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        # Unknown routes (404) and wrong methods (405) in the OpenAI shape too.
        kind = "not_found" if exc.status_code == 404 else None
        return _error_response(ApiError(exc.status_code, str(exc.detail), code=kind))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> Response:
        return _error_response(_bad(f"Invalid request: {exc.errors()}"))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> Response:
        # The traceback is logged by uvicorn; the client only learns that it failed.
        return _error_response(ApiError(500, f"The embedding server failed: {type(exc).__name__}", type="server_error"))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    async def list_models() -> dict[str, object]:
        return {"object": "list", "data": [model_card]}

    @app.get("/v1/models/{name:path}")
    async def get_model(name: str) -> Response:
        # The id is an absolute path; a client may send it with or without the leading slash.
        if name in names or f"/{name}" in names:
            return JSONResponse(model_card)
        return _error_response(
            ApiError(404, f"The model '{name}' does not exist.", param="model", code="model_not_found")
        )

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> Response:
        try:
            try:
                body = json.loads(await request.body())
            except ValueError:
                raise _bad("The request body is not valid JSON.") from None
            parsed = parse_request(
                body, model_names=names, dimension=embedder.dimension, vocab_size=embedder.vocab_size
            )
            # Off the event loop: /health and other requests stay answered meanwhile.
            content, tokens = await to_thread.run_sync(embeddings_body, embedder, parsed, model_id)
        except ApiError as error:
            request.state.log_detail = f" ({error.message})"
            return _error_response(error)
        except Exception:
            LOG.exception("an embedding request failed")
            return _error_response(
                ApiError(500, "The embedding server failed to embed the input; see its log.", type="server_error")
            )
        request.state.log_detail = f" {len(parsed.inputs)} inputs, {tokens} tokens"
        return Response(content, media_type="application/json")

    return app


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m aqua_ext.backends.local.embedding_server",
        description="Serve OpenAI-compatible /v1/embeddings for one model folder.",
    )
    parser.add_argument("model", type=Path, help="the model folder (config, weights, tokenizer)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--dtype", choices=DTYPES, default="auto")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    parser.add_argument(
        "--max-batch-size", type=_positive_int, default=DEFAULT_MAX_BATCH_SIZE, help="inputs per forward pass"
    )
    parser.add_argument(
        "--pooling",
        choices=POOLINGS,
        default="mean",
        help="mean over tokens (default), the first token (cls), or the last token (last)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    import uvicorn

    folder = args.model.expanduser().absolute()
    LOG.info("loading %s on %s (dtype %s, pooling %s)", folder, args.device, args.dtype, args.pooling)
    started = time.perf_counter()
    # Loaded before the port is bound: once /health answers, embeddings work.
    # A failure here is a traceback in the log and a non-zero exit, which
    # engines.wait_ready reports with the log's last lines.
    embedder = Embedder(
        folder, device=args.device, dtype=args.dtype, pooling=args.pooling, max_batch_size=args.max_batch_size
    )
    LOG.info(
        "loaded in %.1f s: dimension %d, max length %d tokens, %s",
        time.perf_counter() - started,
        embedder.dimension,
        embedder.max_length,
        type(embedder.model).__name__,
    )
    app = build_app(embedder, str(folder), aliases={str(args.model)})
    # log_config=None: uvicorn's loggers go through the root handler set above,
    # in the same format; our middleware writes the access lines.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=3,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
