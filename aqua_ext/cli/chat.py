"""`aqua-ext chat DEPLOYMENT_ID "prompt"`: one turn, the answer streamed to stdout as it arrives and
a stats line (TTFT, tokens/s, usage) to stderr. Ctrl-C closes the stream, so the engine stops
generating."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from ..api.deployments import ChatMessage, ChatRequest, DeploymentState
from ..errors import InvalidInput, Upstream
from .context import Context, add_command
from .output import emit_json


def add_parser(sub: Any) -> None:
    chat = add_command(sub, "chat", "one chat turn with an ACTIVE deployment, streamed")
    chat.add_argument("deployment_id")
    chat.add_argument("prompt")
    chat.add_argument("--system", help="system message (chat deployments)")
    chat.add_argument("--max-tokens", type=int, help="default 512")
    chat.add_argument("--temperature", type=float, help="0-2, default 0.7")
    chat.add_argument("--top-p", type=float, help="(0, 1], default 1")
    chat.add_argument("--top-k", type=int, help="default off")
    chat.add_argument("--stop", action="append", metavar="S", help="stop sequence (repeatable, up to 8)")
    chat.add_argument("--seed", type=int)
    chat.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds to wait for the first token, and between tokens (default 300)",
    )


def _usage_text(usage: dict[str, Any] | None) -> str:
    if not usage:
        return "usage: not reported"
    parts = [
        f"{k.removesuffix('_tokens')} {usage[k]}"
        for k in ("prompt_tokens", "completion_tokens", "total_tokens")
        if isinstance(usage.get(k), int)
    ]
    return "usage: " + (", ".join(parts) or "not reported")


async def run(ctx: Context) -> int:
    import httpx

    from ..services.chat_payload import build_payload
    from ..services.chat_stream import ChatDelta, ChatDone, stream_chat

    args, backend = ctx.args, ctx.backend
    # Sampling flags go through ChatRequest, so out-of-range values are the same errors the API gives.
    sampling = {
        k: v
        for k, v in (
            ("max_tokens", args.max_tokens),
            ("temperature", args.temperature),
            ("top_p", args.top_p),
            ("top_k", args.top_k),
            ("seed", args.seed),
        )
        if v is not None
    }
    if args.stop:
        sampling["stop"] = args.stop
    messages = [ChatMessage(role="system", content=args.system)] if args.system else []
    request = ChatRequest(messages=[*messages, ChatMessage(role="user", content=args.prompt)], **sampling)

    target = await backend.upstream(args.deployment_id)
    if target.mode == "completion":
        if args.system:
            raise InvalidInput.field(
                "system", "this is a completion deployment: it takes a prompt only, no system message"
            )
        request = ChatRequest(prompt=args.prompt, **sampling)
    path, body = build_payload(request, target)
    url, headers = target.request(path, stream=True)

    parts: list[str] = []
    done: ChatDone | None = None
    ended_with_newline = True
    timeout = httpx.Timeout(args.timeout, read=None)  # stream_chat watches first byte and idle gaps itself
    try:
        async with httpx.AsyncClient(auth=target.auth, trust_env=False, timeout=timeout) as client:
            stream = stream_chat(
                client, url, body, headers=headers, first_byte_timeout=args.timeout, idle_timeout=args.timeout
            )
            async with contextlib.aclosing(stream):
                async for item in stream:
                    if isinstance(item, ChatDelta):
                        if item.content:
                            parts.append(item.content)
                            if not args.json:
                                sys.stdout.write(item.content)
                                sys.stdout.flush()
                                ended_with_newline = item.content.endswith("\n")
                    elif isinstance(item, ChatDone):
                        done = item
    except Upstream as exc:
        if not ended_with_newline:
            print(flush=True)
        # As the chat handler does: a dropped or silent engine may mean it died; the backend looks.
        message = exc.message
        state = await backend.upstream_failed(args.deployment_id, exc.message)
        if state is not None and state != DeploymentState.ACTIVE:
            message += (
                f" The deployment is now {state.value}; `aqua-ext deployments get {args.deployment_id}` shows why."
            )
        raise type(exc)(message) from None
    except BaseException:  # Ctrl-C: the stream is closed above; end the partial line
        if not ended_with_newline and not args.json:
            print(flush=True)
        raise

    assert done is not None
    stats: dict[str, Any] = {
        "deployment_id": args.deployment_id,
        "content": "".join(parts),
        "finish_reason": done.finish_reason,
        "usage": done.usage,
        "ttft_ms": None if done.ttft_s is None else round(done.ttft_s * 1000, 1),
        "total_ms": round(done.total_s * 1000, 1),
        "tokens": done.tokens,
        "tokens_per_s": None if done.tokens_per_s is None else round(done.tokens_per_s, 2),
    }
    if args.json:
        emit_json(stats)
        return 0
    if not ended_with_newline:
        print(flush=True)
    ttft = f"{stats['ttft_ms']:.0f} ms" if stats["ttft_ms"] is not None else "-"
    rate = f"{stats['tokens_per_s']:.1f} tokens/s" if stats["tokens_per_s"] is not None else "- tokens/s"
    print(
        f"— TTFT {ttft} · {done.tokens} tokens in {done.total_s:.2f} s · {rate} · {_usage_text(done.usage)}"
        f" · finish: {done.finish_reason or '-'}",
        file=sys.stderr,
    )
    return 0
