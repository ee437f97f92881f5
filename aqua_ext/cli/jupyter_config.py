"""Reading a Configurable's traits from Jupyter's config files, as a running server would.

A Jupyter server reads `jupyter_config.{py,json}` and `jupyter_server_config.{py,json}` in each
folder of its config path (`jupyter_config_path()`, with `jupyter_config_dir()` first), the more
specific folder winning; an extension app also reads its own `jupyter_<name>_config.*`, below the
server's files. (`jupyter_server_config.d/*.json` only enables extensions: the server reads no other
setting from there.) `load` does the same, and remembers which file set each trait, so
`aqua-ext info` can say where a setting came from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Generic, TypeVar

from jupyter_core.paths import jupyter_config_dir, jupyter_config_path
from traitlets import TraitError
from traitlets.config import Config, Configurable
from traitlets.config.loader import ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

from ..errors import InvalidInput

# The files a server extension's settings come from, lowest priority first: the extension's own
# file (`jupyter_aqua_ext_config`), then the server's, which the extension app merges over it.
CONFIG_FILES = ("jupyter_aqua_ext_config", "jupyter_config", "jupyter_server_config")

C = TypeVar("C", bound=Configurable)


@dataclasses.dataclass(frozen=True)
class Loaded(Generic[C]):
    """The traits read, and where they came from."""

    config: C
    dirs: list[str]  # the folders searched, most specific first (as jupyter_config_path())
    files: list[str]  # the files read, lowest priority first
    origins: dict[str, str]  # trait name → the file (or flag) that set it; absent: the default
    problems: list[str]  # files that could not be read (skipped, as the server skips them)


def config_dirs() -> list[str]:
    """The folders a Jupyter server reads its config from, most specific first."""
    dirs = jupyter_config_path()
    if jupyter_config_dir() not in dirs:
        dirs.insert(0, jupyter_config_dir())
    return dirs


def read_files(dirs: Sequence[str], names: Sequence[str] = CONFIG_FILES) -> tuple[list[tuple[Config, str]], list[str]]:
    """Each config file found, with its path, lowest priority first (`.py` below `.json` in a folder);
    and what was wrong with each file that could not be read (the server logs it and goes on)."""
    found: list[tuple[Config, str]] = []
    problems: list[str] = []
    for name in names:
        for directory in reversed(dirs):
            for loader in (
                PyFileConfigLoader(f"{name}.py", directory),
                JSONFileConfigLoader(f"{name}.json", directory),
            ):
                try:
                    config = loader.load_config()
                except ConfigFileNotFound:
                    continue
                except Exception as exc:  # a syntax error in the .py, bad JSON
                    problems.append(f"{loader.full_filename or name}: {exc}")
                    continue
                found.append((config, loader.full_filename))
    return found, problems


def load(
    cls: type[C],
    sections: Sequence[str],
    overrides: dict[str, tuple[object, str]] | None = None,
    dirs: Sequence[str] | None = None,
) -> Loaded[C]:
    """An instance of `cls` configured from the `sections` of the config files in `dirs` (default:
    the server's config path), then `overrides` (trait → (value, where it came from, e.g. a flag))."""
    searched = list(config_dirs() if dirs is None else dirs)
    merged = Config()
    origins: dict[str, str] = {}
    files, problems = read_files(searched)
    for config, filename in files:
        for section in sections:
            if section in config:
                merged.merge(config[section])
                origins.update(dict.fromkeys(config[section], filename))
    for name, (value, origin) in (overrides or {}).items():
        merged[name] = value
        origins[name] = origin
    try:
        instance = cls(config=Config({cls.__name__: merged}))
    except TraitError as exc:
        raise InvalidInput(f"Jupyter config ({', '.join(f for _, f in files) or 'flags'}): {exc}") from None
    return Loaded(instance, searched, [f for _, f in files], origins, problems)
