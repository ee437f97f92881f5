"""The attributes and blocks of an OCI Terraform provider resource, read from the provider's Go source
(`internal/service/<service>/<resource>_resource.go`), and those an exported `.tf` file sets: the check that
every name we write is one the provider's schema takes. No pytest here.

The provider's source is not a dependency: tests/fixtures/terraform_provider_schema.json holds what
`settable_paths` read from it at the commit named there (`python -m tests.terraform_schema <provider checkout>`
writes it again), and a test compares the two when a checkout is at hand (AQUA_TF_PROVIDER_SRC)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).parent / "fixtures" / "terraform_provider_schema.json"
# The resources the exports write, and the provider file that declares each.
RESOURCE_FILES = {
    "oci_generative_ai_imported_model": "internal/service/generative_ai/generative_ai_imported_model_resource.go",
    "oci_generative_ai_dedicated_ai_cluster": (
        "internal/service/generative_ai/generative_ai_dedicated_ai_cluster_resource.go"
    ),
    "oci_generative_ai_endpoint": "internal/service/generative_ai/generative_ai_endpoint_resource.go",
    "oci_generative_ai_model": "internal/service/generative_ai/generative_ai_model_resource.go",
    "oci_datascience_model_deployment": "internal/service/datascience/datascience_model_deployment_resource.go",
    "oci_datascience_job": "internal/service/datascience/datascience_job_resource.go",
    "oci_datascience_job_run": "internal/service/datascience/datascience_job_run_resource.go",
}
_ENTRY = re.compile(r'^"([a-z0-9_]+)":\s*\{')
_SETTABLE = re.compile(r"^(Required|Optional):\s*true")


def settable_paths(go_source: str) -> set[str]:
    """Dotted paths ("job_configuration_details.environment_variables") of the schema entries a configuration
    may set (Required or Optional; Computed-only ones are left out), by the nesting of the Go map literal."""
    start = go_source.index("Schema: map[string]*schema.Schema{")
    depth = 0
    stack: list[tuple[str, int]] = []
    settable: set[str] = set()
    for raw in go_source[start:].splitlines():
        line = raw.strip()
        match = _ENTRY.match(line)
        if match and depth > 0:
            stack.append((match.group(1), depth))
        elif stack and depth == stack[-1][1] + 1 and _SETTABLE.match(line):
            settable.add(".".join(name for name, _ in stack))
        depth += line.count("{") - line.count("}")
        while stack and depth <= stack[-1][1]:
            stack.pop()
        if depth <= 0:
            break
    return settable


def written_paths(body: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted paths a parsed resource body (python-hcl2, explicit_blocks=False) sets: a block is a list of
    dicts and is walked into; anything else (a map attribute included) is one attribute."""
    paths: set[str] = set()
    for key, value in body.items():
        path = f"{prefix}{key}"
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            paths.add(path)
            for block in value:
                paths |= written_paths(block, path + ".")
        else:
            paths.add(path)
    return paths


def load_fixture() -> dict[str, set[str]]:
    data = json.loads(FIXTURE.read_text())
    return {kind: set(paths) for kind, paths in data["resources"].items()}


def extract(checkout: Path) -> dict[str, Any]:
    """The fixture's content from a provider checkout (a work tree, or a bare repository read at HEAD)."""
    resources = {}
    for kind, file in RESOURCE_FILES.items():
        if (checkout / file).exists():
            source = (checkout / file).read_text()
        else:
            source = subprocess.run(
                ["git", "-C", str(checkout), "show", f"HEAD:{file}"], check=True, capture_output=True, text=True
            ).stdout
        resources[kind] = sorted(settable_paths(source))
    commit = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "source": "github.com/oracle/terraform-provider-oci",
        "commit": commit,
        "files": RESOURCE_FILES,
        "note": "written by `python -m tests.terraform_schema <checkout>`: the Required/Optional schema entries",
        "resources": resources,
    }


def unknown_paths(parsed: dict[str, Any]) -> dict[str, set[str]]:
    """Per resource type of a parsed file: the paths it sets that the provider's schema does not take."""
    schema = load_fixture()
    unknown: dict[str, set[str]] = {}
    for item in parsed.get("resource", []):
        for kind, named in item.items():
            for body in named.values():
                extra = written_paths(dict(body)) - schema[kind]
                if extra:
                    unknown.setdefault(kind, set()).update(extra)
    return unknown


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(extract(Path(sys.argv[1])), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {FIXTURE}")
