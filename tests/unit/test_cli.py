from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from aqua_ext.api import connections as connection_api
from aqua_ext.api.finetunes import CreateFineTuneRequest
from aqua_ext.cli import main
from aqua_ext.cli.context import given_flags, request_from_flags
from tests.model_folders import write_model_folder


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(tmp_path / "data"), "--allowed-root", str(tmp_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_info_and_list_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "--json", "info")
    assert code == 0 and json.loads(out)["backend"]["kind"] == "local"
    code, out, _ = run(capsys, tmp_path, "--json", "models", "list", "--capability", "EMBEDDING")
    models = json.loads(out)
    assert code == 0 and models and all(m["capability"] == "EMBEDDING" for m in models)


def test_list_as_a_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, tmp_path, "models", "list", "--source", "catalog", "--q", "qwen")
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["ID", "NAME", "SOURCE"]
    assert "Qwen" in out and out.rstrip().endswith("models")


def test_register_get_fit_delete_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = write_model_folder(tmp_path / "m")
    code, out, _ = run(capsys, tmp_path, "--json", "models", "register", "--path", str(folder), "--name", "Mine")
    assert code == 0, out
    model = json.loads(out)
    assert model["name"] == "Mine" and model["source"] == "registered"
    code, out, _ = run(capsys, tmp_path, "models", "get", model["id"])
    assert code == 0 and "Mine" in out and str(folder) in out
    code, out, _ = run(capsys, tmp_path, "models", "fit", model["id"], "--dtype", "float32")
    assert code == 0 and "weights =" in out
    code, out, _ = run(capsys, tmp_path, "models", "delete", model["id"])
    assert code == 0 and "deleted" in out
    code, _, err = run(capsys, tmp_path, "models", "get", model["id"])
    assert code == 1 and "No model" in err


def test_bad_input_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path, "models", "register", "--path", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, tmp_path, "models", "register", "--hf-id", "not an id")
    assert code == 2 and "hf_id" in err
    # Which fields go together is the request's rule (RegisterModelRequest), as the API checks it.
    code, _, err = run(capsys, tmp_path, "models", "register", "--path", str(tmp_path), "--os-uri", "oci://b@ns/m")
    assert code == 2 and "error: path: a local folder is registered alone" in err


def test_defaults_match_the_server_extensions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With no config file and no flag, the CLI reads the server extension's own defaults."""
    from aqua_ext.app import AquaExtension
    from aqua_ext.cli import build_parser
    from aqua_ext.cli.context import load_settings

    args = build_parser().parse_args(["info"])
    assert load_settings(args, dirs=[str(tmp_path)]).data_dir == Path(AquaExtension().data_dir).resolve()
    for env in (
        {},
        {"OCI_RESOURCE_PRINCIPAL_VERSION": "2.2"},
        {"OCI_RESOURCE_PRINCIPAL_VERSION": "2.2", "NB_SESSION_OCID": "ocid1.datasciencenotebooksession.x"},
    ):
        for name in ("OCI_RESOURCE_PRINCIPAL_VERSION", "NB_SESSION_OCID"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = load_settings(args, dirs=[str(tmp_path)])
        assert settings.targets == AquaExtension().enabled_targets()


# ---- global flags after the command; the server's Jupyter configuration ------------------------


def test_global_flags_go_before_or_after_the_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    for argv in (
        ["models", "list", "--capability", "EMBEDDING", "--json", "--data-dir", data],  # as the README writes it
        ["--json", "--data-dir", data, "models", "list", "--capability", "EMBEDDING"],
        ["--data-dir", data, "models", "--json", "list", "--capability", "EMBEDDING"],
    ):
        code = main(argv)
        out, err = capsys.readouterr()
        models = json.loads(out)
        assert code == 0 and models and all(m["capability"] == "EMBEDDING" for m in models), (argv, err)
    # A flag given before the command is kept when the command does not repeat it.
    code = main(["--json", "info", "--data-dir", str(tmp_path / "other")])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["configuration"]["data_dir"] == str((tmp_path / "other").resolve())
    code = main(["--data-dir", data, "info"])
    out, _ = capsys.readouterr()
    assert code == 0 and f"data dir: {Path(data).resolve()}  (--data-dir)" in out


@pytest.fixture
def config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty JUPYTER_CONFIG_DIR, the first folder of Jupyter's config path."""
    folder = tmp_path / "jupyter-config"
    folder.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(folder))
    return folder


def test_info_says_which_data_dir_and_targets_and_where_they_came_from(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, config_dir: Path
) -> None:
    data = tmp_path / "configured-data"
    config_file = config_dir / "jupyter_server_config.json"
    config_file.write_text(json.dumps({"AquaExtension": {"data_dir": str(data), "targets": ["local"]}}))
    code = main(["info"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert f"data dir: {data.resolve()}  ({config_file})" in out
    assert f"targets: local  ({config_file})" in out
    assert f"config files read: {config_file}" in out

    code = main(["info", "--json"])
    configuration = json.loads(capsys.readouterr().out)["configuration"]
    assert code == 0 and configuration["data_dir"] == str(data.resolve()) and configuration["targets"] == ["local"]
    assert (
        configuration["sources"]["data_dir"] == str(config_file) and str(config_file) in configuration["config_files"]
    )
    assert str(config_dir) in configuration["config_path"]

    # A flag wins over the file, and says so.
    code = main(["info", "--json", "--data-dir", str(tmp_path / "flag-data")])
    configuration = json.loads(capsys.readouterr().out)["configuration"]
    assert configuration["data_dir"] == str((tmp_path / "flag-data").resolve())
    assert configuration["sources"]["data_dir"] == "--data-dir"


def test_commands_use_the_jupyter_server_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, config_dir: Path
) -> None:
    """A model registered with the settings of jupyter_server_config.json (data dir, allowed roots)
    lands in that data dir, where the next command (and the server) finds it."""
    data = tmp_path / "configured-data"
    models_root = tmp_path / "my-models"
    folder = write_model_folder(models_root / "m")
    settings = {"data_dir": str(data), "allowed_model_roots": [str(models_root)]}
    (config_dir / "jupyter_server_config.json").write_text(json.dumps({"AquaExtension": settings}))
    code = main(["models", "register", "--path", str(folder), "--name", "Configured", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    model_id = json.loads(out)["id"]
    assert (data / "state.db").exists()
    code = main(["models", "get", model_id])
    assert code == 0 and "Configured" in capsys.readouterr().out

    # A folder outside the configured roots is refused, as the server refuses it.
    outside = write_model_folder(tmp_path / "elsewhere" / "m")
    code = main(["models", "register", "--path", str(outside)])
    assert code == 2 and "path" in capsys.readouterr().err

    # A .py config is read too; a value the trait refuses is a clear error naming the file.
    (config_dir / "jupyter_server_config.py").write_text("c.AquaExtension.backend = 'elsewhere'\n")
    code = main(["models", "list"])
    err = capsys.readouterr().err
    assert code == 2 and "jupyter_server_config.py" in err and "backend" in err


def test_config_files_are_read_as_the_server_reads_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """jupyter_server_config over jupyter_config over the extension's own file; the more specific
    folder first; jupyter_server_config.d/ enables extensions only (the server reads no setting there);
    a file that cannot be read is skipped with a warning, as the server skips it."""
    from aqua_ext.cli import build_parser
    from aqua_ext.cli.context import load_settings

    system, user = tmp_path / "system", tmp_path / "user"
    (user / "jupyter_server_config.d").mkdir(parents=True)
    system.mkdir()

    def write(folder: Path, name: str, **traits: object) -> Path:
        path = folder / name
        path.write_text(json.dumps({"AquaExtension": traits}))
        return path

    write(user, "jupyter_aqua_ext_config.json", data_dir="/ext", hf_cache_dir="/ext-hf", executor_workers=3)
    write(user, "jupyter_config.json", data_dir="/jupyter-config", hf_cache_dir="/jupyter-config-hf")
    server = write(user, "jupyter_server_config.json", data_dir="/server")
    write(system, "jupyter_server_config.json", data_dir="/system", oci_region="system-region")
    write(user / "jupyter_server_config.d", "x.json", oci_profile="ignored")
    (system / "jupyter_config.py").write_text("c.AquaExtension.oci_profile = (\n")

    settings = load_settings(build_parser().parse_args(["info"]), dirs=[str(user), str(system)])
    config = settings.config
    assert (config.data_dir, config.hf_cache_dir, config.executor_workers) == ("/server", "/jupyter-config-hf", 3)
    assert (config.oci_region, config.oci_profile) == ("system-region", "")
    assert settings.origins["data_dir"] == str(server)
    assert settings.origins["executor_workers"] == str(user / "jupyter_aqua_ext_config.json")
    assert "oci_profile" not in settings.origins
    assert f"warning: Jupyter config file not read: {system / 'jupyter_config.py'}" in capsys.readouterr().err

    flags = build_parser().parse_args(["info", "--oci-endpoint", "datascience=http://127.0.0.1:1", "--data-dir", "/f"])
    settings = load_settings(flags, dirs=[str(user), str(system)])
    assert settings.config.oci_endpoints == {"datascience": "http://127.0.0.1:1"}
    # A repeatable flag counts before and after the command.
    both = build_parser().parse_args(["--allowed-root", "/a", "models", "list", "--allowed-root", "/b"])
    assert load_settings(both, dirs=[str(user)]).config.allowed_model_roots == ["/a", "/b"]
    assert settings.origins["oci_endpoints"] == "--oci-endpoint" and settings.origins["data_dir"] == "--data-dir"


def test_commands_act_on_every_enabled_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, config_dir: Path
) -> None:
    """As the server: lists merge the targets (a target that cannot start is a warning, not a
    failed list), tables say which target owns each row, `info` says how each target is."""
    missing = tmp_path / "no-oci-config"
    settings = {"data_dir": str(tmp_path / "data"), "targets": ["local", "oci"], "oci_config_file": str(missing)}
    (config_dir / "jupyter_server_config.json").write_text(json.dumps({"AquaExtension": settings}))

    code = main(["models", "list", "--source", "catalog", "--q", "qwen"])
    out, err = capsys.readouterr()
    assert code == 0 and out.splitlines()[0].split()[:3] == ["ID", "TARGET", "NAME"]
    assert all(line.split()[1] == "local" for line in out.splitlines()[2:-1]) and "Qwen" in out
    assert "warning: oci: The oci backend could not start" in err
    code = main(["deployments", "list"])
    out, err = capsys.readouterr()
    assert code == 0 and out.rstrip().endswith("0 deployments") and "warning: oci:" in err

    code = main(["--json", "info"])
    out, _ = capsys.readouterr()
    targets = {t["name"]: t for t in json.loads(out)["targets"]}
    assert code == 0 and targets["local"]["ready"] and not targets["oci"]["ready"]
    code = main(["info"])
    out, _ = capsys.readouterr()
    assert code == 0 and "backends:\n  local: Local (this machine)\n  oci: OCI Data Science  [" in out
    # --backend keeps one target: its failure is the command's.
    code = main(["--backend", "oci", "models", "list"])
    assert code == 1 and "error: The oci backend could not start" in capsys.readouterr().err


def test_a_request_takes_the_flags_named_as_its_fields() -> None:
    # A flag left out (None) is not sent: the field keeps the contract's default and stays unset, as a
    # REST body that leaves it out; a renamed flag fills its field; a value given in the call wins.
    args = argparse.Namespace(model_id="m1", name="tune", dataset="data.jsonl", description=None, shape="gpu")
    request = request_from_flags(
        CreateFineTuneRequest, args, renamed={"dataset_path": "dataset"}, shape="cpu", params={"epochs": 2}
    )
    assert request.dataset_path == "data.jsonl" and request.shape == "cpu" and request.params.epochs == 2
    assert request.description == "" and "description" not in request.model_fields_set
    assert given_flags(argparse.Namespace(epochs=3, seed=None), ["epochs", "seed"]) == {"epochs": 3}


def test_a_misnamed_flag_fails_loudly_and_a_field_may_be_called_model() -> None:
    # A name in a command's flag list (or `renamed`) that argparse never made is a programming error: it
    # must fail, not drop the flag without a word.
    with pytest.raises(AttributeError):
        given_flags(argparse.Namespace(epochs=3), ["epochs", "epohcs"])
    with pytest.raises(AttributeError):
        request_from_flags(CreateFineTuneRequest, argparse.Namespace(model_id="m1"), renamed={"dataset_path": "data"})
    # The helper's own parameters are positional-only: a request's `model` field can be given as a value.
    query = request_from_flags(connection_api.TestConnectionRequest, argparse.Namespace(), model="command-r")
    assert query.model == "command-r"
