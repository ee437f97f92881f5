"""`aqua-ext connections create|list|get|test|delete|import|export`: hosted LLM services beside our
deployments (services/connections.py owns their rules).

A secret is never a plain argument (it would land in the shell's history and in `ps`): `create`
reads it from an environment variable (`--secret-env VAR`) or from stdin (`--secret-stdin`; on a
terminal, typed without echo). `export --include-secrets -o FILE` writes a file only its owner
can read."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

from ..api.connections import (
    AuthType,
    Capability,
    ConnectionDetail,
    ConnectionKind,
    ConnectionSummary,
    CreateConnectionRequest,
    ExportConnectionsQuery,
    ImportConnectionsRequest,
    ServingMode,
    TestConnectionRequest,
    TestConnectionResult,
)
from ..errors import InvalidInput
from .context import Context, add_command, add_group
from .output import ID, NAME, Column, clip, emit, emit_json, error, facts_text, listing, time_facts


def add_parser(sub: Any) -> None:
    conns = add_group(sub, "connections", "hosted LLM services (OpenAI, Azure OpenAI, Cohere, OCI Generative AI, REST)")
    create = add_command(conns, "create", "add a connection (the secret from --secret-env or --secret-stdin)")
    create.add_argument("name")
    create.add_argument("--kind", required=True, choices=get_args(ConnectionKind))
    create.add_argument(
        "--endpoint", required=True, help="the service's base URL (rest: the URL it posts to), http(s) only"
    )
    create.add_argument("--description")
    create.add_argument("--auth-type", choices=get_args(AuthType), help="default none")
    create.add_argument("--api-key-header", metavar="NAME", help="the header that carries the key (api_key_header)")
    create.add_argument("--username", help="basic auth: the user (the password is the secret)")
    create.add_argument(
        "--header", action="append", metavar="NAME=VALUE", help="an extra header sent as it is, not secret (repeatable)"
    )
    create.add_argument("--model", action="append", metavar="MODEL", help="a model the service offers (repeatable)")
    create.add_argument("--default-model", help="the model a chat or a test uses when none is named")
    create.add_argument("--api-version", help="Azure OpenAI's api-version")
    create.add_argument("--compartment-id", help="OCI Generative AI: the compartment OCID")
    create.add_argument(
        "--serving-mode", choices=get_args(ServingMode), help="OCI Generative AI (DEDICATED: the model is an endpoint)"
    )
    create.add_argument(
        "--capability", action="append", choices=get_args(Capability), help="what it serves (repeatable; default chat)"
    )
    create.add_argument(
        "--response-path", metavar="PATH", help="rest: where the answer's text is, e.g. choices[0].message.content"
    )
    create.add_argument(
        "--request-body",
        metavar="JSON|@FILE",
        help="rest: the request template; other kinds: the test's sample payload",
    )
    create.add_argument(
        "--allow-link-local",
        action="store_true",
        help="allow a link-local or cloud-metadata address (refused otherwise)",
    )
    create.add_argument("--timeout", type=float, metavar="SECONDS", help="per request (default 120)")
    # Said at once, rather than taken (or read as an abbreviation of the flags below).
    create.add_argument("--secret", action=_SecretRefused, help=argparse.SUPPRESS)
    secret = create.add_mutually_exclusive_group()
    secret.add_argument("--secret-env", metavar="VAR", help="read the key, token or password from this variable")
    secret.add_argument(
        "--secret-stdin", action="store_true", help="read it from stdin (on a terminal: typed, not echoed)"
    )

    add_command(conns, "list", "list connections")
    add_command(conns, "get", "show one connection (never its secret)").add_argument("connection_id")
    test = add_command(conns, "test", "send the sample payload (or a one-line chat); exit 1 unless it answers")
    test.add_argument("connection_id")
    test.add_argument("--model", help="which of its models (default: its default model)")
    test.add_argument("--prompt", help="a one-turn chat with this prompt instead of the sample payload")
    test.add_argument("--payload", metavar="JSON|@FILE", help="a JSON body sent as it is")
    add_command(conns, "delete", "remove a connection and its secret").add_argument("connection_id")
    imp = add_command(conns, "import", "create the services of an ODA `exportedRestServices` YAML file")
    imp.add_argument("file", metavar="FILE.yaml")
    exp = add_command(conns, "export", "write connections as ODA `exportedRestServices` YAML (secrets left out)")
    exp.add_argument("connection_ids", nargs="*", metavar="CONNECTION_ID", help="default: every connection")
    exp.add_argument(
        "--include-secrets", action="store_true", help="put the secrets in too (the file is made readable by you only)"
    )
    exp.add_argument("-o", "--output", metavar="FILE", help="default: stdout")
    exp.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


class _SecretRefused(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        parser.error(
            "--secret: a secret is never an argument (the shell's history and `ps` would show it); "
            "use --secret-env VAR or --secret-stdin"
        )


# ---- reading what the flags point at ---------------------------------------------------


async def _read_text(path: Path, field: str) -> str:
    try:
        return await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput.field(field, f"{path}: {getattr(exc, 'strerror', None) or exc}") from None


async def _text_or_file(value: str, field: str) -> str:
    """A flag's text, or the file's when it starts with @."""
    return await _read_text(Path(value[1:]), field) if value.startswith("@") else value


def _read_stdin_secret() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("secret (not echoed): ")
    return sys.stdin.read()


async def _secret(args: argparse.Namespace) -> str | None:
    if args.secret_env:
        value = os.environ.get(args.secret_env, "")
        if not value:
            raise InvalidInput.field("secret_env", f"the environment variable {args.secret_env} is not set (or empty)")
        return value
    if args.secret_stdin:
        value = (await asyncio.to_thread(_read_stdin_secret)).rstrip("\r\n")
        if not value:
            raise InvalidInput.field("secret_stdin", "stdin gave no secret")
        return value
    return None


def _headers(pairs: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput.field("headers", f"{pair!r}: give NAME=VALUE")
        headers[name.strip()] = value
    return headers


async def _create_request(args: argparse.Namespace) -> CreateConnectionRequest:
    """The request the REST route takes, from the flags (left out: the contract's defaults)."""
    flags = {
        "description": args.description,
        "auth_type": args.auth_type,
        "api_key_header": args.api_key_header,
        "username": args.username,
        "models": args.model,
        "default_model": args.default_model,
        "api_version": args.api_version,
        "compartment_id": args.compartment_id,
        "serving_mode": args.serving_mode,
        "capabilities": args.capability,
        "response_path": args.response_path,
        "timeout_s": args.timeout,
    }
    body: dict[str, Any] = {"name": args.name, "kind": args.kind, "endpoint": args.endpoint}
    body.update({k: v for k, v in flags.items() if v is not None})
    if args.header:
        body["headers"] = _headers(args.header)
    if args.request_body is not None:
        body["methods"] = [{"request_body": await _text_or_file(args.request_body, "request_body")}]
    if args.allow_link_local:
        body["allow_link_local"] = True
    secret = await _secret(args)
    if secret is not None:
        body["secret"] = secret
    return CreateConnectionRequest.model_validate(body)


# ---- showing -----------------------------------------------------------------------------


def _tested(c: ConnectionSummary) -> str:
    if c.last_test is None:
        return "-"
    return ("ok" if c.last_test.ok else "failed") + (f" {c.last_test.status_code}" if c.last_test.status_code else "")


def _connection_rows(items: Sequence[ConnectionSummary]) -> str:
    columns: list[Column] = [
        ID,
        NAME,
        ("KIND", lambda c: c.kind),
        ("ENDPOINT", lambda c: clip(c.endpoint, 48)),
        ("MODELS", lambda c: clip(", ".join(c.models), 32) or "-"),
        ("SECRET", lambda c: "set" if c.secret_set else "-"),
        ("LAST TEST", _tested),
    ]
    return listing(items, columns, several_targets=False)


def _connection_text(c: ConnectionDetail) -> str:
    facts = [
        ("id", c.id),
        ("kind", c.kind),
        ("endpoint", c.endpoint),
        ("auth", c.auth_type + (f" (header {c.api_key_header})" if c.api_key_header else "")),
        ("secret", "set" if c.secret_set else "not set"),
        ("capabilities", ", ".join(c.capabilities)),
        ("models", ", ".join(c.models) or "-"),
        ("default model", c.default_model or "-"),
        ("streaming", "yes" if c.streaming else "no (answers come whole)"),
        ("actions", ", ".join(c.actions) or "-"),
    ]
    optional = (
        ("username", c.username),
        ("api version", c.api_version),
        ("compartment", c.compartment_id),
        ("serving mode", c.serving_mode if c.kind == "oci_genai" else None),
        ("response path", c.response_path),
        ("methods", ", ".join(f"{m.method} {m.status_code}" for m in c.methods) if c.methods else None),
        ("link-local", "allowed" if c.allow_link_local else None),
    )
    facts += [(k, v) for k, v in optional if v]
    if c.headers:
        facts.append(("headers", "; ".join(f"{name}: {value}" for name, value in c.headers.items())))
    facts.append(("timeout", f"{c.timeout_s:g} s"))
    if c.last_test is not None:
        when = c.last_test.tested_at.astimezone().isoformat(timespec="seconds")
        facts.append(("last test", f"{c.last_test.message} ({when})"))
    facts += time_facts(c)
    text = c.name + (f" — {c.description}" if c.description else "") + "\n"
    return text + facts_text(facts, 13)


def _test_text(result: TestConnectionResult) -> str:
    latency = f" in {result.latency_ms:.0f} ms" if result.latency_ms is not None else ""
    status = f"status {result.status_code}" if result.status_code is not None else "no answer"
    lines = [f"{status}{latency}"]
    if result.answer is not None:
        lines.append(f"answer: {result.answer}")
    elif result.ok and result.response:
        lines.append(f"response: {clip(result.response, 400)}")
    return "\n".join(lines)


# ---- export ------------------------------------------------------------------------------


def _write_private(path: Path, text: str, *, force: bool) -> None:
    """Readable by its owner alone, from the first byte (an existing file's mode is narrowed too)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (0 if force else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


async def _export(ctx: Context) -> int:
    args = ctx.args
    query = ExportConnectionsQuery(ids=",".join(args.connection_ids), include_secrets=args.include_secrets)
    response = await ctx.services.connections.export_yaml(query)
    if not args.output:
        if args.include_secrets and not args.json:
            print("note: the YAML below holds secrets", file=sys.stderr)
        emit(args, response, response.yaml.rstrip("\n"))
        return 0
    path = Path(args.output)
    if path.exists() and not args.force:
        raise InvalidInput.field("output", f"{path} exists; --force overwrites it")
    try:
        if args.include_secrets:
            await asyncio.to_thread(_write_private, path, response.yaml, force=args.force)
        else:
            await asyncio.to_thread(path.write_text, response.yaml, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.field("output", f"{path}: {exc.strerror or exc}") from None
    if args.json:
        emit_json({"path": str(path.resolve()), "bytes": len(response.yaml.encode()), "secrets": args.include_secrets})
    else:
        secrets = " with their secrets (readable by you only)" if args.include_secrets else " (secrets left out)"
        print(f"wrote {path}{secrets}")
    return 0


async def run(ctx: Context) -> int:
    args, connections = ctx.args, ctx.services.connections
    cmd = args.connections_command
    if cmd == "create":
        detail = await connections.create(await _create_request(args))
        emit(
            args,
            detail,
            f"created {detail.name} ({detail.id}); secret {'set' if detail.secret_set else 'not set'}\n"
            f"  test it: aqua-ext connections test {detail.id}",
        )
        return 0

    if cmd == "list":
        items = (await connections.list()).connections
        emit(args, list(items), _connection_rows(items) + f"\n{len(items)} connections")
        return 0

    if cmd == "get":
        detail = await connections.get(args.connection_id)
        emit(args, detail, _connection_text(detail))
        return 0

    if cmd == "test":
        payload = await _text_or_file(args.payload, "payload") if args.payload is not None else None
        request = TestConnectionRequest(model=args.model, prompt=args.prompt, payload=payload)
        result = await connections.test(args.connection_id, request)
        if args.json:
            emit(args, result, "")
        elif result.ok:
            print(_test_text(result))
        else:
            print(_test_text(result))
            error(f"{result.error_kind}: {result.message}" if result.error_kind else result.message)
            if result.response:
                print(f"  response: {clip(result.response, 400)}", file=sys.stderr)
        return 0 if result.ok else 1

    if cmd == "delete":
        await connections.delete(args.connection_id)
        emit(args, None, f"deleted {args.connection_id}")
        return 0

    if cmd == "import":
        text = await _read_text(Path(args.file), "file")
        imported = await connections.import_yaml(ImportConnectionsRequest(yaml=text))
        created = imported.created
        emit(
            args,
            imported,
            _connection_rows(created) + f"\nimported {len(created)} connections from {args.file}",
        )
        return 0

    if cmd == "export":
        return await _export(ctx)
    raise AssertionError(args)
