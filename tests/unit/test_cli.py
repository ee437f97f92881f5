from __future__ import annotations

import json
from pathlib import Path

import pytest

from aqua_ext.cli import main
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


def test_defaults_match_the_server_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI copies two defaults from aqua_ext.app instead of importing it (jupyter_server costs seconds)."""
    from aqua_ext import cli
    from aqua_ext.app import AquaExtension, in_oci_notebook_session

    assert cli._default_data_dir() == Path(AquaExtension().data_dir)
    for env in (
        {},
        {"OCI_RESOURCE_PRINCIPAL_VERSION": "2.2"},
        {"OCI_RESOURCE_PRINCIPAL_VERSION": "2.2", "NB_SESSION_OCID": "ocid1.datasciencenotebooksession.x"},
    ):
        for name in ("OCI_RESOURCE_PRINCIPAL_VERSION", "NB_SESSION_OCID"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert cli._in_oci_notebook_session() == in_oci_notebook_session()
