"""services/sdk_snippet.py: an export's Python from SDK details objects. The script is valid Python, each value
is written literally (Korean, Japanese, quotes, backslashes, `{}`), a ref becomes the expression it stands for,
a named value its name, and building the script's requests with the SDK's own model classes gives back the very
details it was written from (the SDK refuses a keyword it does not know). Running scripts against the emulator
is in tests/handlers/test_genai_snippets.py and test_oci_finetune_export.py."""

from __future__ import annotations

import ast
import os
from typing import Any
from unittest import mock

import oci
import pytest

from aqua_ext.api.terraform import SdkCall, ref
from aqua_ext.services.sdk_snippet import render_snippet, sdk_class_path

TRICKY = "모델 \"한국어\" 日本語の'モデル' {x} \\path\nnext"
COMPARTMENT = "ocid1.compartment.oc1..c"


def _job(model_id: str) -> Any:
    m = oci.data_science.models
    return m.CreateJobDetails(
        compartment_id=COMPARTMENT,
        project_id="ocid1.datascienceproject.oc1..p",
        display_name=TRICKY,
        job_configuration_details=m.DefaultJobConfigurationDetails(
            job_type="DEFAULT", environment_variables={"ARGS": '{"modelId": "' + model_id + '"}', "K": TRICKY}
        ),
        job_infrastructure_configuration_details=m.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(
            job_infrastructure_type="ME_STANDALONE", shape_name="VM.GPU.A10.1", block_storage_size_in_gbs=750
        ),
    )


def _run(code: str, results: dict[str, Any]) -> list[tuple[str, Any]]:
    """Execute the script with a fake client recording each call's arguments (and answering `results`)."""
    calls: list[tuple[str, Any]] = []

    class Client:
        def __init__(self, config: Any) -> None:
            self.config = config

        def __getattr__(self, method: str) -> Any:
            def call(*args: Any) -> Any:
                calls.append((method, args))
                return mock.Mock(data=results.get(method))

            return call

    with (
        mock.patch.object(oci.config, "from_file", lambda *a, **k: {}),
        mock.patch.object(oci.data_science, "DataScienceClient", Client),
        mock.patch.object(oci, "wait_until", lambda client, response, *a, **k: response),
        mock.patch.dict(os.environ, {"HF_TOKEN": "hf_env"}),
    ):
        exec(compile(code, "export.py", "exec"), {})  # the script under test
    return calls


def test_the_script_sends_the_details_it_was_written_from_with_refs_resolved() -> None:
    m = oci.data_science.models
    model = m.CreateModelDetails(compartment_id=COMPARTMENT, display_name=TRICKY, model_version_set_id=ref("vs.id"))
    steps = [
        SdkCall("oci.data_science.DataScienceClient", "create_model", (model,), "model", "The model."),
        SdkCall("oci.data_science.DataScienceClient", "create_job", (_job(ref("model.id")),), "job", wait_active=True),
    ]
    code = render_snippet(steps, names={COMPARTMENT: "compartment_id"}, exprs={"vs.id": "'ocid1.vs'"})
    ast.parse(code)
    assert f"compartment_id = {COMPARTMENT!r}" in code and "compartment_id=compartment_id" in code
    assert """'{"modelId": "' + model.id + '"}'""" in code  # a ref inside a string: concatenated
    assert "import os" not in code  # nothing reads the environment
    created = mock.Mock(id="ocid1.datasciencemodel.oc1..new")
    job = mock.Mock(id="ocid1.job")
    calls = _run(code, {"create_model": created, "create_job": job, "get_job": job})
    (method, (sent_model,)), (job_method, (sent_job,)), (get_method, _) = calls
    assert (method, job_method, get_method) == ("create_model", "create_job", "get_job")
    assert sent_model == m.CreateModelDetails(
        compartment_id=COMPARTMENT, display_name=TRICKY, model_version_set_id="ocid1.vs"
    )
    assert sent_job == _job("ocid1.datasciencemodel.oc1..new")


def test_a_token_is_read_from_the_environment() -> None:
    g = oci.generative_ai.models
    details = g.CreateImportedModelDetails(
        compartment_id=COMPARTMENT,
        capabilities=["TEXT_TO_TEXT"],
        data_source=g.HuggingFaceModel(
            source_type="HUGGING_FACE_MODEL", model_id="org/m", access_token=ref("hf_token")
        ),
    )
    code = render_snippet([SdkCall("oci.generative_ai.GenerativeAiClient", "create_imported_model", (details,), "m")])
    assert code.index("import os") < code.index("import oci")
    assert 'access_token=os.environ["HF_TOKEN"]' in code
    assert "oci.generative_ai.models.HuggingFaceModel(" in code


@pytest.mark.parametrize(
    ("details", "path"),
    [
        (oci.generative_ai.models.CreateDedicatedAiClusterDetails(),
         "oci.generative_ai.models.CreateDedicatedAiClusterDetails"),
        (oci.data_science.models.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(),
         "oci.data_science.models.ManagedEgressStandaloneJobInfrastructureConfigurationDetails"),
    ],
)  # fmt: skip
def test_class_paths_are_the_sdk_s_exported_names(details: Any, path: str) -> None:
    assert sdk_class_path(details) == path
    module, _, name = path.rpartition(".")
    assert getattr(__import__(module, fromlist=[name]), name) is type(details)
