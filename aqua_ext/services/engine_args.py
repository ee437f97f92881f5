"""How engine command-line parameters (`--name value` pairs and `--flag`s) are read and checked against
an allowlist: the value validators, the EngineParams shape of an allowlist, and check_params, which
normalises the tokens or refuses the first bad one naming it (an option not in the list with those
that are, one the engine must leave to us with the reason). Which options each engine allows, here
and in OCI's service containers, is engine_params.py's tables."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import InvalidInput

Validator = Callable[[str], str]  # returns the value to pass on, or raises ValueError(why)


def choice(*allowed: str) -> Validator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return check


def _number_range(
    parse: Callable[[str], float], what: str, minimum: float, maximum: float, canonical: bool
) -> Validator:
    def check(value: str) -> str:
        try:
            number = parse(value)
        except ValueError:
            raise ValueError(f"must be {what}") from None
        if not minimum <= number <= maximum:
            raise ValueError(f"must be between {minimum} and {maximum}")
        # An integer is passed on canonical ("007" → "7"); a float as written (0.10 stays 0.10).
        return str(number) if canonical else value

    return check


def int_range(minimum: int, maximum: int) -> Validator:
    return _number_range(int, "an integer", minimum, maximum, canonical=True)


def float_range(minimum: float, maximum: float) -> Validator:
    return _number_range(float, "a number", minimum, maximum, canonical=False)


def identifier(value: str) -> str:
    # Implementation and parser names (sdpa, flash_attention_2, kernels-community/..., hermes);
    # anything else has no business on a command line.
    if not re.fullmatch(r"[A-Za-z0-9_.:/\-]{1,100}", value):
        raise ValueError("must be a name such as sdpa or eager")
    return value


def json_object(value: str) -> str:
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ValueError("must be a JSON object") from None
    if not isinstance(parsed, dict):
        raise ValueError("must be a JSON object")
    return value


@dataclass(frozen=True)
class EngineParams:
    values: dict[str, Validator]  # options that take a value
    flags: frozenset[str]  # options that take none
    owned: dict[str, str]  # options we set or refuse, with why


def check_params(
    spec: EngineParams, params: list[str], label: str, *, restricted: Iterable[str] = (), restricted_why: str = ""
) -> list[str]:
    """Check `--name value` / `--flag` tokens against `spec` and return them normalised
    (`--name=value` split in two, values canonicalised). Raises InvalidInput on field "params"
    naming the token; `label` names the engine in messages."""
    restricted = set(restricted)
    out: list[str] = []
    i = 0
    while i < len(params):
        token = params[i]
        if not isinstance(token, str) or not token.startswith("-"):
            raise InvalidInput.field(
                "params", f"'{token}' is a value without a parameter name before it (expected --name value)"
            )
        name, eq, inline = token.partition("=")
        if name in spec.owned:
            raise InvalidInput.field("params", f"{name} cannot be set: {spec.owned[name]}")
        if name in restricted:
            raise InvalidInput.field("params", f"{name} cannot be set: {restricted_why}")
        if name in spec.flags:
            if eq:
                raise InvalidInput.field("params", f"{name} is a flag and takes no value")
            out.append(name)
            i += 1
            continue
        if name not in spec.values:
            raise InvalidInput.field("params", f"{name} is not an allowed {label} parameter; {_allowed(spec)}")
        if eq:
            value, i = inline, i + 1
        elif i + 1 < len(params) and not params[i + 1].startswith("--"):
            value, i = params[i + 1], i + 2
        else:
            raise InvalidInput.field("params", f"{name} needs a value")
        try:
            value = spec.values[name](value)
        except ValueError as exc:
            raise InvalidInput.field("params", f"{name} {exc}") from None
        out += [name, value]
    return out


ALLOWED_SHOWN = 12


def _allowed(spec: EngineParams) -> str:
    names = sorted([*spec.values, *spec.flags])
    if len(names) <= ALLOWED_SHOWN:
        return "allowed: " + ", ".join(names)
    # A wall of 30 flags under one input helps nobody: the common ones, and how many more.
    return f"allowed: {', '.join(names[:ALLOWED_SHOWN])} and {len(names) - ALLOWED_SHOWN} more"
