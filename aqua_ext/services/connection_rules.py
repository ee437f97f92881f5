"""What a connection may be: its endpoint, headers, payloads and authentication, checked in one place
(create, update, YAML import) before anything is stored or sent. Each refusal is an InvalidInput
naming the field, e.g. `headers.Authorization` or `methods[0].request_body`.

The endpoint rule guards the server, not only the user: the server sends requests where a connection
points, so a cloud's metadata service (169.254.169.254, fd00:ec2::254, metadata.google.internal)
would hand its instance credentials to whoever can create a connection. Those addresses are refused
unless the connection says `allow_link_local`; loopback and private networks stay allowed (Ollama, LM
Studio and a team's vLLM live there). `check_fields` sees only the URL; `check_endpoint_now` resolves
the host before each call, for names that point there."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import socket
from urllib.parse import SplitResult, urlsplit

from ..api.connections import HEADER_NAME_PATTERN, ConnectionFields, RestMethod
from ..errors import InvalidInput, Upstream, UpstreamTimeout

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses a cloud's metadata service answers on beyond the link-local ranges, which
# `is_link_local` already covers (169.254.0.0/16 holds AWS', Azure's, GCP's and OCI's 169.254.169.254).
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),  # AWS' IPv6 instance metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud's metadata service
    }
)
# Names the metadata services go by inside their clouds: refused without a DNS look-up, since the
# server may resolve them differently later (or not at all here, in a test).
METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"}
)

# Headers the driver writes itself: auth (the secret goes in through `secret`, never a plain header,
# which is shown and exported), the transport (a wrong Host or length breaks or smuggles requests),
# the body's type (a method's `content_type` says it) and OCI's signature (signed by the driver).
RESERVED_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
        "date",
        "x-content-sha256",
        # The usual names of an API key header: a key there would be stored and exported in the clear.
        "api-key",
        "x-api-key",
    }
)
RESERVED_HEADER_PREFIXES = ("opc-",)  # OCI's own request headers (opc-obo-token, opc-request-id …)
# The name api_key_header may not take: the transport's and the signature's headers.
TRANSPORT_HEADERS = frozenset(
    {"host", "content-length", "content-type", "transfer-encoding", "connection", "te", "upgrade", "date"}
)
AZURE_DEFAULT_KEY_HEADER = "api-key"

_HEADER_NAME = re.compile(HEADER_NAME_PATTERN)
# Control characters other than HTAB end or split a header line (CR/LF inject headers, NUL truncates).
_HEADER_VALUE_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# `{{prompt}}`, `{{messages}}` … in a request template (api/connections.py RestMethod.request_body).
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}")
# Where the answer's text is: `inferenceResponse.generatedTexts[0].text`, `choices[0].message.content`.
_RESPONSE_PATH = re.compile(r"^[A-Za-z_$][\w$-]*(\[\d+\])*(\.[A-Za-z_$][\w$-]*(\[\d+\])*)*$")
# The forms inet_aton reads as an IPv4 address that ipaddress does not: 2852039166, 0xa9fea9fe, 0251.0376…
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)
RESOLVE_TIMEOUT_S = 5.0
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def check_fields(fields: ConnectionFields, *, secret_given: bool) -> None:
    """Refuse (InvalidInput naming the field) a connection that is not usable or not safe as it is.
    An update is checked as the stored fields with the update applied. `secret_given`: this request
    carries a secret (create, or an update that sets one); whether one is stored already is the
    service's to know."""
    check_endpoint(fields.endpoint, fields.allow_link_local)
    _check_auth(fields, secret_given)
    _check_headers(fields)
    for index, method in enumerate(fields.methods):
        _check_method(index, method)
    _check_kind(fields)
    _check_models(fields)


def takes_secret(auth_type: str) -> bool:
    """Whether an auth type sends a secret: none sends nothing, OCI signing uses the server's own
    credentials (a secret kept for them would never be used)."""
    return auth_type != "none" and not auth_type.startswith("oci_")


def check_secret(fields: ConnectionFields, secret: str) -> None:
    """A key or token travels in an HTTP header, which carries visible ASCII only (a key pasted with
    a stray character would fail at every request, with an encoding error). A basic-auth password
    is base64-encoded first, so any text goes."""
    if fields.auth_type != "basic" and any(not ("!" <= c <= "~") for c in secret):
        raise InvalidInput.field(
            "secret", "a key or token is letters, digits and punctuation only (no spaces or other characters)"
        )


def check_endpoint(url: str, allow_link_local: bool) -> SplitResult:
    """The endpoint, parsed, when it is an http(s) URL with a host, no credentials and (unless allowed)
    no link-local or metadata address; InvalidInput on `endpoint` otherwise."""
    if _HEADER_VALUE_BAD.search(url) or any(c.isspace() for c in url):
        raise InvalidInput.field("endpoint", "must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number or out of range)
    except ValueError as exc:
        raise InvalidInput.field("endpoint", f"not a URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput.field("endpoint", f"must be an http:// or https:// URL (got '{parts.scheme or url[:30]}')")
    if not parts.hostname:
        raise InvalidInput.field("endpoint", "has no host")
    if parts.username is not None or parts.password is not None:
        # A URL is logged and shown; the credentials belong in the secret (auth_type basic, bearer …).
        raise InvalidInput.field("endpoint", "must not carry a user name or password: set auth_type and the secret")
    if not allow_link_local:
        problem = _forbidden_host(parts.hostname)
        if problem:
            raise InvalidInput.field("endpoint", f"{problem}; set allow_link_local to reach it anyway")
    return parts


async def check_endpoint_now(url: str, allow_link_local: bool) -> None:
    """Before a call: the endpoint's host, resolved now, has no link-local or metadata address
    (InvalidInput on `endpoint`). A host that does not resolve is Upstream (502; UpstreamTimeout
    when the resolver does not answer in RESOLVE_TIMEOUT_S), so the caller reports it as unreachable.

    The HTTP client resolves the name again when it connects; a DNS server that answers differently
    the second time (rebinding) is not caught here."""
    parts = check_endpoint(url, allow_link_local)
    if allow_link_local:
        return
    host = parts.hostname or ""
    if _ip_literal(host) is not None:
        return  # check_endpoint has judged the address itself
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=RESOLVE_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise UpstreamTimeout(f"The name {host} did not resolve within {RESOLVE_TIMEOUT_S:g} s.") from None
    except OSError as exc:  # socket.gaierror
        raise Upstream(f"The name {host} does not resolve ({exc.strerror or exc}).") from None
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # an IPv6 scope (fe80::1%eth0) is not part of the address
        problem = _forbidden_address(ipaddress.ip_address(address))
        if problem:
            raise InvalidInput.field(
                "endpoint", f"{host} resolves to {address}, {problem}; set allow_link_local to reach it anyway"
            )


def key_header_name(fields: ConnectionFields) -> str | None:
    """The header the secret goes in for auth_type api_key_header (Azure OpenAI's `api-key` by default)."""
    if fields.auth_type != "api_key_header":
        return None
    if fields.api_key_header:
        return fields.api_key_header
    return AZURE_DEFAULT_KEY_HEADER if fields.kind == "azure_openai" else None


def is_json_type(content_type: str) -> bool:
    """application/json, or a +json type (application/vnd.api+json), parameters aside."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _ip_literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):  # a resolver reads "2852039166" as 169.254.169.254
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _forbidden_host(host: str) -> str | None:
    name = host.lower().rstrip(".")
    if name in METADATA_HOSTS:
        return f"{host} is a cloud metadata service"
    address = _ip_literal(name)
    return _forbidden_address(address) if address is not None else None


def _forbidden_address(address: IpAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address inside an IPv6 one reaches the IPv4 host: mapped, 6to4, NAT64's well-known prefix.
        nat64 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
        embedded = address.ipv4_mapped or address.sixtofour or nat64
        if embedded is not None:
            return _forbidden_address(embedded)
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_link_local:
        return f"{address} is a link-local address (cloud metadata services answer there)"
    return None


def _check_auth(fields: ConnectionFields, secret_given: bool) -> None:
    auth = fields.auth_type
    if auth.startswith("oci_") and fields.kind not in ("oci_genai", "rest"):
        raise InvalidInput.field(
            "auth_type", f"{auth} signs OCI requests: only for kinds oci_genai and rest, not {fields.kind}"
        )
    if fields.kind == "oci_genai" and not auth.startswith("oci_"):
        raise InvalidInput.field(
            "auth_type", "OCI Generative AI takes signed requests: oci_api_key or oci_resource_principal"
        )
    if secret_given and not takes_secret(auth):
        what = "no authentication" if auth == "none" else "OCI signing, which uses the server's OCI credentials"
        raise InvalidInput.field("secret", f"auth_type {auth} ({what}) takes no secret")
    if auth == "basic":
        if not (fields.username or "").strip():
            raise InvalidInput.field("username", "basic authentication needs a user name")
    elif fields.username:
        raise InvalidInput.field("username", f"only with auth_type basic (this one is {auth})")
    if auth == "api_key_header":
        name = key_header_name(fields)
        if name is None:
            raise InvalidInput.field(
                "api_key_header", "auth_type api_key_header needs the header's name, e.g. X-Api-Key"
            )
        if name.lower() in TRANSPORT_HEADERS or name.lower().startswith(RESERVED_HEADER_PREFIXES):
            raise InvalidInput.field("api_key_header", f"{name} is a header the transport sets; name another")
    elif fields.api_key_header:
        raise InvalidInput.field("api_key_header", f"only with auth_type api_key_header (this one is {auth})")


def _check_headers(fields: ConnectionFields) -> None:
    key_header = (key_header_name(fields) or "").lower()
    for name, value in fields.headers.items():
        field = f"headers.{name[:100]}"
        if not _HEADER_NAME.match(name):
            raise InvalidInput.field(field, "a header name is letters, digits and !#$%&'*+.^_`|~- only")
        lower = name.lower()
        if lower in RESERVED_HEADERS or lower.startswith(RESERVED_HEADER_PREFIXES) or lower == key_header:
            raise InvalidInput.field(field, f"{name} is set by the connection itself: {_owner_of(lower, key_header)}")
        if _HEADER_VALUE_BAD.search(value):
            raise InvalidInput.field(field, "the value must not contain line breaks, NUL or other control characters")
        if not value.isascii():
            # httpx sends header values as ASCII: anything else fails every request later, unclearly.
            raise InvalidInput.field(field, "the value must be ASCII text (HTTP headers carry no other characters)")


def _owner_of(header: str, key_header: str) -> str:
    """Where the value of a header the connection sets comes from, for the refusal's message."""
    if header in ("authorization", "proxy-authorization", "cookie", "api-key", "x-api-key") or header == key_header:
        return "choose auth_type and give the key or token as the secret, which is never shown or exported"
    if header == "content-type":
        return "the method's content_type says it"
    if header in ("date", "x-content-sha256") or header.startswith(RESERVED_HEADER_PREFIXES):
        return "OCI request signing writes it"
    return "the HTTP client writes it for each request"


def _check_method(index: int, method: RestMethod) -> None:
    if not is_json_type(method.content_type):
        return
    payloads = (
        ("request_body", method.request_body, True),
        ("mock_response", method.mock_response, False),
        ("error_response", method.error_response, False),
    )
    for name, text, template in payloads:
        if not text.strip():
            continue
        if template:
            # A placeholder stands where a value goes ("{{prompt}}" or a bare {{max_tokens}}): blanked to
            # a 0 of the same length, the template parses as JSON wherever the values will go, and the
            # line and column of a real mistake stay where the user sees them.
            text = _PLACEHOLDER.sub(lambda m: "0".ljust(len(m.group(0))), text)
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput.field(
                f"methods[{index}].{name}",
                f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            ) from None


def _check_kind(fields: ConnectionFields) -> None:
    if fields.kind == "azure_openai" and not (fields.api_version or "").strip():
        raise InvalidInput.field("api_version", "Azure OpenAI needs its api-version, e.g. 2024-10-21")
    if fields.kind == "oci_genai":
        compartment = (fields.compartment_id or "").strip()
        if not compartment:
            raise InvalidInput.field("compartment_id", "OCI Generative AI needs the compartment's OCID")
        if not compartment.startswith("ocid1."):
            raise InvalidInput.field("compartment_id", "not an OCID (ocid1.compartment.oc1..…)")
    if fields.kind == "rest":
        if not fields.methods:
            raise InvalidInput.field("methods", "a REST connection needs a method with its request template")
        if not fields.methods[0].request_body.strip():
            raise InvalidInput.field("methods[0].request_body", "a REST connection needs a request template")
        if not (fields.response_path or "").strip():
            raise InvalidInput.field(
                "response_path", "a REST connection needs where the answer is, e.g. choices[0].message.content"
            )
    if fields.response_path and not _RESPONSE_PATH.match(fields.response_path.strip()):
        raise InvalidInput.field("response_path", "names and [index]es joined by dots, e.g. choices[0].message.content")


def _check_models(fields: ConnectionFields) -> None:
    for index, model in enumerate(fields.models):
        if not model.strip():
            raise InvalidInput.field(f"models[{index}]", "must not be blank")
    if fields.models and fields.default_model is not None and fields.default_model not in fields.models:
        raise InvalidInput.field("default_model", f"'{fields.default_model}' is not one of models")
