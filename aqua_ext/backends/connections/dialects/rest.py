"""A generic REST service: the connection's first method's `request_body` is a JSON template whose
placeholders `{{prompt}}`, `{{messages}}`, `{{model}}`, `{{max_tokens}}` and `{{temperature}}` are filled
per request, and the answer's text is read at `response_path` (e.g.
`inferenceResponse.generatedTexts[0].text`). It cannot stream, list models or embed.

The template is parsed first and the placeholders replaced in the parsed tree, never pasted into the
JSON text, so a prompt with quotes or braces cannot change the request's structure. A string that is a
placeholder alone becomes the value itself (a number stays a number, `{{messages}}` a list); a
placeholder inside a longer string is replaced by the value's text."""

from __future__ import annotations

import json
import re
from typing import Any

from ..protocol import OpenAiBody, ProviderError, StoredConnection
from .dialect import Call, Dialect, StreamDecoder, completion, pick, prompt_of

PLACEHOLDER = re.compile(r"\{\{\s*(prompt|messages|model|max_tokens|temperature)\s*\}\}")
# What a connection with no template sends.
DEFAULT_TEMPLATE = '{"prompt": "{{prompt}}"}'
_ABSENT = object()

# The response path, read by hand (no JSONPath library is installed, and this needs only keys and [i]):
# `a.b[0].c`, with an optional leading `$.`.
_PATH_STEP = re.compile(r"\.?([^.\[\]]+)|\[(-?\d+)\]")


def template(conn: StoredConnection) -> str:
    methods = conn.fields.methods
    return methods[0].request_body if methods and methods[0].request_body.strip() else DEFAULT_TEMPLATE


def fill(tree: Any, values: dict[str, Any]) -> Any:
    if isinstance(tree, dict):
        out = {}
        for key, value in tree.items():
            filled = fill(value, values)
            if filled is not _ABSENT:  # a placeholder with no value drops its key
                out[key] = filled
        return out
    if isinstance(tree, list):
        return [None if v is _ABSENT else v for v in (fill(item, values) for item in tree)]
    if isinstance(tree, str):
        whole = PLACEHOLDER.fullmatch(tree.strip())
        if whole:
            value = values.get(whole.group(1))
            return _ABSENT if value is None else value

        def text(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            if value is None:
                return ""
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

        return PLACEHOLDER.sub(text, tree)
    return tree


def read_path(data: Any, path: str) -> Any:
    rest = path.strip().removeprefix("$").removeprefix(".")
    at = 0
    while at < len(rest):
        step = _PATH_STEP.match(rest, at)
        if step is None:
            return None
        at = step.end()
        data = pick(data, int(step.group(2))) if step.group(2) is not None else pick(data, step.group(1))
        if data is None:
            return None
    return data


class RestDialect(Dialect):
    fills_template = True

    def streams(self, conn: StoredConnection) -> bool:
        return False

    def raw_url(self, conn: StoredConnection, model: str | None) -> str:
        return conn.fields.endpoint

    def chat_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None, *, stream: bool) -> Call:
        try:
            tree = json.loads(template(conn))
        except ValueError as exc:
            raise ProviderError(f"The connection's request template is not JSON: {exc}") from None
        values = {
            "prompt": prompt_of(body.get("messages")),
            "messages": body.get("messages") or [],
            "model": model,
            "max_tokens": body.get("max_tokens"),
            "temperature": body.get("temperature"),
        }
        method = conn.fields.methods[0].method if conn.fields.methods else "POST"
        return Call(method, conn.fields.endpoint, fill(tree, values))

    def chat_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        text = self.answer_text(conn, data)
        if text is None:
            where = conn.fields.response_path or "(no response path set)"
            raise ProviderError(f"The answer has no text at {where}.", body=json.dumps(data)[:65536])
        return completion(model, text, "stop", None)

    def stream_decoder(self, conn: StoredConnection, model: str | None) -> StreamDecoder:
        raise ProviderError("This service cannot stream.", code="not_offered")

    def embeddings_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None) -> Call | None:
        return None

    def embeddings_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        raise ProviderError("This service offers no embeddings.", code="not_offered")

    def answer_text(self, conn: StoredConnection, data: Any) -> str | None:
        if conn.fields.response_path:
            value = read_path(data, conn.fields.response_path)
        else:
            value = data if isinstance(data, str) else None
        if value is None or isinstance(value, (dict, list)):
            return None if value is None else json.dumps(value, ensure_ascii=False)
        return str(value)


DIALECT = RestDialect()
