"""`main`: parse the command line, run the command group's `run(ctx)`, turn errors into exit codes
(2: bad input, 1: anything else the backend refused, 130: Ctrl-C)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from .. import __version__
from ..errors import AquaError, InvalidInput
from . import chat, connections, context, datasets, deployments, evaluations, finetune, genai, info, models, oci
from .output import error

# Command groups, in the order `aqua-ext --help` lists them: each has `add_parser(sub)` and
# `run(ctx)` (and may have `check_args(parser, args)`).
COMMANDS = {
    "info": info,
    "models": models,
    "deployments": deployments,
    "connections": connections,
    "datasets": datasets,
    "finetune": finetune,
    "evaluations": evaluations,
    "chat": chat,
    "oci": oci,
    "genai": genai,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aqua-ext", description="AI Quick Actions from the terminal.")
    parser.add_argument("--version", action="version", version=f"aqua_ext {__version__}")
    context.add_global_flags(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMANDS.values():
        group.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    group = COMMANDS[args.command]
    if hasattr(group, "check_args"):
        group.check_args(parser, args)
    try:
        return asyncio.run(context.run(args, group.run))
    except ValidationError as exc:
        for err in exc.errors():
            field, message = ".".join(map(str, err["loc"])), err["msg"].removeprefix("Value error, ")
            # A model-level validator names its field at the start of the message, as the API reports it.
            if not field and ": " in message:
                field, message = message.split(": ", 1)
            error(f"{field or 'input'}: {message}")
        return 2
    except InvalidInput as exc:
        message = exc.message
        if exc.fields and len(exc.fields) == 1:
            # Name the field where the message does not (e.g. a dataset the backend's preflight refused).
            name = exc.fields[0].field.split(":")[0]
            if name and f"{name}:" not in message:
                message = f"{name}: {message}"
        error(message)
        if exc.fields and len(exc.fields) > 1:  # e.g. every bad line of a dataset
            for f in exc.fields:
                print(f"  {f.field}: {f.message}", file=sys.stderr)
        return 2
    except AquaError as exc:
        error(exc.message)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `aqua-ext … | head`: the reader has gone; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
