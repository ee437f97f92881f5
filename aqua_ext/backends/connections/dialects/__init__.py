"""One module per provider, each translating OpenAI's chat shape to the provider's requests and its
answers, stream events and error payloads back (see dialect.py for what each gives the client)."""

from __future__ import annotations

from ....api.connections import ConnectionKind
from . import azure_openai, cohere, oci_genai, openai, rest
from .dialect import Dialect

DIALECTS: dict[ConnectionKind, Dialect] = {
    "openai": openai.DIALECT,
    "azure_openai": azure_openai.DIALECT,
    "cohere": cohere.DIALECT,
    "oci_genai": oci_genai.DIALECT,
    "rest": rest.DIALECT,
}
