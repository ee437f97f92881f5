"""Every response the OCI emulator sends conforms to the `oci` SDK's model of its operation.

One scenario drives every operation the emulator serves through the real SDK clients (signed requests), with
``emu.response_log`` recording each answer; each operation's answers are then checked by
``tests.oci_emulator.conformance`` against the SDK model named by the client method's ``response_type``:
required fields (``**[Required]**`` in the SDK's docstrings) present and not null, enum values allowed, no
unknown fields, types right. Operations in ``OPERATIONS`` are read from the emulator's routers, so a new route
without a scenario step fails ``test_every_served_operation_is_driven``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import oci
import pytest

from tests.oci_emulator import FaultConfig, OciEmulator, OciTestConfig, write_oci_config
from tests.oci_emulator.conformance import (
    CLIENTS,
    ERROR_STATUS,
    NULL_WHEN_UNUSED,
    _models,
    _required,
    error_violations,
    response_type,
    sdk_method,
    violations,
)

M = oci.data_science.models
NO_RETRY = oci.retry.NoneRetryStrategy()


def _served() -> list[tuple[str, str]]:
    emu = OciEmulator()
    return sorted({(prefix, r.operation) for prefix, router in emu._routers.items() for r in router.routes})


OPERATIONS = _served()


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> OciTestConfig:
    return write_oci_config(tmp_path_factory.mktemp("oci"))


def _client(emu: OciEmulator, cls: type, service: str) -> Any:
    return cls(emu.test_config.sdk_config(), service_endpoint=emu.endpoint(service), retry_strategy=NO_RETRY,
               circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy())  # fmt: skip


def _wait_wr(ds: Any, emu: OciEmulator, wr_id: str) -> Any:
    emu.fast_forward()
    return ds.get_work_request(wr_id).data


def _job_details(comp: str, proj: str, env: dict[str, str], *, nodes: int = 1) -> M.CreateJobDetails:
    config = M.DefaultJobConfigurationDetails(environment_variables=env)
    image = M.OcirContainerJobEnvironmentConfigurationDetails(image="dsmc://odsc-llm-fine-tuning:1")
    logs = M.JobLogConfigurationDetails(enable_logging=True, enable_auto_log_creation=True,
                                        log_group_id="ocid1.loggroup.oc1.iad.g")  # fmt: skip
    if nodes == 1:
        return M.CreateJobDetails(
            compartment_id=comp, project_id=proj, display_name="job", job_configuration_details=config,
            job_infrastructure_configuration_details=M.StandaloneJobInfrastructureConfigurationDetails(
                shape_name="VM.GPU.A10.1", block_storage_size_in_gbs=256, subnet_id="ocid1.subnet.oc1.iad.s"),
            job_environment_configuration_details=image, job_log_configuration_details=logs,
        )  # fmt: skip
    group = M.JobNodeGroupConfigurationDetails(
        name="node-group", replicas=nodes, minimum_success_replicas=nodes, job_configuration_details=config,
        job_infrastructure_configuration_details=M.MultiNodeJobInfrastructureConfigurationDetails(
            shape_name="VM.GPU.A10.2", block_storage_size_in_gbs=256),
        job_environment_configuration_details=image,
    )  # fmt: skip
    return M.CreateJobDetails(
        compartment_id=comp, project_id=proj, display_name="multi-node", job_log_configuration_details=logs,
        job_node_configuration_details=M.MultiNodeJobNodeConfigurationDetails(
            startup_order="IN_PARALLEL", job_node_group_configuration_details_list=[group],
            job_network_configuration=M.JobCustomNetworkConfiguration(subnet_id="ocid1.subnet.oc1.iad.s")),
    )  # fmt: skip


def _md_details(comp: str, proj: str, model_id: str) -> M.CreateModelDeploymentDetails:
    return M.CreateModelDeploymentDetails(
        compartment_id=comp, project_id=proj, display_name="llm",
        freeform_tags={"OCI_AQUA": "active", "aqua_model_name": "m"},
        category_log_details=M.CategoryLogDetails(
            access=M.LogDetails(log_group_id="ocid1.loggroup.oc1.iad.g", log_id="ocid1.log.oc1.iad.access"),
            predict=M.LogDetails(log_group_id="ocid1.loggroup.oc1.iad.g", log_id="ocid1.log.oc1.iad.predict")),
        model_deployment_configuration_details=M.SingleModelDeploymentConfigurationDetails(
            model_configuration_details=M.ModelConfigurationDetails(
                model_id=model_id, bandwidth_mbps=10,
                instance_configuration=M.InstanceConfiguration(instance_shape_name="VM.GPU.A10.1"),
                scaling_policy=M.FixedSizeScalingPolicy(instance_count=1)),
            environment_configuration_details=M.OcirModelDeploymentEnvironmentConfigurationDetails(
                image="iad.ocir.io/ns/vllm:1", server_port=8080, health_check_port=8080,
                environment_variables={"PARAMS": "--max-model-len 4096"})),
    )  # fmt: skip


def _drive_data_science(emu: OciEmulator, comp: str) -> None:
    ds = _client(emu, oci.data_science.DataScienceClient, "datascience")
    proj = ds.create_project(M.CreateProjectDetails(compartment_id=comp, display_name="p")).data.id
    ds.get_project(proj)
    ds.list_projects(comp)
    ds.delete_project(ds.create_project(M.CreateProjectDetails(compartment_id=comp, display_name="gone")).data.id)
    emu.seed_service_models(2)
    ds.list_models(emu.service_compartment_id, category="SERVICE")
    # Models, their artifacts, metadata artifacts and provenance.
    mvs = ds.create_model_version_set(
        M.CreateModelVersionSetDetails(compartment_id=comp, project_id=proj, name="exp", freeform_tags={"a": "b"})
    ).data.id
    ds.get_model_version_set(mvs)
    ds.list_model_version_sets(comp)
    model = ds.create_model(
        M.CreateModelDetails(
            compartment_id=comp, project_id=proj, display_name="m", model_version_set_id=mvs, version_label="v1",
            freeform_tags={"OCI_AQUA": "active"},
            custom_metadata_list=[M.Metadata(key="evaluation_source", value="x", category="Other",
                                             description="d")],
            defined_metadata_list=[M.Metadata(key="UseCaseType", value="other")],
        )
    ).data  # fmt: skip
    mid = model.id
    ds.get_model(mid)
    ds.list_models(comp)
    ds.update_model(mid, M.UpdateModelDetails(description="updated"))
    ds.create_model_artifact(mid, b"PK\x05\x06" + b"\0" * 18, content_disposition='attachment; filename="m.zip"')
    ds.head_model_artifact(mid)
    ds.get_model_artifact_content(mid)
    for kind in ("defined", "custom"):
        key = "Readme" if kind == "defined" else "evaluation_source"
        create = getattr(ds, f"create_model_{kind}_metadatum_artifact")
        create(mid, key, b"# hi", content_disposition='attachment; filename="readme.md"')
        getattr(ds, f"update_model_{kind}_metadatum_artifact")(mid, key, b"# again")
        getattr(ds, f"head_model_{kind}_metadatum_artifact")(mid, key)
        getattr(ds, f"get_model_{kind}_metadatum_artifact_content")(mid, key)
        getattr(ds, f"delete_model_{kind}_metadatum_artifact")(mid, key)
    ds.create_model_provenance(mid, M.CreateModelProvenanceDetails(repository_url="https://x", git_branch="main"))
    ds.update_model_provenance(mid, M.UpdateModelProvenanceDetails(training_id="ocid1.datasciencejobrun.x"))
    ds.get_model_provenance(mid)
    ds.deactivate_model(mid)
    ds.activate_model(mid)
    emu.add_bucket(None, "models")
    emu.put_object(None, "models", "llama/config.json", b"{}")
    by_ref = emu.add_model(comp, "by-ref", project_id=proj)
    ref = M.OSSModelArtifactReferenceDetails(namespace=emu.namespace, bucket_name="models", prefix="llama/")
    wr = ds.register_model_artifact_reference(
        M.RegisterModelArtifactReferenceDetails(model_artifact_references=[ref]), by_ref
    ).headers["opc-work-request-id"]
    _wait_wr(ds, emu, wr)
    ds.list_model_deployment_shapes(comp)
    ds.list_containers()
    ds.list_containers(target_workload="JOB_RUN")

    # Model deployments and their work requests.
    md = ds.create_model_deployment(_md_details(comp, proj, mid)).data
    wr = ds.list_work_requests(comp, resource_id=md.id).data[0].id
    _wait_wr(ds, emu, wr)
    ds.list_work_request_errors(wr)
    ds.list_work_request_logs(wr)
    ds.list_work_requests(comp)
    ds.get_model_deployment(md.id)
    ds.list_model_deployments(comp)
    predict = _client(emu, oci.model_deployment.ModelDeploymentClient, "modeldeployment")
    body = {"model": "odsc-llm", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
    predict.predict(md.id, request_body=body)
    predict.predict_with_response_stream(md.id, request_body={**body, "stream": True})
    _wait_wr(ds, emu, ds.update_model_deployment(md.id, M.UpdateModelDeploymentDetails(description="x"))
             .headers["opc-work-request-id"])  # fmt: skip
    _wait_wr(ds, emu, ds.deactivate_model_deployment(md.id).headers["opc-work-request-id"])
    _wait_wr(ds, emu, ds.activate_model_deployment(md.id).headers["opc-work-request-id"])
    _wait_wr(ds, emu, ds.delete_model_deployment(md.id).headers["opc-work-request-id"])
    ds.get_model_deployment(md.id)  # DELETED

    # A stacked model group (AQUA's deployment of a fine-tuned model) and its MODEL_GROUP deployment.
    group = ds.create_model_group(M.CreateModelGroupDetails(
        create_type="CREATE", compartment_id=comp, project_id=proj, display_name="stack",
        model_group_details=M.StackedModelGroupDetails(base_model_id=mid, custom_metadata_list=[
            M.CustomMetadata(key="k", value="v", description="d", category="Other")]),
        member_model_entries=M.MemberModelEntries(member_model_details=[
            M.MemberModelDetails(model_id=mid, inference_key="base"),
            M.MemberModelDetails(model_id=by_ref, inference_key="adapter")]),
    ))  # fmt: skip
    ds.get_model_group(group.data.id)  # CREATING
    _wait_wr(ds, emu, group.headers["opc-work-request-id"])
    ds.get_model_group(group.data.id)  # ACTIVE
    ds.list_model_groups(comp)
    grouped = ds.create_model_deployment(M.CreateModelDeploymentDetails(
        compartment_id=comp, project_id=proj, display_name="stacked",
        model_deployment_configuration_details=M.ModelGroupDeploymentConfigurationDetails(
            model_group_configuration_details=M.ModelGroupConfigurationDetails(model_group_id=group.data.id),
            infrastructure_configuration_details=M.InstancePoolInfrastructureConfigurationDetails(
                instance_configuration=M.InstanceConfiguration(instance_shape_name="VM.GPU.A10.1"),
                scaling_policy=M.FixedSizeScalingPolicy(instance_count=1), bandwidth_mbps=10),
            environment_configuration_details=M.OcirModelDeploymentEnvironmentConfigurationDetails(
                image="iad.ocir.io/ns/vllm:1", server_port=8080, health_check_port=8080)),
    )).data  # fmt: skip
    emu.fast_forward()
    ds.get_model_deployment(grouped.id)  # ACTIVE
    # Deleted: the deployment first (a group a live deployment serves is refused), then the group.
    _wait_wr(ds, emu, ds.delete_model_deployment(grouped.id).headers["opc-work-request-id"])
    _wait_wr(ds, emu, ds.delete_model_group(group.data.id).headers["opc-work-request-id"])
    ds.get_model_group(group.data.id)  # DELETED

    # Jobs and job runs: standalone (fine-tuning container), multi-node, evaluation container.
    emu.add_bucket(None, "out", versioned=True)
    emu.put_object(None, "out", "d/train.jsonl", b'{"prompt": "p", "completion": "c"}\n')
    ft_model = ds.create_model(
        M.CreateModelDetails(compartment_id=comp, project_id=proj, display_name="ft",
                             freeform_tags={"OCI_AQUA": "", "aqua_fine_tuned_model": f"{mid}#m"})
    ).data.id  # fmt: skip
    ft_env = {
        "AIP_SMC_FT_ARGUMENTS": json.dumps({"baseModel": {"type": "modelCatalog", "modelId": mid},
                                            "outputModel": {"type": "modelCatalog", "modelId": ft_model}}),
        "OCI__LAUNCH_CMD": f"--training_data oci://out@{emu.namespace}/d/train.jsonl "
                           f"--output_dir oci://out@{emu.namespace}/runs --num_epochs 2",
    }  # fmt: skip
    ds.list_job_shapes(comp)
    job = ds.create_job(_job_details(comp, proj, ft_env)).data
    ds.create_job_artifact(job.id, b"#!/bin/sh\n", content_disposition='attachment; filename="run.sh"')
    ds.head_job_artifact(job.id)
    ds.get_job_artifact_content(job.id)
    ds.get_job(job.id)
    ds.list_jobs(comp)
    run = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=job.id)).data
    ds.get_job_run(run.id)  # ACCEPTED
    emu.run_due()
    emu.fast_forward()
    ds.get_job_run(run.id)  # SUCCEEDED
    running = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=job.id)).data
    ds.cancel_job_run(running.id)
    ds.get_job_run(running.id)  # CANCELING
    emu.fast_forward()
    ds.list_job_runs(comp)
    ds.delete_job_run(running.id)
    multi = ds.create_job(_job_details(comp, proj, {"A": "1"}, nodes=2)).data
    multi_run = ds.create_job_run(
        M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=multi.id, display_name="mn")
    ).data
    emu.fast_forward()
    ds.get_job_run(multi_run.id)
    ds.get_job(multi.id)
    eval_model = emu.add_model(comp, "eval", project_id=proj, freeform_tags={"aqua_evaluation": "aqua_evaluation"})
    target = emu.add_deployment(comp, mid, "target")
    eval_args = {
        "evaluation_id": eval_model,
        "evaluation_target_id": target,
        "input_data": {"format": ".jsonl", "url": f"oci://out@{emu.namespace}/d/train.jsonl"},
        "metrics": [{"key": "bleu", "args": {}}],
        "output_dir": f"oci://out@{emu.namespace}/r",
        "params": {},
    }
    eval_env = {"AIP_SMC_EVALUATION_ARGUMENTS": json.dumps(eval_args)}
    eval_job = ds.create_job(_job_details(comp, proj, eval_env)).data
    ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=eval_job.id))
    emu.fast_forward()
    ds.list_job_runs(comp, job_id=eval_job.id)
    _wait_wr(ds, emu, ds.delete_job(multi.id, delete_related_job_runs=True).headers["opc-work-request-id"])

    # Deletes last (the resource search below still sees the rest).
    gone = emu.add_model(comp, "gone", project_id=proj)
    ds.delete_model(gone)
    emu.fast_forward()
    ds.get_model(gone)  # DELETED
    empty = ds.create_model_version_set(M.CreateModelVersionSetDetails(compartment_id=comp, project_id=proj,
                                                                       name="empty")).data.id  # fmt: skip
    _wait_wr(ds, emu, ds.delete_model_version_set(empty).headers["opc-work-request-id"])


def _drive_generative_ai(emu: OciEmulator, comp: str) -> None:
    """Generative AI: every management operation, then inference through an endpoint and on demand."""
    genai = _client(emu, oci.generative_ai.GenerativeAiClient, "generativeai")
    gm = oci.generative_ai.models
    bases = {m.display_name: m.id for m in genai.list_models(comp).data.items}
    genai.get_model(bases["cohere.command-r-08-2024"])

    def cluster(kind: str, shape: str, count: int = 1) -> Any:
        return genai.create_dedicated_ai_cluster(gm.CreateDedicatedAiClusterDetails(
            compartment_id=comp, type=kind, unit_shape=shape, unit_count=count, display_name="클러스터"))  # fmt: skip

    hosting = cluster("HOSTING", "LARGE_COHERE_V2").data
    tuning = cluster("FINE_TUNING", "LARGE_GENERIC", 2)
    genai.get_dedicated_ai_cluster(hosting.id)  # CREATING
    _wait_wr(genai, emu, tuning.headers["opc-work-request-id"])
    genai.get_dedicated_ai_cluster(hosting.id)  # ACTIVE, with its hosting capacity
    genai.list_dedicated_ai_clusters(comp)
    emu.add_bucket(None, "genai")
    emu.put_object(None, "genai", "train.jsonl", b'{"prompt": "\xec\x95\x88", "completion": "c"}\n' * 4)
    dataset = gm.ObjectStorageDataset(namespace_name=emu.namespace, bucket_name="genai", object_name="train.jsonl")
    for base, config in (("meta.llama-3.1-70b-instruct", gm.LoraTrainingConfig(lora_r=16)),
                         ("cohere.command-r-08-2024", gm.TFewTrainingConfig(total_training_epochs=1)),
                         ("cohere.command", gm.VanillaTrainingConfig(num_of_last_layers=2))):  # fmt: skip
        tuned = genai.create_model(gm.CreateModelDetails(
            compartment_id=comp, base_model_id=bases[base], display_name="微調整",
            fine_tune_details=gm.FineTuneDetails(training_dataset=dataset, dedicated_ai_cluster_id=tuning.data.id,
                                                 training_config=config)))  # fmt: skip
        _wait_wr(genai, emu, tuned.headers["opc-work-request-id"])
        genai.get_model(tuned.data.id)  # ACTIVE, with its metrics
    genai.list_models(comp, capability=["CHAT"])
    emu.add_bucket(None, "weights")
    emu.put_object(None, "weights", "e5/config.json", b"{}")
    imported = genai.create_imported_model(gm.CreateImportedModelDetails(
        compartment_id=comp, capabilities=["EMBEDDING"], display_name="インポート",
        data_source=gm.ObjectStorageObject(namespace_name=emu.namespace, bucket_name="weights",
                                           prefix_name="e5")))  # fmt: skip
    hf = genai.create_imported_model(
        gm.CreateImportedModelDetails(
            compartment_id=comp,
            capabilities=["TEXT_TO_TEXT"],
            data_source=gm.HuggingFaceModel(model_id="meta-llama/Llama-3.1-8B-Instruct"),
        )
    )  # gated, no token: FAILED
    _wait_wr(genai, emu, hf.headers["opc-work-request-id"])
    failed_wr = hf.headers["opc-work-request-id"]
    genai.list_work_request_errors(failed_wr)
    genai.list_work_request_logs(failed_wr)
    genai.get_imported_model(imported.data.id)
    genai.list_imported_models(comp)
    genai.list_work_requests(comp)
    endpoint = genai.create_endpoint(gm.CreateEndpointDetails(
        compartment_id=comp, model_id=bases["cohere.command-r-08-2024"], dedicated_ai_cluster_id=hosting.id,
        display_name="엔드포인트"))  # fmt: skip
    _wait_wr(genai, emu, endpoint.headers["opc-work-request-id"])
    genai.get_endpoint(endpoint.data.id)
    genai.list_endpoints(comp)

    inference = _client(emu, oci.generative_ai_inference.GenerativeAiInferenceClient, "generativeaiinference")
    im = oci.generative_ai_inference.models
    dedicated = im.DedicatedServingMode(endpoint_id=endpoint.data.id)
    llama = im.OnDemandServingMode(model_id="meta.llama-3.3-70b-instruct")
    inference.chat(im.ChatDetails(compartment_id=comp, serving_mode=dedicated,
                                  chat_request=im.CohereChatRequest(message="안녕")))  # fmt: skip
    user = im.UserMessage(content=[im.TextContent(text="こんにちは")])
    inference.chat(im.ChatDetails(compartment_id=comp, serving_mode=llama,
                                  chat_request=im.GenericChatRequest(messages=[user])))  # fmt: skip
    list(inference.chat(im.ChatDetails(compartment_id=comp, serving_mode=llama, chat_request=im.GenericChatRequest(
        messages=[user], is_stream=True))).data.events())  # fmt: skip
    for mode, request in ((dedicated, im.CohereLlmInferenceRequest(prompt="p")),
                          (llama, im.LlamaLlmInferenceRequest(prompt="p"))):  # fmt: skip
        inference.generate_text(im.GenerateTextDetails(compartment_id=comp, serving_mode=mode,
                                                       inference_request=request))  # fmt: skip
    inference.summarize_text(im.SummarizeTextDetails(compartment_id=comp, serving_mode=dedicated, input="긴 글"))
    embedder = im.OnDemandServingMode(model_id="cohere.embed-multilingual-v3.0")
    inference.embed_text(im.EmbedTextDetails(compartment_id=comp, inputs=["日本語"], serving_mode=embedder))

    # Deletes last.
    _wait_wr(genai, emu, genai.delete_endpoint(endpoint.data.id).headers["opc-work-request-id"])
    genai.get_endpoint(endpoint.data.id)  # DELETED
    _wait_wr(genai, emu, genai.delete_dedicated_ai_cluster(hosting.id).headers["opc-work-request-id"])
    _wait_wr(genai, emu, genai.delete_model(tuned.data.id).headers["opc-work-request-id"])
    _wait_wr(genai, emu, genai.delete_imported_model(imported.data.id).headers["opc-work-request-id"])
    genai.get_imported_model(imported.data.id)  # DELETED


def _drive_object_storage(emu: OciEmulator, comp: str) -> None:
    os_ = _client(emu, oci.object_storage.ObjectStorageClient, "objectstorage")
    os_m = oci.object_storage.models
    ns = os_.get_namespace().data
    os_.create_bucket(ns, os_m.CreateBucketDetails(name="b", compartment_id=comp, versioning="Enabled"))
    os_.get_bucket(ns, "b", fields=["approximateCount", "approximateSize"])
    os_.head_bucket(ns, "b")
    os_.list_buckets(ns, comp)
    os_.put_object(ns, "b", "a/one.txt", b"1")
    os_.put_object(ns, "b", "a/one.txt", b"11")
    os_.put_object(ns, "b", "two.txt", b"2", opc_meta={"k": "v"})
    os_.head_object(ns, "b", "two.txt")
    os_.get_object(ns, "b", "two.txt")
    os_.list_objects(ns, "b", fields="name,size,etag,md5,timeCreated,timeModified,storageTier,archivalState")
    os_.list_objects(ns, "b", delimiter="/")
    os_.delete_object(ns, "b", "two.txt")
    os_.list_object_versions(ns, "b", fields="name,size,etag,md5,timeCreated,timeModified,storageTier")
    os_.list_object_versions(ns, "b", delimiter="/", limit=1)
    upload = os_.create_multipart_upload(ns, "b", os_m.CreateMultipartUploadDetails(object="big.bin")).data
    part = os_.upload_part(ns, "b", "big.bin", upload.upload_id, 1, b"x" * 10)
    os_.list_multipart_uploads(ns, "b")
    os_.list_multipart_upload_parts(ns, "b", "big.bin", upload.upload_id)
    os_.commit_multipart_upload(ns, "b", "big.bin", upload.upload_id, os_m.CommitMultipartUploadDetails(
        parts_to_commit=[os_m.CommitMultipartUploadPartDetails(part_num=1, etag=part.headers["etag"])]))  # fmt: skip
    aborted = os_.create_multipart_upload(ns, "b", os_m.CreateMultipartUploadDetails(object="no.bin")).data
    os_.abort_multipart_upload(ns, "b", "no.bin", aborted.upload_id)


def _drive_the_rest(emu: OciEmulator, comp: str) -> None:
    identity = _client(emu, oci.identity.IdentityClient, "identity")
    identity.list_compartments(emu.tenancy_id, compartment_id_in_subtree=True)
    identity.get_compartment(comp)
    identity.get_tenancy(emu.tenancy_id)
    identity.list_region_subscriptions(emu.tenancy_id)
    identity.get_user(emu.test_config.user)
    identity.list_availability_domains(emu.tenancy_id)

    logs = _client(emu, oci.loggingsearch.LogSearchClient, "logging")
    now = datetime.now(timezone.utc)
    emu.logging.add_record("ocid1.log.oc1.iad.predict", "hello", source="ocid1.datasciencemodeldeployment.x")
    logs.search_logs(oci.loggingsearch.models.SearchLogsDetails(
        time_start=now - timedelta(hours=1), time_end=now + timedelta(minutes=5),
        search_query='search "c/g/ocid1.log.oc1.iad.predict" | sort by datetime desc'))  # fmt: skip
    management = _client(emu, oci.logging.LoggingManagementClient, "logging")
    group = emu.logging_management.add_log_group(comp, "g")
    log = emu.logging_management.add_log(group, "l")
    management.list_log_groups(comp)
    management.get_log_group(group)
    management.list_logs(group)
    management.get_log(group, log)

    search = _client(emu, oci.resource_search.ResourceSearchClient, "search")
    rs = oci.resource_search.models
    search.search_resources(rs.StructuredSearchDetails(
        query=f"query all resources return allAdditionalFields where compartmentId = '{comp}'"))  # fmt: skip
    search.search_resources(rs.StructuredSearchDetails(query="query datasciencemodel resources"))
    search.search_resources(rs.FreeTextSearchDetails(text="m"))

    limits = _client(emu, oci.limits.LimitsClient, "limits")
    limits.list_services(emu.tenancy_id)
    limits.list_limit_definitions(emu.tenancy_id, service_name="data-science")
    limits.list_limit_values(emu.tenancy_id, "data-science")
    limits.get_resource_availability("data-science", "ds-gpu-a10-count", comp)
    limits.get_resource_availability("data-science", "ds-e4-core-count", comp)
    limits.list_limit_values(emu.tenancy_id, "generative-ai")
    limits.get_resource_availability("generative-ai", "dedicated-unit-a10-count", comp)


# (what was called, the status and code OCI answers it with, what the SDK raised: None when nothing)
Raised = tuple[str, int, "str | None", "oci.exceptions.ServiceError | None"]


def _expect(raised: list[Raised], label: str, status: int, code: str | None, call: Callable[[], Any]) -> None:
    try:
        call()
    except oci.exceptions.ServiceError as err:
        raised.append((label, status, code, err))
    else:
        raised.append((label, status, code, None))


def _drive_errors(emu: OciEmulator, comp: str, stranger: OciTestConfig) -> list[Raised]:
    """The error paths of a representative set of operations, each through the SDK client that calls it."""
    raised: list[Raised] = []
    ds = _client(emu, oci.data_science.DataScienceClient, "datascience")
    proj = ds.create_project(M.CreateProjectDetails(compartment_id=comp, display_name="errors")).data.id
    unknown_model = "ocid1.datasciencemodel.oc1.iad.nosuchmodel"
    _expect(raised, "GetModel of an unknown OCID", 404, "NotAuthorizedOrNotFound", lambda: ds.get_model(unknown_model))
    _expect(raised, "CreateProject without a compartment", 400, "MissingParameter",
            lambda: ds.create_project(M.CreateProjectDetails(display_name="nowhere")))  # fmt: skip
    _expect(raised, "CreateModelDeployment of an unknown model", 404, "RelatedResourceNotAuthorizedOrNotFound",
            lambda: ds.create_model_deployment(_md_details(comp, proj, unknown_model)))  # fmt: skip
    model = emu.add_model(comp, "errors", project_id=proj)
    bad_shape = _md_details(comp, proj, model)
    bad_shape.model_deployment_configuration_details.model_configuration_details.instance_configuration = (
        M.InstanceConfiguration(instance_shape_name="VM.GPU.Nope.1"))  # fmt: skip
    _expect(raised, "CreateModelDeployment on an unknown shape", 400, "InvalidParameter",
            lambda: ds.create_model_deployment(bad_shape))  # fmt: skip
    _expect(raised, "UpdateModel with a stale if-match", 412, "NoEtagMatch",
            lambda: ds.update_model(model, M.UpdateModelDetails(description="x"), if_match="stale"))  # fmt: skip
    ds.create_model_artifact(model, b"PK\x05\x06" + b"\0" * 18)
    _expect(raised, "CreateModelArtifact twice", 409, "Conflict",
            lambda: ds.create_model_artifact(model, b"PK\x05\x06" + b"\0" * 18))  # fmt: skip
    _expect(raised, "HeadModelArtifact of an unknown model (no body: no code)", 404, None,
            lambda: ds.head_model_artifact(unknown_model))  # fmt: skip
    mvs = ds.create_model_version_set(M.CreateModelVersionSetDetails(compartment_id=comp, project_id=proj,
                                                                     name="kept")).data.id  # fmt: skip
    ds.create_model(
        M.CreateModelDetails(compartment_id=comp, project_id=proj, model_version_set_id=mvs, version_label="v1")
    )
    _expect(raised, "DeleteModelVersionSet that has models", 409, "IncorrectState",
            lambda: ds.delete_model_version_set(mvs))  # fmt: skip
    _expect(raised, "CreateModelGroup with an unknown member", 404, "RelatedResourceNotAuthorizedOrNotFound",
            lambda: ds.create_model_group(M.CreateModelGroupDetails(
                create_type="CREATE", compartment_id=comp, project_id=proj,
                model_group_details=M.StackedModelGroupDetails(base_model_id=unknown_model),
                member_model_entries=M.MemberModelEntries(member_model_details=[
                    M.MemberModelDetails(model_id=unknown_model)]))))  # fmt: skip
    _expect(raised, "GetModelGroup of an unknown OCID", 404, "NotAuthorizedOrNotFound",
            lambda: ds.get_model_group("ocid1.datasciencemodelgroup.oc1.iad.nosuch"))  # fmt: skip
    emu.limits.values["ds-gpu-a10-count"] = 0
    _expect(raised, "CreateModelDeployment past the GPU limit", 400, "LimitExceeded",
            lambda: ds.create_model_deployment(_md_details(comp, proj, model)))  # fmt: skip
    stranger_ds = oci.data_science.DataScienceClient(
        stranger.sdk_config(), service_endpoint=emu.endpoint("datascience"), retry_strategy=NO_RETRY
    )
    _expect(raised, "ListProjects signed with an unknown key", 401, "NotAuthenticated",
            lambda: stranger_ds.list_projects(comp))  # fmt: skip
    assert emu.test_config is not None
    nowhere = oci.data_science.DataScienceClient(
        emu.test_config.sdk_config(), service_endpoint=f"{emu.base_url}/nosuchservice", retry_strategy=NO_RETRY
    )
    _expect(raised, "ListProjects at an unknown service", 404, "NotFound", lambda: nowhere.list_projects(comp))
    emu.faults = FaultConfig(rate=1.0, kinds=("429",), operations=("GetProject",))
    _expect(raised, "GetProject, throttled", 429, "TooManyRequests", lambda: ds.get_project(proj))
    emu.faults = FaultConfig(rate=1.0, kinds=("503",), operations=("GetProject",))
    _expect(raised, "GetProject, unavailable", 503, "ServiceUnavailable", lambda: ds.get_project(proj))
    emu.faults = None

    os_ = _client(emu, oci.object_storage.ObjectStorageClient, "objectstorage")
    ns = emu.namespace
    _expect(raised, "GetBucket of an unknown bucket", 404, "BucketNotFound", lambda: os_.get_bucket(ns, "nosuch"))
    os_.create_bucket(ns, oci.object_storage.models.CreateBucketDetails(name="errs", compartment_id=comp))
    _expect(raised, "CreateBucket twice", 409, "BucketAlreadyExists", lambda: os_.create_bucket(
        ns, oci.object_storage.models.CreateBucketDetails(name="errs", compartment_id=comp)))  # fmt: skip
    _expect(raised, "GetObject of an unknown object", 404, "ObjectNotFound", lambda: os_.get_object(ns, "errs", "no"))
    os_.put_object(ns, "errs", "two.txt", b"12")
    _expect(raised, "GetObject past its end", 416, "InvalidRange",
            lambda: os_.get_object(ns, "errs", "two.txt", range="bytes=100-200"))  # fmt: skip

    identity = _client(emu, oci.identity.IdentityClient, "identity")
    _expect(raised, "GetCompartment of an unknown OCID", 404, "NotAuthorizedOrNotFound",
            lambda: identity.get_compartment("ocid1.compartment.oc1..nosuch"))  # fmt: skip
    management = _client(emu, oci.logging.LoggingManagementClient, "logging")
    _expect(raised, "GetLogGroup of an unknown OCID", 404, "NotAuthorizedOrNotFound",
            lambda: management.get_log_group("ocid1.loggroup.oc1.iad.nosuch"))  # fmt: skip

    genai = _client(emu, oci.generative_ai.GenerativeAiClient, "generativeai")
    gm = oci.generative_ai.models

    def cluster(shape: str, kind: str = "HOSTING") -> Any:
        return genai.create_dedicated_ai_cluster(gm.CreateDedicatedAiClusterDetails(
            compartment_id=comp, type=kind, unit_shape=shape, unit_count=1))  # fmt: skip

    _expect(raised, "GetDedicatedAiCluster of an unknown OCID", 404, "NotAuthorizedOrNotFound",
            lambda: genai.get_dedicated_ai_cluster("ocid1.generativeaidedicatedaicluster.oc1.iad.nosuch"))  # fmt: skip
    emu.limits.values["dedicated-unit-h100-count"] = 0
    _expect(raised, "CreateDedicatedAiCluster past the generative-ai limit", 400, "LimitExceeded",
            lambda: cluster("H100_X1"))  # fmt: skip
    _expect(raised, "CreateDedicatedAiCluster without a unit count", 400, "MissingParameter",
            lambda: genai.create_dedicated_ai_cluster(gm.CreateDedicatedAiClusterDetails(
                compartment_id=comp, type="HOSTING", unit_shape="A10_X1")))  # fmt: skip
    emu.transition_seconds = 60.0  # this one stays CREATING until the fast-forward below
    creating = cluster("A10_X1").data
    emu.transition_seconds = 0.01
    base = genai.list_models(comp, display_name="meta.llama-3.3-70b-instruct").data.items[0].id
    _expect(raised, "CreateEndpoint on a CREATING cluster", 409, "IncorrectState",
            lambda: genai.create_endpoint(gm.CreateEndpointDetails(
                compartment_id=comp, model_id=base, dedicated_ai_cluster_id=creating.id)))  # fmt: skip
    _expect(raised, "CreateEndpoint on an unknown cluster", 404, "RelatedResourceNotAuthorizedOrNotFound",
            lambda: genai.create_endpoint(gm.CreateEndpointDetails(
                compartment_id=comp, model_id=base, dedicated_ai_cluster_id="ocid1.nosuch")))  # fmt: skip
    tuning = cluster("LARGE_GENERIC", "FINE_TUNING").data
    emu.fast_forward()
    dataset = gm.ObjectStorageDataset(namespace_name=ns, bucket_name="errs", object_name="t.jsonl")
    _expect(raised, "CreateModel with a LoRA rank out of range", 400, "InvalidParameter",
            lambda: genai.create_model(gm.CreateModelDetails(
                compartment_id=comp, base_model_id=genai.list_models(
                    comp, display_name="meta.llama-3.1-70b-instruct").data.items[0].id,
                fine_tune_details=gm.FineTuneDetails(training_dataset=dataset, dedicated_ai_cluster_id=tuning.id,
                                                     training_config=gm.LoraTrainingConfig(lora_r=0)))))  # fmt: skip
    inference = _client(emu, oci.generative_ai_inference.GenerativeAiInferenceClient, "generativeaiinference")
    im = oci.generative_ai_inference.models
    _expect(raised, "Chat through an unknown endpoint", 404, "NotAuthorizedOrNotFound",
            lambda: inference.chat(im.ChatDetails(
                compartment_id=comp, serving_mode=im.DedicatedServingMode(endpoint_id="ocid1.generativeaiendpoint.x"),
                chat_request=im.CohereChatRequest(message="m"))))  # fmt: skip
    return raised


@dataclass
class Scenario:
    answers: dict[tuple[str, str], list[tuple[int, Any]]]  # (service, operation) -> [(status, body)]
    errors: list[tuple[str, str, int, dict[str, str], bytes]]  # every error answer as sent (emu.error_log)
    raised: list[Raised]  # the error paths driven on purpose


@pytest.fixture(scope="module")
def scenario(cfg: OciTestConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    stranger = write_oci_config(tmp_path_factory.mktemp("stranger"))  # a key the emulator never registered
    with OciEmulator(config=cfg, transition_seconds=0.01) as emu:
        emu.response_log = []
        emu.error_log = []
        emu.deployments.stream_delay_seconds = 0.0
        comp = emu.add_compartment("dev")
        _drive_data_science(emu, comp)
        _drive_object_storage(emu, comp)
        _drive_generative_ai(emu, comp)
        _drive_the_rest(emu, comp)
        raised = _drive_errors(emu, comp, stranger)
        by_operation: dict[tuple[str, str], list[tuple[int, Any]]] = defaultdict(list)
        for service, operation, status, body in emu.response_log:
            by_operation[(service, operation)].append((status, body))
        yield Scenario(by_operation, list(emu.error_log), raised)


@pytest.fixture(scope="module")
def answers(scenario: Scenario) -> dict[tuple[str, str], list[tuple[int, Any]]]:
    """(service, operation) -> [(status, body)] of every answer the scenario got."""
    return scenario.answers


def test_every_served_operation_has_an_sdk_response_type() -> None:
    """The table: each emulated operation is an operation of the SDK client its prefix serves."""
    table = {f"{s}:{op}": (sdk_method(s, op)[0].__name__, response_type(s, op)) for s, op in OPERATIONS}
    assert table["datascience:GetJobRun"] == ("DataScienceClient", "JobRun")
    assert table["objectstorage:ListObjectVersions"] == ("ObjectStorageClient", "ObjectVersionCollection")
    assert table["datascience:DeleteModel"] == ("DataScienceClient", None)
    assert len(table) == len(OPERATIONS) >= 90


def test_every_served_operation_is_driven(answers: dict) -> None:
    missing = [f"{s}:{op}" for s, op in OPERATIONS if not any(200 <= st < 300 for st, _ in answers.get((s, op), []))]
    assert missing == [], f"the scenario drives no successful call of {missing}"


@pytest.mark.parametrize(("service", "operation"), OPERATIONS, ids=[f"{s}:{op}" for s, op in OPERATIONS])
def test_responses_conform_to_the_sdk_model(answers: dict, service: str, operation: str) -> None:
    found = []
    for status, body in answers.get((service, operation), []):
        if 200 <= status < 300 and status != 304:
            found += violations(service, operation, body)
    assert found == [], "\n".join(sorted(set(found)))


def test_the_null_exceptions_are_required_fields_of_the_sdk() -> None:
    """Each exception names a field the SDK really marks required (none is stale or misspelt)."""
    for model, field in NULL_WHEN_UNUSED:
        # The model of that name in any emulated service's SDK package (Data Science's Model comes first).
        classes = [models[model] for service in CLIENTS if model in (models := _models(service))]
        assert classes, model
        required = [_required(cls, attr) for cls in classes for attr, json in cls().attribute_map.items()
                    if json == field]  # fmt: skip
        assert any(required), (model, field)


def test_the_checker_catches_what_the_sdk_lets_through() -> None:
    """A null required field, a bad enum, an unknown field and a wrong type are each reported."""
    run = {"id": "r", "timeAccepted": "2024-01-01T00:00:00.000Z", "createdBy": "u", "projectId": "p",
           "compartmentId": "c", "jobId": "j", "jobConfigurationOverrideDetails": None,
           "jobInfrastructureConfigurationDetails": {"jobInfrastructureType": "EMPTY"},
           "lifecycleState": "DONE", "displayName": 3, "surprise": 1}  # fmt: skip
    found = violations("datascience", "GetJobRun", run)
    assert "GetJobRun.jobConfigurationOverrideDetails: required in JobRun, but null" in found
    assert any(f.startswith("GetJobRun.lifecycleState: 'DONE' is not one of") for f in found)
    assert "GetJobRun.surprise: not a field of JobRun" in found
    assert "GetJobRun.displayName: 3 is not str" in found
    assert violations("datascience", "DeleteModel", None) == []


def test_every_error_answer_is_oci_s_envelope(scenario: Scenario) -> None:
    """Every error the emulator sent in the scenario (driven on purpose or not): an opc-request-id header, a JSON
    {code, message} body (none for HEAD), a code OCI sends with that status."""
    assert len(scenario.errors) >= len(scenario.raised)
    found = [v for service, op, status, headers, body in scenario.errors
             for v in error_violations(service, op, status, headers, body)]  # fmt: skip
    assert found == [], "\n".join(sorted(set(found)))


def test_the_sdk_raises_service_error_with_the_code(scenario: Scenario) -> None:
    """Each error path raises oci.exceptions.ServiceError with the status and code parsed, a message and the
    request id (what callers log and match on)."""
    wrong = []
    for label, status, code, err in scenario.raised:
        if err is None:
            wrong.append(f"{label}: no ServiceError")
        elif (err.status, err.code) != (status, code) or not err.request_id:
            wrong.append(f"{label}: {err.status} {err.code} (request id {err.request_id!r}), expected {status} {code}")
        elif code is not None and not (isinstance(err.message, str) and err.message):
            wrong.append(f"{label}: message {err.message!r}")
    assert wrong == [], "\n".join(wrong)


def test_the_error_paths_cover_oci_s_common_codes(scenario: Scenario) -> None:
    codes = {code for _, _, code, _ in scenario.raised}
    common = {"MissingParameter", "InvalidParameter", "LimitExceeded", "NotAuthenticated", "NotAuthorizedOrNotFound",
              "NotFound", "RelatedResourceNotAuthorizedOrNotFound", "Conflict", "IncorrectState", "NoEtagMatch",
              "TooManyRequests", "ServiceUnavailable"}  # fmt: skip
    assert common - codes == set()
    assert codes - {None} <= set(ERROR_STATUS)


def test_the_error_checker_catches_what_the_sdk_lets_through() -> None:
    """A missing request id, a body that is no JSON object, a missing message and a code with the wrong status
    are each reported; the SDK would raise a ServiceError for each all the same."""
    ok = {"opc-request-id": "A/B", "content-type": "application/json"}
    envelope = b'{"code": "NotAuthorizedOrNotFound", "message": "m"}'

    def check(status: int, headers: dict[str, str], body: bytes) -> list[str]:
        return error_violations("datascience", "GetModel", status, headers, body)

    assert check(404, ok, envelope) == []
    assert check(404, {"content-type": "application/json"}, envelope) == [
        "datascience:GetModel 404: no opc-request-id header"
    ]
    assert check(404, ok, b"Not Found") == ["datascience:GetModel 404: the body is not JSON: b'Not Found'"]
    assert check(404, ok, b'{"code": "NotAuthorizedOrNotFound"}') == [
        "datascience:GetModel 404: message is None, expected a non-empty string"
    ]
    assert check(400, ok, envelope) == ["datascience:GetModel 400: OCI sends NotAuthorizedOrNotFound with status 404"]
    assert check(404, ok, b'{"code": "Oops", "message": "m"}') == [
        "datascience:GetModel 404: Oops is no OCI error code"
    ]
    assert error_violations("datascience", "HeadModelArtifact", 404, ok, b"") == []


def test_the_checker_reads_each_event_of_a_stream() -> None:
    """A streamed chat is not a ChatResult; each of its events must be one JSON object."""
    from tests.oci_emulator.generative_ai import EventStream

    assert violations("generativeaiinference", "Chat", EventStream([b'data: {"text": "\xed\x95\x9c"}\n\n'])) == []
    found = violations("generativeaiinference", "Chat", EventStream([b'data: {"a": 1}\n\n', b"data: [DONE]\n\n"]))
    assert found == ["Chat: event 1 is not one JSON object ending with a blank line: b'data: [DONE]\\n\\n'"]
    assert violations("generativeaiinference", "Chat", iter([b"data: {}\n\n"])) == [
        "Chat: a stream whose events were not kept (return an EventStream)"
    ]
