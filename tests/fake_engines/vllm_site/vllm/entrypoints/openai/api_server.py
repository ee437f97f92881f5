"""A stand-in for vLLM's OpenAI server (`python -m vllm.entrypoints.openai.api_server`), for the tests of
what a CPU machine cannot run: LoRA adapters added and removed on a running engine. It takes the flags
aqua_ext passes, serves the base under --model and each adapter of --lora-modules, and, as vLLM does when
VLLM_ALLOW_RUNTIME_LORA_UPDATING is set, POST /v1/load_lora_adapter and /v1/unload_lora_adapter (refusing a
rank above --max-lora-rank, a name already loaded, a name not loaded; without the variable the routes are
absent). An answer names the model that gave it. Every request is appended to $FAKE_VLLM_REQUESTS."""

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--host", required=True)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--max-model-len", type=int)
parser.add_argument("--enable-lora", action="store_true")
parser.add_argument("--max-loras", type=int, default=1)
parser.add_argument("--max-lora-rank", type=int, default=16)
parser.add_argument("--lora-modules", nargs="*", default=[])
args, _ = parser.parse_known_args()


def rank_of(path):
    with open(os.path.join(path, "adapter_config.json"), encoding="utf-8") as f:
        return int(json.load(f)["r"])


loras = {}
for module in args.lora_modules:
    name, path = module.split("=", 1)
    if rank_of(path) > args.max_lora_rank:
        raise SystemExit(f"ValueError: LoRA rank {rank_of(path)} is greater than max_lora_rank {args.max_lora_rank}.")
    loras[name] = path
runtime_updates = os.environ.get("VLLM_ALLOW_RUNTIME_LORA_UPDATING", "").lower() in ("1", "true")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body, content_type="application/json"):
        data = (json.dumps(body) if content_type == "application/json" else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, message):
        self._send(status, {"object": "error", "message": message, "type": "BadRequestError", "code": status})

    def do_GET(self):
        if self.path == "/health":
            self._send(200, "", "text/plain")
        elif self.path == "/v1/models":
            data = [{"id": args.model, "object": "model", "parent": None}]
            data += [{"id": name, "object": "model", "parent": args.model} for name in loras]
            self._send(200, {"object": "list", "data": data})
        else:
            self._error(404, "Not Found")

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(os.environ["FAKE_VLLM_REQUESTS"], "a", encoding="utf-8") as f:
            f.write(json.dumps({"path": self.path, "body": body}) + "\n")
        if self.path in ("/v1/load_lora_adapter", "/v1/unload_lora_adapter") and not runtime_updates:
            self._error(404, "Not Found")
        elif self.path == "/v1/load_lora_adapter":
            name, path = body["lora_name"], body["lora_path"]
            if not args.enable_lora:
                self._error(400, "LoRA is not enabled. Use --enable-lora to enable LoRA.")
            elif name in loras:
                self._error(400, f"The lora adapter '{name}' has already been loaded.")
            elif rank_of(path) > args.max_lora_rank:
                self._error(400, f"LoRA rank {rank_of(path)} is greater than max_lora_rank {args.max_lora_rank}.")
            else:
                loras[name] = path
                self._send(200, f"Success: LoRA adapter '{name}' added successfully.", "text/plain")
        elif self.path == "/v1/unload_lora_adapter":
            name = body["lora_name"]
            if loras.pop(name, None) is None:
                self._error(404, f"The lora adapter '{name}' cannot be found.")
            else:
                self._send(200, f"Success: LoRA adapter '{name}' removed successfully.", "text/plain")
        elif self.path == "/v1/chat/completions":
            model = body.get("model")
            if model != args.model and model not in loras:
                self._error(404, f"The model `{model}` does not exist.")
                return
            message = {"role": "assistant", "content": f"answered by {model}"}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            usage = {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}
            self._send(200, {"object": "chat.completion", "model": model, "choices": [choice], "usage": usage})
        else:
            self._error(404, "Not Found")

    def log_message(self, fmt, *a):
        print(fmt % a, flush=True)


print(f"INFO: Started server process; LoRA modules {sorted(loras)}", flush=True)
ThreadingHTTPServer((args.host, args.port), Handler).serve_forever()
