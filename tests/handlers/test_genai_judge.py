"""A Generative AI endpoint as a judge: the local job asks it as a connection is (the OCI Generative AI
dialect, signed as the server signs), named as the deployment it is; the emulator's echo is no grade,
so each row says why (never a 0), with the tokens it cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.handlers.test_genai import hosting_cluster, imported, wait_operation
from tests.handlers.test_genai_evaluation import ROWS, jp_server_config  # noqa: F401  # the genai world's server
from tests.oci_setup import OciWorld
from tests.waiting import wait_for_state


async def test_an_endpoint_judges_its_own_answers(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    model_id = await imported(api, world)
    cluster = await hosting_cluster(api, model_id)
    body = {"display_name": "심판 審判", "model_id": model_id, "dedicated_ai_cluster_id": cluster["id"]}
    status, created = await api("genai/endpoints", method="POST", body=body)
    assert status == 202, created
    assert (await wait_operation(api, created["operation"]["id"]))["state"] == "SUCCEEDED"
    endpoint_id = created["endpoint"]["id"]
    (jp_root_dir / "capitals.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8"
    )
    request = {
        "deployment_id": endpoint_id,
        "name": "self-judged",
        "dataset_path": "capitals.jsonl",
        "metrics": ["exact_match"],
        "params": {"max_tokens": 8, "temperature": 0.0},
        "judge": {"judges": [{"deployment_id": endpoint_id}]},
    }
    status, started = await api("evaluations", method="POST", body=request)
    assert status == 202, started
    detail = await wait_for_state(
        api, f"evaluations/{started['evaluation']['id']}", "SUCCEEDED", timeout=90, stop_on_failure=True
    )
    (shown,) = detail["judge"]["judges"]
    assert (shown["name"], shown["deployment_id"], shown["connection_id"]) == ("심판 審判", endpoint_id, None)
    tally = detail["report"]["judge"]["judges"][0]
    # The emulator echoes the prompt: no reply is a grade, so every row is a failure with its reason.
    assert (tally["rows_scored"], tally["rows_failed"]) == (0, len(ROWS)), tally
    status, rows = await api(f"evaluations/{detail['id']}/rows")
    assert status == 200, rows
    for row in rows["items"]:
        (verdict,) = row["judgements"]
        # Reached and answered, but the reply is no grade (not a transport failure): the reason, never a 0.
        assert verdict["score"] is None and verdict["error"].startswith("the judge's"), verdict


async def test_an_on_demand_model_judges_an_on_demand_model(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    """No cluster, no endpoint: the judge is a base model OCI serves on demand, named by its OCID."""
    models = world.emulator.generative_ai
    asked, judge = (
        str(models.base_model(n)["id"]) for n in ("meta.llama-3.3-70b-instruct", "cohere.command-r-08-2024")
    )
    (jp_root_dir / "capitals.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8"
    )
    request = {
        "deployment_id": asked,
        "name": "온디맨드 심판",
        "dataset_path": "capitals.jsonl",
        "metrics": ["exact_match"],
        "params": {"max_tokens": 8, "temperature": 0.0},
        "judge": {"judges": [{"deployment_id": judge}]},
    }
    status, started = await api("evaluations", method="POST", body=request)
    assert status == 202, started
    detail = await wait_for_state(
        api, f"evaluations/{started['evaluation']['id']}", "SUCCEEDED", timeout=90, stop_on_failure=True
    )
    (shown,) = detail["judge"]["judges"]
    assert (shown["name"], shown["deployment_id"]) == ("cohere.command-r-08-2024", judge)
    status, rows = await api(f"evaluations/{detail['id']}/rows")
    assert status == 200, rows
    # Each judge was reached (COHERE format, ON_DEMAND) and answered the echo, which is no grade.
    assert all(row["judgements"][0]["error"].startswith("the judge's") for row in rows["items"]), rows
    # An embedder cannot judge: a 400 naming the judge's field.
    embedder = str(models.base_model("cohere.embed-multilingual-v3.0")["id"])
    status, error = await api("evaluations", method="POST",
                              body={**request, "judge": {"judges": [{"deployment_id": embedder}]}})  # fmt: skip
    assert status == 400 and "judge.judges.0.deployment_id" in [f["field"] for f in error["fields"]], error
