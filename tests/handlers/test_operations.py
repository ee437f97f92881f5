from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.handlers.test_models import assert_error
from tests.model_folders import write_model_folder


async def test_operations_list_get_and_cancel_errors(api: Any, jp_root_dir: Path) -> None:
    status, body = await api("operations")
    assert status == 200 and body["items"] == []
    folder = write_model_folder(jp_root_dir / "m")
    _, registered = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
    op_id = registered["operation"]["id"]
    status, op = await api(f"operations/{op_id}")
    assert status == 200 and op["state"] == "SUCCEEDED" and op["resource_id"] == registered["model"]["id"]
    status, body = await api("operations")
    assert [o["id"] for o in body["items"]] == [op_id]
    status, body = await api(f"operations/{op_id}", method="DELETE")
    assert_error(status, body, 409)
    status, body = await api("operations/op-nope")
    assert_error(status, body, 404)
    status, body = await api("operations/op-nope", method="DELETE")
    assert_error(status, body, 404)
