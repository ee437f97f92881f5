"""Run the emulator as a standalone process (manual UI checks, e2e tests in another process):

    python -m tests.oci_emulator --folder /tmp/oci-emu [--port 0] [--service-models 8] [--latency 0]

Writes a throwaway key + config into ``--folder``, seeds a compartment, a project, a bucket, AQUA
service models, a registered model ready to deploy and a log group with one log, writes
``<folder>/emulator.json`` (endpoints, config file, profile, compartment, project, namespace, bucket,
deployable model, log group and log, pid) and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path

from .keys import write_oci_config
from .server import SERVICE_PREFIXES, OciEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.oci_emulator", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", required=True, type=Path, help="where config, key and emulator.json go")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--service-models", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every call")
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument("--transition-seconds", type=float, default=2.0)
    args = parser.parse_args(argv)

    cfg = write_oci_config(args.folder)
    emu = OciEmulator(config=cfg, port=args.port, page_size=args.page_size, latency_seconds=args.latency,
                      transition_seconds=args.transition_seconds).start()  # fmt: skip
    compartment = emu.add_compartment("aqua-dev")
    project = emu.add_project(compartment, "aqua-dev")
    emu.add_bucket(None, "aqua-models", versioned=True, compartment_id=compartment)
    emu.seed_service_models(args.service_models)
    # Something to deploy (service models need an import first) and a log for its predict / access records.
    deployable = emu.add_model(
        compartment, "acme-chat-1b", project_id=project,
        freeform_tags={"OCI_AQUA": "active", "aqua_custom_base_model": "true", "task": "text_generation",
                       "organization": "acme", "license": "apache-2.0", "model_format": "SAFETENSORS",
                       "ready_to_fine_tune": "true"},
        custom_metadata=[
            {"key": "artifact_location", "value": f"oci://aqua-models@{emu.namespace}/acme-chat-1b/"},
            {"key": "parameter_count", "value": "1000000000"},
            {"key": "context_length", "value": "8192"},
            {"key": "architecture", "value": json.dumps({"model_type": "llama", "num_hidden_layers": 16,
                                                         "hidden_size": 2048, "num_attention_heads": 16,
                                                         "num_key_value_heads": 8})},
        ],
    )  # fmt: skip
    log_group = emu.logging_management.add_log_group(compartment, "aqua-dev-logs")
    log_id = emu.logging_management.add_log(log_group, "aqua-deployments")
    info = {
        "pid": os.getpid(),
        "base_url": emu.base_url,
        "endpoints": {name: emu.endpoint(name) for name in sorted(set(SERVICE_PREFIXES.values()))},
        "config_file": str(cfg.config_file),
        "profile": cfg.profile,
        "tenancy": cfg.tenancy,
        "compartment_id": compartment,
        "project_id": project,
        "namespace": emu.namespace,
        "bucket": "aqua-models",
        "region": emu.region,
        "deployable_model_id": deployable,
        "log_group_id": log_group,
        "log_id": log_id,
    }
    state = args.folder / "emulator.json"
    tmp = state.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2))
    tmp.replace(state)  # atomic: readers never see a half-written file
    print(json.dumps(info), flush=True)

    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
