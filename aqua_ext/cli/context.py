"""What every command is handed: the settings read (the server's Jupyter configuration, then the
global flags), the services commands call (as the server's handlers do, over the same targets), and the
requests built from a command's flags.

    settings = load_settings(args)        # jupyter_server_config.* → the config class's traits, flags over them
    await run(args, command)              # builds the targets and services from them, calls command(ctx), closes
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from ..api.info import Hardware
from ..api.job_datasets import DatasetAccess
from ..config import SECTIONS, AquaConfig
from ..errors import InvalidInput
from ..services.operations import OperationRegistry
from . import jupyter_config

M = TypeVar("M", bound=BaseModel)

if TYPE_CHECKING:
    from traitlets.config import Configurable

    from ..services import Services
    from ..services.targets import Targets


# ---- the configuration the CLI reads: one place to switch ------------------------------

# The config sections a setting may be written in, as the server reads them
# (`c.AquaExtension.data_dir = ...` in jupyter_server_config.py).
CONFIG_SECTIONS: tuple[str, ...] = SECTIONS


def config_class() -> type[Configurable]:
    """The Configurable whose traits the server extension reads (its traits' defaults are the server's)."""
    return AquaConfig


# Global flags → the trait each overrides (the OCI endpoints merge with the configured ones;
# `--backend` sets `targets`).
FLAG_TRAITS = {
    "data_dir": "data_dir",
    "allowed_root": "allowed_model_roots",
    "oci_auth": "oci_auth",
    "oci_config_file": "oci_config_file",
    "oci_profile": "oci_profile",
    "oci_region": "oci_region",
    "oci_compartment_id": "oci_compartment_id",
    "oci_project_id": "oci_project_id",
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """The configuration a command runs with, and where each part came from."""

    config: Any  # an instance of config_class()
    dirs: list[str]  # Jupyter config folders searched, most specific first
    files: list[str]  # config files read, lowest priority first
    origins: dict[str, str]  # trait → the file, flag or environment variable that set it

    @property
    def targets(self) -> list[str]:
        """The targets enabled, in order."""
        return list(self.config.enabled_targets())

    @property
    def data_dir(self) -> Path:
        return Path(self.config.data_dir).expanduser().resolve()

    def origin(self, trait: str) -> str:
        return self.origins.get(trait, "default")

    @property
    def targets_origin(self) -> str:
        """Where the targets came from."""
        if "targets" in self.origins:
            return self.origins["targets"]
        if "backend" in self.origins:
            return f"backend in {self.origins['backend']}"
        return "default: local, plus oci when it is configured"


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _flag_value(args: argparse.Namespace, name: str) -> Any:
    """A global flag's value; a repeatable one given before and after the command, both lists."""
    value = getattr(args, name, None)
    after = getattr(args, name + AFTER, None)
    return [*(value or []), *after] if after is not None else value


def load_settings(args: argparse.Namespace, dirs: list[str] | None = None) -> Settings:
    """The server's configuration (`jupyter_server_config.*` in Jupyter's config path), with the
    global flags over it."""
    overrides: dict[str, tuple[object, str]] = {}
    for flag, trait in FLAG_TRAITS.items():
        value = _flag_value(args, flag)
        if value is not None and value != []:
            overrides[trait] = (value, _flag(flag))
    if getattr(args, "backend", None) not in (None, "auto"):
        overrides["targets"] = ([args.backend], "--backend")
    loaded = jupyter_config.load(config_class(), CONFIG_SECTIONS, overrides, dirs)
    for problem in loaded.problems:
        print(f"warning: Jupyter config file not read: {problem}", file=sys.stderr)
    config: Any = loaded.config  # the traits of config_class()
    origins = dict(loaded.origins)
    # Endpoint overrides: the configured ones, then AQUA_OCI_ENDPOINTS, then --oci-endpoint.
    for origin, values in (
        ("AQUA_OCI_ENDPOINTS", [os.environ.get("AQUA_OCI_ENDPOINTS", "")]),
        ("--oci-endpoint", _flag_value(args, "oci_endpoint")),
    ):
        try:
            added = config.add_oci_endpoints(values)
        except ValueError as exc:
            raise InvalidInput.field("oci_endpoint", str(exc)) from None
        if added:
            origins["oci_endpoints"] = origin
    return Settings(config, loaded.dirs, loaded.files, origins)


# ---- the context ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Context:
    """What a command calls: the services, over every enabled target (lists merge them, an id is
    routed to its owner, a create goes where `--target` says or where the services choose).
    Relative paths (datasets, model folders) are relative to `root`, the current folder, as
    Jupyter's are to its root dir."""

    args: argparse.Namespace
    settings: Settings
    services: Services
    operations: OperationRegistry
    root: Path

    def dataset_access(self) -> DatasetAccess:
        """Where a job's dataset is read from: under `root`, as the server's handlers read it under the
        Jupyter root (with the same default size limit)."""
        return DatasetAccess(root=self.root)

    @property
    def several_targets(self) -> bool:
        """More than one target is enabled: tables say which target owns each row."""
        return len(self.services.targets.names) > 1


def make_targets(settings: Settings, operations: OperationRegistry) -> Targets:
    """The targets the server would build from the same settings (models registered from this
    folder are allowed unless allowed_model_roots says otherwise; no demo model is generated).
    None is started yet: each starts when a command first needs it."""
    from ..services.target_factory import build_targets

    return build_targets(settings.config, operations, root_dir=Path.cwd(), hardware=_hardware, generate_demo=False)


Command = Callable[[Context], Awaitable[int]]


async def run(args: argparse.Namespace, command: Command) -> int:
    """Build the targets and services, run `command`, close everything. A target that cannot
    start is an error (exit 1) where a command needs it; a list reports it as a warning."""
    from ..services import Services

    settings = load_settings(args)
    operations = OperationRegistry()
    from ..services.target_factory import build_connections

    services = Services(make_targets(settings, operations), build_connections(settings.config))
    ctx = Context(args, settings, services, operations, Path.cwd())
    try:
        return await command(ctx)
    finally:
        await operations.close()
        await services.close()


# This machine's hardware (a local target's fit), probed once per process (made on first use).
_probe: list[Callable[[], Awaitable[Hardware]]] = []


async def _hardware() -> Hardware:
    if not _probe:
        from ..services.target_factory import hardware_probe

        _probe.append(hardware_probe())
    return await _probe[0]()


# ---- the global flags: before the command or after it (`aqua-ext models list --json`) ---------


# The repeatable flags given after the command land here (argparse sets a command's values over
# those parsed before it), so that both count.
AFTER = "_after_command"


def add_global_flags(parser: argparse.ArgumentParser, *, on_command: bool = False) -> None:
    """The flags every command takes. On a command's own parser (`on_command`), a flag left out
    sets nothing, so it never hides the same flag given before the command."""
    unset = argparse.SUPPRESS if on_command else None
    flags = parser.add_argument_group("global options (before or after the command; default: the server's config)")
    flags.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if on_command else False,
        help="print JSON instead of tables",
    )
    flags.add_argument(
        "--backend",
        choices=["auto", "local", "oci", "genai"],
        default=unset,
        help="act on this target only (default: every target of AquaExtension.targets, as the server)",
    )
    flags.add_argument("--data-dir", default=unset, help="local backend data folder (default: the server's)")

    def repeatable(group: Any, flag: str, metavar: str, help: str) -> None:
        dest = flag.removeprefix("--").replace("-", "_") + (AFTER if on_command else "")
        group.add_argument(flag, action="append", default=unset, dest=dest, metavar=metavar, help=help)

    repeatable(flags, "--allowed-root", "FOLDER", "folder registered models may live in (repeatable)")
    oci = parser.add_argument_group("OCI backend (default: the server's settings, then the environment)")
    oci.add_argument(
        "--oci-auth",
        choices=["auto", "resource_principal", "api_key", "security_token", "instance_principal"],
        default=unset,
    )
    oci.add_argument(
        "--oci-config-file", default=unset, help="OCI config file (default: OCI_CONFIG_LOCATION or ~/.oci/config)"
    )
    oci.add_argument(
        "--oci-profile", default=unset, help="profile in the config file (default: OCI_CONFIG_PROFILE or DEFAULT)"
    )
    oci.add_argument("--oci-region", default=unset)
    oci.add_argument(
        "--oci-compartment-id", default=unset, help="compartment OCID (default: NB_SESSION_COMPARTMENT_OCID)"
    )
    oci.add_argument(
        "--oci-project-id", default=unset, help="Data Science project OCID for new models (default: PROJECT_OCID)"
    )
    repeatable(
        oci, "--oci-endpoint", "SERVICE=URL", "endpoint override, e.g. datascience=http://127.0.0.1:9000 (repeatable)"
    )


def _command_flags() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    add_global_flags(parent, on_command=True)
    return parent


_COMMAND_FLAGS = _command_flags()


def add_oci_logging_flags(group: Any) -> None:
    """`--log-group-id ID --log-id ID`: where an OCI deployment or job writes its log."""
    group.add_argument("--log-group-id", help="OCI logging: the log group (with --log-id)")
    group.add_argument("--log-id", help="OCI logging: the log (with --log-group-id)")


def add_target_flag(parser: Any, what: str) -> None:
    """`--target NAME`: where a create request goes (as the API's `target` field)."""
    parser.add_argument(
        "--target", help=f"the enabled target {what} (default: as the server chooses; `aqua-ext info` lists them)"
    )


def given_flags(args: argparse.Namespace, names: Iterable[str]) -> dict[str, Any]:
    """The flags of `names` that were given, by name: a flag left out is None, and leaves its field to
    the contract's default (or, for a fine-tune's hyperparameters, the base model's)."""
    # No default in getattr: a misspelt name in a command's list of flags fails its tests instead of
    # dropping the flag without a word.
    return {name: value for name in names if (value := getattr(args, name)) is not None}


def request_from_flags(
    model: type[M], args: argparse.Namespace, /, *, renamed: Mapping[str, str] | None = None, **fields: Any
) -> M:
    """A request or query from the flags named as its fields (`renamed`: field → flag, where the flag
    has another name), `fields` over them; None is a value left out (the contract's default). Validated
    as the route validates its body, so a bad value is the API's error, named as the API names it.
    Positional-only: a field may be called `model` or `args` (a chat request's `model`)."""
    flag_of = renamed or {}
    # A field without a flag of its name keeps its default; a renamed one must name a flag that exists.
    values = {
        field: getattr(args, flag_of[field]) if field in flag_of else getattr(args, field, None)
        for field in model.model_fields
    }
    return model.model_validate({k: v for k, v in {**values, **fields}.items() if v is not None})


def add_group(sub: Any, name: str, help: str) -> Any:
    """A command group (`aqua-ext models …`): one of its subcommands is required, and `args.<name>_command`
    names it."""
    return add_command(sub, name, help).add_subparsers(dest=f"{name}_command", required=True)


def add_command(sub: Any, name: str, help: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A (sub)command's parser, taking the global flags too."""
    return sub.add_parser(name, help=help, parents=[_COMMAND_FLAGS], **kwargs)
