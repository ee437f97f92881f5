"""A small HCL writer for the Terraform exports (services/terraform.py), in `terraform fmt` style.

Hand-written on purpose: no HCL writer is a dependency of aqua_ext (python-hcl2 is only a test
dependency, and its writer follows its own layout), and the exports use a small part of the language:
blocks, attributes whose values are strings, numbers, booleans, references, lists of strings and maps.
`format_hcl` lays that subset out as `terraform fmt` does: two spaces per level, and the `=` of
consecutive one-line attributes in a block aligned; a multi-line value (a map), a nested block, a blank
line or a comment ends the run. It is idempotent: format_hcl(format_hcl(x)) == format_hcl(x).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


class Expr(str):
    """A Terraform expression written as is: `var.compartment_ocid`, `oci_x.y.id`."""


HclValue = str | int | float | bool | Expr | Sequence[str] | Mapping[str, "HclValue"] | None


@dataclass(frozen=True)
class Attribute:
    name: str
    value: HclValue


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...] = ()
    body: Sequence[Attribute | Block] = field(default_factory=list)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(text: str) -> str:
    """A quoted HCL string holding `text` literally: quotes and backslashes escaped, and `${` / `%{`
    doubled to `$${` / `%%{` so that Terraform reads no interpolation or directive in it."""
    out: list[str] = []
    for i, char in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char in "$%" and nxt == "{":
            out.append(char * 2)
        elif ord(char) < 0x20 or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def template(pieces: Sequence[str | Expr]) -> Expr:
    """A quoted HCL string of literal text and `${expr}` interpolations (an Expr piece), in order; one Expr
    alone is written as is."""
    if len(pieces) == 1 and isinstance(pieces[0], Expr):
        return pieces[0]
    inner = "".join(f"${{{p}}}" if isinstance(p, Expr) else quote(p)[1:-1] for p in pieces)
    return Expr(f'"{inner}"')


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    # Plain decimals (0.0002, not 2e-04): what a reader of the form's value expects to see.
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _value(value: HclValue, depth: int) -> str:
    if isinstance(value, Expr):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        pad = "  " * (depth + 1)
        lines = [f"{pad}{quote(str(k))} = {_value(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + "  " * depth + "}"
    return "[" + ", ".join(_value(item, depth) for item in value) + "]"


def _block(block: Block, depth: int) -> list[str]:
    pad = "  " * depth
    head = " ".join([block.type, *(quote(label) for label in block.labels)])
    lines = [f"{pad}{head} {{"]
    for item in block.body:
        if isinstance(item, Block):
            lines.extend(_block(item, depth + 1))
        elif item.value is not None:  # an attribute left out, not written as null
            lines.append(f"{pad}  {item.name} = {_value(item.value, depth + 1)}")
    lines.append(f"{pad}}}")
    return lines


def render(blocks: Sequence[Block], header: Sequence[str] = ()) -> str:
    """The file: `header` as `#` comment lines, then the blocks separated by one blank line, formatted."""
    parts = ["\n".join(f"# {line}".rstrip() for line in header)] if header else []
    parts.extend("\n".join(_block(block, 0)) for block in blocks)
    return format_hcl("\n\n".join(parts) + "\n")


# ---- formatting ----------------------------------------------------------------------------------


def _scan(line: str) -> tuple[int, int | None]:
    """(net opening brackets, index of the attribute's `=`) of one line, outside strings and comments."""
    depth = 0
    equals: int | None = None
    in_string = False
    i = 0
    while i < len(line):
        char = line[i]
        if in_string:
            if char == "\\":
                i += 2
                continue
            if char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#" or line.startswith("//", i):
            break
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif char == "=" and equals is None and depth == 0:
            before = line[i - 1] if i else ""
            after = line[i + 1] if i + 1 < len(line) else ""
            if before not in "=!<>" and after not in "=>":
                equals = i
        i += 1
    return depth, equals


def format_hcl(text: str) -> str:
    """Indent by nesting and align the `=` of runs of one-line attributes, as `terraform fmt` does."""
    rows: list[tuple[int, str, str | None, str]] = []  # (depth, line, key or None, value)
    depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            rows.append((0, "", None, ""))
            continue
        delta, equals = _scan(line)
        own = depth - 1 if line[0] in "}])" else depth
        if equals is not None and delta == 0 and not line.startswith(("#", "//")):
            rows.append((own, line, line[:equals].strip(), line[equals + 1 :].strip()))
        else:
            if equals is not None and not line.startswith(("#", "//")):
                line = f"{line[:equals].strip()} = {line[equals + 1 :].strip()}"
            rows.append((own, line, None, ""))
        depth += delta
    out: list[str] = []
    i = 0
    while i < len(rows):
        own, line, key, _ = rows[i]
        if key is None:
            out.append("  " * own + line if line else "")
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j][2] is not None and rows[j][0] == own:
            j += 1
        width = max(len(rows[k][2] or "") for k in range(i, j))
        out.extend("  " * own + f"{(rows[k][2] or '').ljust(width)} = {rows[k][3]}" for k in range(i, j))
        i = j
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
