"""OCI Generative AI inference (20231130) as documented: `/20231130/actions/chat` (GENERIC and COHERE
apiFormats; SSE streams), `generateText` (COHERE and LLAMA runtimes, seed 002's payloads and answers),
`summarizeText`, `embedText`; servingMode ON_DEMAND (modelId) or DEDICATED (endpointId); errors
{"code", "message"}. Every request must carry a valid OCI signature, checked by the OCI emulator's own
verification (tests/oci_emulator/server.py), so an unsigned or wrongly signed request gets its 401."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.oci_emulator.core import OciError, Request
from tests.oci_emulator.keys import OciTestConfig
from tests.oci_emulator.server import OciEmulator

from .server import ProviderStub, Refuse, StubHandler, pieces_of, sse

CODES = {400: "InvalidParameter", 401: "NotAuthenticated", 404: "NotAuthorizedOrNotFound", 429: "TooManyRequests",
         500: "InternalServerError", 503: "ServiceUnavailable"}  # fmt: skip
ENVELOPE = {"compartmentId", "servingMode"}
GENERIC_FIELDS = {
    "apiFormat", "messages", "isStream", "streamOptions", "numGenerations", "seed", "isEcho", "topK", "topP",
    "temperature", "frequencyPenalty", "presencePenalty", "stop", "logProbs", "maxTokens", "logitBias",
    "toolChoice", "tools", "responseFormat",
}  # fmt: skip
COHERE_FIELDS = {
    "apiFormat", "message", "chatHistory", "documents", "responseFormat", "isSearchQueriesOnly", "preambleOverride",
    "isStream", "streamOptions", "maxTokens", "maxInputTokens", "temperature", "topK", "topP", "promptTruncation",
    "frequencyPenalty", "presencePenalty", "seed", "isEcho", "tools", "toolResults", "isForceSingleStep",
    "stopSequences", "isRawPrompting", "citationQuality",
}  # fmt: skip
GENERATE_COHERE = {"runtimeType", "prompt", "maxTokens", "isStream", "numGenerations", "isEcho", "topK", "topP",
                   "frequencyPenalty", "presencePenalty", "temperature", "stopSequences", "returnLikelihoods",
                   "truncate"}  # fmt: skip
GENERATE_LLAMA = {"runtimeType", "prompt", "isStream", "numGenerations", "isEcho", "topK", "topP",
                  "frequencyPenalty", "presencePenalty", "temperature", "stop", "logProbs", "maxTokens"}  # fmt: skip
# (servingType, modelId or endpointId) -> the model name the call reaches; raises Refuse (404) when none.
Resolver = Callable[[str, str], str]
SUMMARIZE = ENVELOPE | {"input", "isEcho", "temperature", "additionalCommand", "length", "format", "extractiveness"}
EMBED = ENVELOPE | {"inputs", "isEcho", "truncate", "inputType"}


def _unknown(body: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise Refuse(400, f"Unrecognized field '{where}{extra[0]}'.", "InvalidParameter")


def _need(body: dict[str, Any], where: str, *names: str) -> None:
    for name in names:
        if name not in body:
            raise Refuse(400, f"Missing required parameter '{where}{name}'.", "MissingParameter")


class ActionHandler(StubHandler):
    def error_payload(self, status: int, message: str, code: str | None) -> dict[str, Any]:
        return {"code": code or CODES.get(status, "InternalServerError"), "message": message}

    def authenticate(self) -> None:
        stub: OciGenAiStub = self.stub  # type: ignore[assignment]
        request = Request(
            method=self.request.method or "",
            target=self.request.uri or "",
            path=self.request.path,
            query={},
            headers={k.lower(): v for k, v in self.request.headers.items()},
            body=self.request.body,
            operation="Chat",
        )
        try:
            stub.verifier._authenticate(request)
        except OciError as exc:
            raise Refuse(exc.status, exc.message, exc.code) from None

    def resolve(self, serving_type: str, model: str) -> str:
        if self.stub.models and model not in self.stub.models:
            raise Refuse(404, "Authorization failed or requested resource not found.", "NotAuthorizedOrNotFound")
        return model

    async def post(self, action: str) -> None:
        try:
            self.authenticate()
            result = answer(action, self.json_body(), self.resolve)
            if isinstance(result, list):
                await self.stream(result)
            else:
                self.finish(result)
        except Refuse as exc:
            self.refuse(exc)


def envelope(body: Any, allowed: set[str], resolve: Resolver) -> tuple[dict[str, Any], str]:
    """The common fields; `resolve(servingType, id)` names the model the call reaches (or raises Refuse)."""
    if not isinstance(body, dict):
        raise Refuse(400, "Request body is not valid JSON.", "CannotParseRequest")
    _unknown(body, allowed, "")
    _need(body, "", "compartmentId", "servingMode")
    mode = body["servingMode"]
    if not isinstance(mode, dict) or mode.get("servingType") not in ("ON_DEMAND", "DEDICATED"):
        raise Refuse(400, "servingMode.servingType must be ON_DEMAND or DEDICATED.", "InvalidParameter")
    key = "modelId" if mode["servingType"] == "ON_DEMAND" else "endpointId"
    _unknown(mode, {"servingType", key}, "servingMode.")
    _need(mode, "servingMode.", key)
    if not isinstance(body["compartmentId"], str) or not body["compartmentId"].startswith("ocid1.compartment."):
        raise Refuse(400, "compartmentId must be a compartment OCID.", "InvalidParameter")
    return body, resolve(mode["servingType"], str(mode[key]))


def generate(body: Any, resolve: Resolver) -> dict[str, Any]:
    body, model = envelope(body, ENVELOPE | {"inferenceRequest"}, resolve)
    _need(body, "", "inferenceRequest")
    request = body["inferenceRequest"]
    runtime = request.get("runtimeType") if isinstance(request, dict) else None
    if runtime not in ("COHERE", "LLAMA"):
        raise Refuse(400, "inferenceRequest.runtimeType must be COHERE or LLAMA.", "InvalidParameter")
    _unknown(request, GENERATE_COHERE if runtime == "COHERE" else GENERATE_LLAMA, "inferenceRequest.")
    _need(request, "inferenceRequest.", "prompt")
    text = f"Echo: {request['prompt']}"
    if runtime == "COHERE":  # seed 002's answers, shape for shape
        inference = {"generatedTexts": [{"id": "88ac823b-stub", "text": text}],
                     "timeCreated": "2024-02-08T11:12:58.233Z", "runtimeType": "COHERE"}  # fmt: skip
    else:
        inference = {"created": "2024-02-08T11:16:18.810Z", "runtimeType": "LLAMA",
                     "choices": [{"finishReason": "stop", "index": 0, "text": text}]}  # fmt: skip
    return {"modelId": model, "modelVersion": "1.0", "inferenceResponse": inference}


def chat(body: Any, resolve: Resolver) -> dict[str, Any] | list[bytes]:
    """The answer's JSON, or the SSE events of a stream."""
    body, model = envelope(body, ENVELOPE | {"chatRequest"}, resolve)
    _need(body, "", "chatRequest")
    request = body["chatRequest"]
    fmt = request.get("apiFormat") if isinstance(request, dict) else None
    cohere = model.startswith("cohere.")
    if fmt not in ("GENERIC", "COHERE"):
        raise Refuse(400, "chatRequest.apiFormat must be GENERIC or COHERE.", "InvalidParameter")
    if cohere != (fmt == "COHERE"):
        raise Refuse(400, f"Model {model} does not support the {fmt} API format.", "InvalidParameter")
    if fmt == "GENERIC":
        _unknown(request, GENERIC_FIELDS, "chatRequest.")
        _need(request, "chatRequest.", "messages")
        prompt = ""
        for i, m in enumerate(request["messages"]):
            where = f"chatRequest.messages[{i}]."
            _unknown(m, {"role", "content", "name", "toolCalls", "toolCallId"}, where)
            if m.get("role") not in ("SYSTEM", "USER", "ASSISTANT", "TOOL"):
                raise Refuse(400, f"{where}role must be SYSTEM, USER, ASSISTANT or TOOL.", "InvalidParameter")
            parts = m.get("content")
            if not isinstance(parts, list) or any(p.get("type") != "TEXT" or "text" not in p for p in parts):
                raise Refuse(400, f"{where}content must be a list of TEXT parts.", "InvalidParameter")
            if m["role"] == "USER":
                prompt = "".join(p["text"] for p in parts)
    else:
        _unknown(request, COHERE_FIELDS, "chatRequest.")
        _need(request, "chatRequest.", "message")
        for i, turn in enumerate(request.get("chatHistory") or ()):
            _unknown(turn, {"role", "message", "toolCalls", "toolResults"}, f"chatRequest.chatHistory[{i}].")
            if turn.get("role") not in ("USER", "CHATBOT", "SYSTEM", "TOOL"):
                raise Refuse(400, "chatHistory role must be USER, CHATBOT, SYSTEM or TOOL.", "InvalidParameter")
        prompt = request["message"]
    text = f"Echo: {prompt}"
    if not request.get("isStream"):
        if fmt == "GENERIC":
            message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]}
            answer = {
                "apiFormat": "GENERIC",
                "timeCreated": "2024-09-01T00:00:00Z",
                "choices": [{"index": 0, "finishReason": "stop", "message": message}],
                "usage": {"promptTokens": 9, "completionTokens": len(text), "totalTokens": 9 + len(text)},
            }
        else:
            history = [{"role": "USER", "message": prompt}, {"role": "CHATBOT", "message": text}]
            answer = {"apiFormat": "COHERE", "text": text, "finishReason": "COMPLETE", "chatHistory": history}
        return {"modelId": model, "modelVersion": "1.0", "chatResponse": answer}
    if fmt == "GENERIC":
        events = [
            sse({"index": 0, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": p}]}})
            for p in pieces_of(text)
        ]
        events.append(sse({"message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": ""}]},
                           "finishReason": "stop"}))  # fmt: skip
    else:
        events = [sse({"apiFormat": "COHERE", "text": p}) for p in pieces_of(text)]
        # The last event repeats the whole text with the finish reason and the history.
        events.append(sse({"apiFormat": "COHERE", "text": text, "finishReason": "COMPLETE",
                           "chatHistory": [{"role": "CHATBOT", "message": text}]}))  # fmt: skip
    return events


def answer(action: str, body: Any, resolve: Resolver) -> dict[str, Any] | list[bytes]:
    """One inference action's answer (its JSON, or a chat stream's SSE events); Refuse on bad input. Shared by
    this stub and the OCI emulator's inference host (tests/oci_emulator/generative_ai.py)."""
    if action == "chat":
        return chat(body, resolve)
    if action == "generateText":
        return generate(body, resolve)
    if action == "summarizeText":
        body, model = envelope(body, SUMMARIZE, resolve)
        _need(body, "", "input")
        return {"summary": f"Summary: {body['input']}", "modelId": model, "modelVersion": "15.6",
                "id": "fcba95ba-stub"}  # fmt: skip
    if action == "embedText":
        body, model = envelope(body, EMBED, resolve)
        _need(body, "", "inputs")
        vectors = [[float(len(t)), float(len(t.encode())), 0.5] for t in body["inputs"]]
        return {"id": "embed-stub", "embeddings": vectors, "modelId": model, "modelVersion": "3.0"}
    raise Refuse(404, "Authorization failed or requested resource not found.", "NotAuthorizedOrNotFound")


class OciGenAiStub(ProviderStub):
    """OCI Generative AI inference at `{url}`; requests must be signed by `config`'s key."""

    def __init__(self, config: OciTestConfig, *, models: list[str] | None = None) -> None:
        super().__init__(models=models)
        # Not started: only its signature verification (and the key it registered) is used.
        self.verifier = OciEmulator(config=config)

    def routes(self) -> list[Any]:
        return [(r"/20231130/actions/([A-Za-z]+)", ActionHandler)]
