"""Reading an engine's command-line tokens (`--name value` or `--name=value`): what a deployment
runs with is told by its tokens. A fact, not a rule: drivers read it back from what they deployed,
services from the tokens they check (services/deploy_plan.py)."""

from __future__ import annotations


def param_value(tokens: list[str], name: str) -> str | None:
    """The value of `name` in a token list (`--name value` or `--name=value`), else None."""
    for i, token in enumerate(tokens):
        if token == name and i + 1 < len(tokens):
            return tokens[i + 1]
        if token.startswith(name + "="):
            return token.split("=", 1)[1]
    return None
