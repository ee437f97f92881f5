"""The verbs that every resource answers alike, each one thin handler bound to a resource's service.

Models, deployments, fine-tunes, evaluations and connections list, create, read, change, delete,
cancel and follow their logs the same way: parse → call the service method of that name → reply.
A resource module binds these handlers to its service (`resource`, the `Services` attribute)
instead of spelling each one out again. Every verb here is `@web.authenticated`, like every other route.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel
from tornado import web

from .base import AquaHandler


class _ResourceHandler(AquaHandler):
    resource: ClassVar[str]  # the Services attribute whose service owns the resource

    @property
    def service(self) -> Any:
        return getattr(self.services, self.resource)


class _Collection(_ResourceHandler):
    """GET lists the resource; POST creates one (202: it comes up in the background; 201 where it is
    saved at once)."""

    body: ClassVar[type[BaseModel]]
    status: ClassVar[int] = 202

    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.service.list())

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(self.body)
        self.reply(await self.create(request), status=self.status)

    async def create(self, request: BaseModel) -> BaseModel:
        result: BaseModel = await self.service.create(request)
        return result


class _JobCollection(_Collection):
    """A job reads a dataset: its service preflights it inside the Jupyter root, under the size limit."""

    async def create(self, request: BaseModel) -> BaseModel:
        result: BaseModel = await self.service.create(request, self.dataset_access())
        return result


class _Item(_ResourceHandler):
    """GET reads one; DELETE deletes it (204, no body)."""

    @web.authenticated
    async def get(self, resource_id: str) -> None:
        self.reply(await self.service.get(resource_id))

    @web.authenticated
    async def delete(self, resource_id: str) -> None:
        await self.service.delete(resource_id)
        self.reply(None, status=204)


class _EditableItem(_Item):
    """GET and DELETE as _Item; PATCH changes its settings (`update`) and answers what it became."""

    body: ClassVar[type[BaseModel]]

    @web.authenticated
    async def patch(self, resource_id: str) -> None:
        request = self.parse_body(self.body)
        self.reply(await self.service.update(resource_id, request))


class _Action(_ResourceHandler):
    """POST runs one action on one resource (cancel, activate, deactivate) and answers what it became."""

    method: ClassVar[str]
    status: ClassVar[int]

    @web.authenticated
    async def post(self, resource_id: str) -> None:
        self.reply(await getattr(self.service, self.method)(resource_id), status=self.status)


class _ItemQuery(_ResourceHandler):
    """GET one resource's view that a query shapes (logs, metrics, rows, a fit, defaults)."""

    method: ClassVar[str]
    query: ClassVar[type[BaseModel]]

    @web.authenticated
    async def get(self, resource_id: str) -> None:
        query = self.parse_query(self.query)
        self.reply(await getattr(self.service, self.method)(resource_id, query))


def _bound(base: type[_ResourceHandler], resource: str, **attrs: Any) -> type[AquaHandler]:
    # Named for logs and reprs: "ItemHandler[finetunes]", "ActionHandler[deployments.activate]".
    what = f"{resource}.{attrs['method']}" if "method" in attrs else resource
    return type(f"{base.__name__.lstrip('_')}Handler[{what}]", (base,), {"resource": resource, **attrs})


def collection_handler(resource: str, body: type[BaseModel], *, status: int = 202) -> type[AquaHandler]:
    return _bound(_Collection, resource, body=body, status=status)


def job_collection_handler(resource: str, body: type[BaseModel]) -> type[AquaHandler]:
    return _bound(_JobCollection, resource, body=body)


def item_handler(resource: str) -> type[AquaHandler]:
    return _bound(_Item, resource)


def editable_item_handler(resource: str, body: type[BaseModel]) -> type[AquaHandler]:
    return _bound(_EditableItem, resource, body=body)


def action_handler(resource: str, method: str, *, status: int = 200) -> type[AquaHandler]:
    return _bound(_Action, resource, method=method, status=status)


def query_handler(resource: str, method: str, query: type[BaseModel]) -> type[AquaHandler]:
    return _bound(_ItemQuery, resource, method=method, query=query)
