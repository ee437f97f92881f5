"""Every aqua_ext handler verb requires authentication."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest
from jupyter_server.serverapp import ServerApp
from tornado.httpclient import HTTPClientError

from aqua_ext.api.routes import ROUTES


def test_no_handler_lacks_an_auth_rule(tmp_path: Any) -> None:
    # Re-implements the extension template's check_auth.py: jupyter_server warns for
    # every verb without an auth decorator when unauthenticated access is off.
    app = ServerApp(
        allow_unauthenticated_access=False,
        jpserver_extensions={"aqua_ext": True},
        reraise_server_extension_failures=True,
        root_dir=str(tmp_path),
    )
    app.config.AquaExtension.data_dir = str(tmp_path / "data")
    app.config.AquaExtension.generate_demo_model = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.initialize(argv=[], find_extensions=False, new_httpserver=False)
    auth_warnings = [w for w in caught if w.category.__name__ == "JupyterServerAuthWarning"]
    assert not auth_warnings, [str(w.message) for w in auth_warnings]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("authorization", ["", "token not-the-token"])
async def test_requests_without_a_valid_token_are_refused(route: Any, authorization: str, jp_fetch: Any) -> None:
    path = re.sub(r"{\w+}", "x", route.path)
    body = "{}" if route.method in ("POST", "PUT", "PATCH") else None
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "aqua-ext", *path.split("/"), method=route.method, body=body, headers={"Authorization": authorization}
        )
    assert err.value.code == 403
