"""Generative AI endpoints as the target's deployments: listed and read with the others, deleted, and where a
chat turn goes (the inference host, the endpoint's OCID as the DEDICATED serving mode's `endpointId`, requests
signed with the target's OCI signer). They are created through the genai routes (an endpoint needs a hosting
cluster), not the deploy form; they have no start/stop and no log of their own."""

from __future__ import annotations

import asyncio
from typing import Any

from ...api.deployments import CreateDeploymentRequest, CreateDeploymentResponse, DeploymentDetail, DeploymentSummary
from ...api.logs import LogPage, LogsQuery
from ...api.upstream import UpstreamTarget, served_name
from ...errors import Conflict, InvalidInput
from ..base import Deployments
from ..oci.signing import OciRequestAuth
from . import mapping
from .control import GenAiControl

# The Generative AI inference host of a region (OCI's published pattern); the `generativeaiinference`
# endpoint override replaces it (tests, pre-production regions).
INFERENCE_HOST = "https://inference.generativeai.{region}.oci.oraclecloud.com"
NOT_HERE = (
    "Generative AI endpoints are created on a hosting cluster: POST genai/endpoints "
    "(`aqua-ext genai endpoints create`), not the deploy form"
)


class GenAiDeployments(Deployments):
    def __init__(self, control: GenAiControl) -> None:
        self.control = control
        self.auth = OciRequestAuth(lambda: control.ctx.client().auth.signer)

    async def _detail(self, endpoint_id: str) -> DeploymentDetail:
        ep = await self.control.endpoint(endpoint_id)
        _, served = self.control.seen_endpoints.get(ep.id, (ep, None))
        shape = await self._unit_shape(ep.dedicated_ai_cluster_id)
        return mapping.deployment(ep, served, shape, self.control.operations.get(ep.id))

    async def _unit_shape(self, cluster_id: str) -> str:
        try:
            return (await self.control.cluster(cluster_id)).unit_shape
        except Exception:  # the cluster went: the endpoint is still shown
            return ""

    async def list(self) -> list[DeploymentSummary]:
        endpoints, clusters = await asyncio.gather(self.control.endpoints(), self.control.clusters())
        shapes = {c.id: c.unit_shape for c in clusters}
        out: list[DeploymentSummary] = []
        for ep in endpoints:
            _, served = self.control.seen_endpoints.get(ep.id, (ep, None))
            detail = mapping.deployment(ep, served, shapes.get(ep.dedicated_ai_cluster_id, ""), None)
            out.append(DeploymentSummary(**detail.model_dump(include=set(DeploymentSummary.model_fields))))
        return out

    async def get(self, deployment_id: str) -> DeploymentDetail:
        return await self._detail(deployment_id)

    async def resolve(self, request: CreateDeploymentRequest) -> Any:
        raise InvalidInput.field("target", NOT_HERE)

    async def create(self, plan: Any) -> CreateDeploymentResponse:
        raise InvalidInput.field("target", NOT_HERE)

    async def activate(self, deployment_id: str) -> CreateDeploymentResponse:
        raise Conflict("A Generative AI endpoint has no stop and start: it serves while it exists.")

    async def deactivate(self, deployment_id: str, *, reason: str | None = None) -> DeploymentDetail:
        raise Conflict("A Generative AI endpoint has no stop and start: delete it to stop serving.")

    async def delete(self, deployment_id: str) -> None:
        await self.control.delete_endpoint(deployment_id)

    async def logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
        await self.control.endpoint(deployment_id)  # 404 for an unknown one
        return LogPage(lines=[], cursor="", source="Generative AI endpoints keep no log that aqua_ext can read")

    def inference_url(self) -> str:
        settings = self.control.ctx.settings
        return settings.endpoint("generativeaiinference") or INFERENCE_HOST.format(region=self.control.ctx.region)

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        """An ACTIVE endpoint seen before answers without a control-plane call; otherwise it is read once."""
        seen = self.control.seen_endpoints.get(deployment_id)
        if seen is None or seen[0].state != "ACTIVE":
            await self.control.endpoint(deployment_id)
            seen = self.control.seen_endpoints[deployment_id]
        ep, served = seen
        if ep.state != "ACTIVE":
            raise Conflict(f"Endpoint '{ep.name}' is {ep.state}, not ACTIVE: {ep.state_message or 'wait for it'}.")
        return UpstreamTarget(
            deployment_id=ep.id,
            mode=mapping.mode_of(served),
            model=ep.id,  # the DEDICATED serving mode names the endpoint
            base_url=self.inference_url(),
            auth=self.auth,
            served_model_name=served_name(ep.name),
            dialect="oci_genai",
            compartment_id=self.control.compartment_id,
        )

    async def upstream_failed(self, deployment_id: str, error: str) -> Any:
        """A request failed: read the endpoint once, so the next turn knows whether it is gone."""
        try:
            ep = await self.control.endpoint(deployment_id)
        except Exception:
            self.control.seen_endpoints.pop(deployment_id, None)
            return None
        state = mapping.deployment_state(ep.state)
        return None if ep.state == "ACTIVE" else state
