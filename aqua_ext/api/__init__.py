"""The REST contract: pydantic models for every request and response.

`aqua_ext.api.openapi` turns these models and `aqua_ext.api.routes.ROUTES` into
`schema/api/openapi.json`, from which the TypeScript types are generated.
"""
