"""A generic REST service for `rest` connections: `POST /generate` takes seed 002's OCI generateText
body (unsigned here: the shape is what matters) and answers with seed 002's generateText response, so a
template filled wrongly (a number turned into a string, a prompt pasted into the JSON text) is refused."""

from __future__ import annotations

from typing import Any

from .server import ProviderStub, Refuse, StubHandler


class GenerateHandler(StubHandler):
    def error_payload(self, status: int, message: str, code: str | None) -> dict[str, Any]:
        return {"code": code or str(status), "message": message}

    def post(self) -> None:
        try:
            if self.stub.key is not None and self.request.headers.get("Authorization") != f"Bearer {self.stub.key}":
                raise Refuse(401, "Not authenticated.", "NotAuthenticated")
            body = self.json_body()
            if not isinstance(body, dict) or set(body) != {"compartmentId", "servingMode", "inferenceRequest"}:
                raise Refuse(400, "Expected compartmentId, servingMode and inferenceRequest.", "InvalidParameter")
            request = body["inferenceRequest"]
            if not isinstance(request.get("prompt"), str):
                raise Refuse(400, "inferenceRequest.prompt must be a string.", "InvalidParameter")
            for name in ("maxTokens", "temperature"):
                if name in request and not isinstance(request[name], (int, float)):
                    raise Refuse(400, f"inferenceRequest.{name} must be a number.", "InvalidParameter")
            model = body["servingMode"].get("modelId")
        except Refuse as exc:
            self.refuse(exc)
            return
        self.finish(
            {
                "modelId": model,
                "modelVersion": "15.6",
                "inferenceResponse": {
                    "generatedTexts": [{"id": "6fd60b7d-stub", "text": f"Echo: {request['prompt']}"}],
                    "timeCreated": "2024-02-08T11:12:04.252Z",
                    "runtimeType": "COHERE",
                },
            }
        )


class RestStub(ProviderStub):
    def routes(self) -> list[Any]:
        return [(r"/generate", GenerateHandler)]
