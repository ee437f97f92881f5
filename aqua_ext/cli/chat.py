"""`aqua-ext chat DEPLOYMENT_ID|CONNECTION_ID "prompt"`: one turn, the answer streamed to stdout as it
arrives and a stats line (TTFT, tokens/s, usage) to stderr. Ctrl-C closes the stream, so the engine
(or the connection's service) stops generating. A connection that cannot stream answers whole."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from ..api.connections import ConnectionChatRequest, is_connection_id
from ..api.deployments import ChatMessage, ChatRequest, DeploymentState
from ..errors import InvalidInput, Upstream
from .context import Context, add_command
from .output import emit_json


def add_parser(sub: Any) -> None:
    chat = add_command(sub, "chat", "one chat turn with an ACTIVE deployment or a connection, streamed")
    chat.add_argument("deployment_id", metavar="DEPLOYMENT_ID|CONNECTION_ID")
    chat.add_argument("prompt")
    chat.add_argument("--model", help="a connection's model (default: its default model)")
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

    from ..services.chat_stream import ChatDelta, ChatDone

    args, deployments = ctx.args, ctx.services.deployments
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
    messages.append(ChatMessage(role="user", content=args.prompt))
    turn: Any
    if is_connection_id(args.deployment_id):
        conversation = ConnectionChatRequest(messages=messages, model=args.model, **sampling)
        turn = await ctx.services.connections.chat(args.deployment_id, conversation)
        asked = {"connection_id": args.deployment_id}
    else:
        if args.model:
            raise InvalidInput.field("model", "names a connection's model; a deployment serves its own")
        # As the chat handler: what the deployment's mode takes (a completion deployment: the prompt), the payload.
        turn = await deployments.chat(args.deployment_id, ChatRequest(messages=messages, **sampling))
        asked = {"deployment_id": args.deployment_id}

    parts: list[str] = []
    done: ChatDone | None = None
    ended_with_newline = True
    timeout = httpx.Timeout(args.timeout, read=None)  # the turn watches first byte and idle gaps itself
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=timeout) as client:
            stream = turn.stream(client, timeout=args.timeout)
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
        # A dropped or silent engine may mean it died: the turn asked its target.
        message = exc.message
        state = turn.deployment_state
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
        **asked,
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
