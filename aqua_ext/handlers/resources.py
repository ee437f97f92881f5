"""The verbs that every resource answers alike, each one thin handler bound to a resource's service.

Models, deployments, fine-tunes, evaluations, connections and the Generative AI resources list, create
(or import, register), export a create's Terraform, read, change, delete, run an action on one (cancel,
activate, a connection's test) and follow their logs the same way: parse → call
the service method of that name (the genai service's of that resource: `list_models`, …) → reply.
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
    # A job reads a dataset: its service's create (and the create's Terraform) preflights it inside the
    # Jupyter root, under the size limit, so it is handed the dataset access with the request.
    reads_dataset: ClassVar[bool] = False

    @property
    def service(self) -> Any:
        return getattr(self.services, self.resource)

    async def _with_body(self, method: str, body: type[BaseModel]) -> Any:
        request = self.parse_body(body)
        access = (self.dataset_access(),) if self.reads_dataset else ()
        return await getattr(self.service, method)(request, *access)


class _Collection(_ResourceHandler):
    """GET lists the resource (filtered by a query where it has one); POST creates one (202: it comes up
    in the background; 201 where it is saved at once)."""

    body: ClassVar[type[BaseModel]]
    status: ClassVar[int] = 202
    list_query: ClassVar[type[BaseModel] | None] = None
    # The service's methods: `list` and `create`, where the service owns one resource (the genai
    # service owns four, and names them `list_models`, `import_model`, …).
    list_method: ClassVar[str] = "list"
    create_method: ClassVar[str] = "create"

    @web.authenticated
    async def get(self) -> None:
        query = () if self.list_query is None else (self.parse_query(self.list_query),)
        self.reply(await getattr(self.service, self.list_method)(*query))

    @web.authenticated
    async def post(self) -> None:
        self.reply(await self._with_body(self.create_method, self.body), status=self.status)


class _Post(_ResourceHandler):
    """POST: the body to one method of the service, answered with what it returns (an import, a create
    form's Terraform)."""

    body: ClassVar[type[BaseModel]]
    method: ClassVar[str]
    status: ClassVar[int] = 200

    @web.authenticated
    async def post(self) -> None:
        self.reply(await self._with_body(self.method, self.body), status=self.status)


class _Item(_ResourceHandler):
    """GET reads one; DELETE deletes it (204, no body)."""

    get_method: ClassVar[str] = "get"
    delete_method: ClassVar[str] = "delete"

    @web.authenticated
    async def get(self, resource_id: str) -> None:
        self.reply(await getattr(self.service, self.get_method)(resource_id))

    @web.authenticated
    async def delete(self, resource_id: str) -> None:
        await getattr(self.service, self.delete_method)(resource_id)
        self.reply(None, status=204)


class _EditableItem(_Item):
    """GET and DELETE as _Item; PATCH changes its settings (`update`) and answers what it became."""

    body: ClassVar[type[BaseModel]]

    @web.authenticated
    async def patch(self, resource_id: str) -> None:
        request = self.parse_body(self.body)
        self.reply(await self.service.update(resource_id, request))


class _Action(_ResourceHandler):
    """POST runs one action on one resource (cancel, activate, deactivate; with a body: a connection's
    test, a model's GGUF conversion) and answers what the service returns."""

    method: ClassVar[str]
    status: ClassVar[int]
    body: ClassVar[type[BaseModel] | None] = None

    @web.authenticated
    async def post(self, resource_id: str) -> None:
        request = () if self.body is None else (self.parse_body(self.body),)
        self.reply(await getattr(self.service, self.method)(resource_id, *request), status=self.status)


class _ItemQuery(_ResourceHandler):
    """GET one resource's view that a query shapes (logs, metrics, rows, a fit, defaults)."""

    method: ClassVar[str]
    query: ClassVar[type[BaseModel]]

    @web.authenticated
    async def get(self, resource_id: str) -> None:
        query = self.parse_query(self.query)
        self.reply(await getattr(self.service, self.method)(resource_id, query))


def _bound(base: type[_ResourceHandler], resource: str, **attrs: Any) -> type[AquaHandler]:
    # Named for logs and reprs: "ItemHandler[finetunes]", "ActionHandler[deployments.activate]",
    # "CollectionHandler[genai.list_models,import_model]".
    methods = ",".join(
        str(value) for name, value in attrs.items() if name.endswith("method") and value != getattr(base, name, None)
    )
    what = f"{resource}.{methods}" if methods else resource
    return type(f"{base.__name__.lstrip('_')}Handler[{what}]", (base,), {"resource": resource, **attrs})


def collection_handler(
    resource: str,
    body: type[BaseModel],
    *,
    status: int = 202,
    reads_dataset: bool = False,
    list_query: type[BaseModel] | None = None,
    list_method: str = "list",
    create_method: str = "create",
) -> type[AquaHandler]:
    return _bound(
        _Collection,
        resource,
        body=body,
        status=status,
        reads_dataset=reads_dataset,
        list_query=list_query,
        list_method=list_method,
        create_method=create_method,
    )


def post_handler(
    resource: str, method: str, body: type[BaseModel], *, status: int = 200, reads_dataset: bool = False
) -> type[AquaHandler]:
    return _bound(_Post, resource, method=method, body=body, status=status, reads_dataset=reads_dataset)


def terraform_handler(
    resource: str, body: type[BaseModel], *, reads_dataset: bool = False, method: str = "terraform"
) -> type[AquaHandler]:
    """A create form's Terraform (and SDK calls): the create's body and checks, nothing created (200)."""
    return post_handler(resource, method, body, reads_dataset=reads_dataset)


def item_handler(resource: str, *, get_method: str = "get", delete_method: str = "delete") -> type[AquaHandler]:
    return _bound(_Item, resource, get_method=get_method, delete_method=delete_method)


def editable_item_handler(resource: str, body: type[BaseModel]) -> type[AquaHandler]:
    return _bound(_EditableItem, resource, body=body)


def action_handler(
    resource: str, method: str, *, body: type[BaseModel] | None = None, status: int = 200
) -> type[AquaHandler]:
    return _bound(_Action, resource, method=method, body=body, status=status)


def query_handler(resource: str, method: str, query: type[BaseModel]) -> type[AquaHandler]:
    return _bound(_ItemQuery, resource, method=method, query=query)
