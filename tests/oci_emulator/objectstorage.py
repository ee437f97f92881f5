"""Emulated OCI Object Storage (no version base path; paths start ``/n``): namespace, buckets, objects.

In-memory store. Lists page by ``start`` / ``nextStartWith`` (objects) and ``opc-next-page`` (buckets, object
versions). A versioned bucket keeps an overwritten or deleted object's previous versions (and a delete marker per
delete) in ``versions``; ListObjectVersions lists them with the current ones, newest first per name. Every object
has a version id (``_version``; the ``version-id`` header is sent on versioned buckets only).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import TYPE_CHECKING, Any

from .core import (
    OciError,
    Request,
    Response,
    Router,
    decode_page,
    encode_page,
    invalid_parameter,
    new_ocid,
    now_rfc3339,
    paginate,
)

if TYPE_CHECKING:
    from .server import OciEmulator

OBJECT_FIELDS = ("name", "size", "etag", "md5", "timeCreated", "timeModified", "storageTier", "archivalState")


def _bucket_not_found(ns: str, bucket: str) -> OciError:
    return OciError(404, "BucketNotFound", f"Either the bucket named '{bucket}' does not exist in the namespace "
                    f"'{ns}' or you are not authorized to access it")  # fmt: skip


def _object_not_found(ns: str, bucket: str, name: str) -> OciError:
    return OciError(404, "ObjectNotFound", f"The object '{name}' was not found in the bucket '{bucket}'")


class ObjectStorageService:
    prefix = "objectstorage"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu
        self.buckets: dict[tuple[str, str], dict] = {}
        self.objects: dict[tuple[str, str], dict[str, dict]] = {}
        # Default ListObjects page size when the client sends no ``limit`` (the real service uses 1000; small
        # here so paging by nextStartWith is exercised).
        self.page_size = 10
        # uploadId -> {"namespace", "bucket", "object", "timeCreated", "contentType", "metadata", "parts": {n: rec}}
        self.uploads: dict[str, dict] = {}
        # (namespace, bucket) -> noncurrent versions and delete markers of a versioned bucket's objects.
        self.versions: dict[tuple[str, str], list[dict]] = {}

    # ------------------------------------------------------------------ routes
    def register(self, r: Router) -> None:
        r.add("GET", "/n", "GetNamespace", self.get_namespace)
        r.add("GET", "/n/{ns}/b", "ListBuckets", self.list_buckets)
        r.add("POST", "/n/{ns}/b", "CreateBucket", self.create_bucket)
        r.add("GET", "/n/{ns}/b/{bucket}", "GetBucket", self.get_bucket)
        r.add("HEAD", "/n/{ns}/b/{bucket}", "HeadBucket", self.get_bucket)
        r.add("GET", "/n/{ns}/b/{bucket}/o", "ListObjects", self.list_objects)
        r.add("GET", "/n/{ns}/b/{bucket}/objectversions", "ListObjectVersions", self.list_object_versions)
        r.add("PUT", "/n/{ns}/b/{bucket}/o/{name+}", "PutObject", self.put_object)
        r.add("GET", "/n/{ns}/b/{bucket}/o/{name+}", "GetObject", self.get_object)
        r.add("HEAD", "/n/{ns}/b/{bucket}/o/{name+}", "HeadObject", self.get_object)
        r.add("DELETE", "/n/{ns}/b/{bucket}/o/{name+}", "DeleteObject", self.delete_object)
        r.add("POST", "/n/{ns}/b/{bucket}/u", "CreateMultipartUpload", self.create_multipart)
        r.add("GET", "/n/{ns}/b/{bucket}/u", "ListMultipartUploads", self.list_multipart)
        r.add("PUT", "/n/{ns}/b/{bucket}/u/{name+}", "UploadPart", self.upload_part)
        r.add("POST", "/n/{ns}/b/{bucket}/u/{name+}", "CommitMultipartUpload", self.commit_multipart)
        r.add("DELETE", "/n/{ns}/b/{bucket}/u/{name+}", "AbortMultipartUpload", self.abort_multipart)
        r.add("GET", "/n/{ns}/b/{bucket}/u/{name+}", "ListMultipartUploadParts", self.list_parts)

    # ------------------------------------------------------------------ seeding / direct access
    def add_bucket(
        self,
        namespace: str,
        name: str,
        versioned: bool = False,
        compartment_id: str | None = None,
        freeform_tags: dict | None = None,
    ) -> dict:
        with self.emu.lock:
            if (namespace, name) in self.buckets:
                raise ValueError(f"bucket {name} exists")
            rec = {
                "namespace": namespace,
                "name": name,
                "compartmentId": compartment_id or self.emu.tenancy_id,
                "metadata": {},
                "createdBy": self.emu.test_config.user if self.emu.test_config else None,
                "timeCreated": now_rfc3339(),
                "etag": str(uuid.uuid4()),
                "publicAccessType": "NoPublicAccess",
                "storageTier": "Standard",
                "objectEventsEnabled": False,
                "freeformTags": dict(freeform_tags or {}),
                "definedTags": {},
                "kmsKeyId": None,
                "objectLifecyclePolicyEtag": None,
                "approximateCount": None,
                "approximateSize": None,
                "replicationEnabled": False,
                "isReadOnly": False,
                "id": new_ocid("bucket", self.emu.region_key),
                "versioning": "Enabled" if versioned else "Disabled",
                "autoTiering": "Disabled",
            }
            self.buckets[(namespace, name)] = rec
            self.objects[(namespace, name)] = {}
            return rec

    def _objects(self, ns: str, bucket: str) -> dict[str, dict]:
        if (ns, bucket) not in self.buckets:
            raise _bucket_not_found(ns, bucket)
        return self.objects[(ns, bucket)]

    def put(self, ns: str, bucket: str, name: str, data: bytes | str, content_type: str | None = None,
            metadata: dict[str, str] | None = None) -> dict:  # fmt: skip
        data = data.encode() if isinstance(data, str) else bytes(data)
        with self.emu.lock:
            objects = self._objects(ns, bucket)
            now = now_rfc3339()
            old = objects.get(name)
            md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
            rec = {
                "name": name,
                "data": data,
                "size": len(data),
                "md5": md5,
                "etag": str(uuid.uuid4()),
                "timeCreated": old["timeCreated"] if old else now,
                "timeModified": now,
                "storageTier": "Standard",
                "archivalState": None,
                "contentType": content_type or "application/octet-stream",
                "metadata": dict(metadata or {}),
                "versionId": None,
                "_version": str(uuid.uuid4()),
            }
            if self._versioned(ns, bucket):
                rec["versionId"] = rec["_version"]
                if old is not None:
                    self.versions.setdefault((ns, bucket), []).append(old)
            objects[name] = rec
            return rec

    def _versioned(self, ns: str, bucket: str) -> bool:
        return bool(self.buckets[(ns, bucket)]["versioning"] == "Enabled")

    def get(self, ns: str, bucket: str, name: str) -> bytes:
        with self.emu.lock:
            obj = self._objects(ns, bucket).get(name)
            if obj is None:
                raise KeyError(name)
            return obj["data"]

    def names(self, ns: str, bucket: str, prefix: str = "") -> list[str]:
        with self.emu.lock:
            return sorted(n for n in self._objects(ns, bucket) if n.startswith(prefix))

    # ------------------------------------------------------------------ handlers
    def get_namespace(self, req: Request) -> Response:
        return Response(200, self.emu.namespace)

    def list_buckets(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        ns = req.params["ns"]
        items = sorted((b for (n, _), b in self.buckets.items() if n == ns and b["compartmentId"] == comp),
                       key=lambda b: b["name"])  # fmt: skip
        with_tags = "tags" in req.q_list("fields")
        summaries = [
            {
                "namespace": b["namespace"],
                "name": b["name"],
                "compartmentId": b["compartmentId"],
                "createdBy": b["createdBy"],
                "timeCreated": b["timeCreated"],
                "etag": b["etag"],
                "freeformTags": b["freeformTags"] if with_tags else None,
                "definedTags": b["definedTags"] if with_tags else None,
            }
            for b in items
        ]
        return paginate(summaries, req, self.emu.page_size)

    def create_bucket(self, req: Request) -> Response:
        body = req.json()
        ns = req.params["ns"]
        if not body.get("name") or not body.get("compartmentId"):
            raise OciError(400, "MissingParameter", "name and compartmentId are required.")
        if (ns, body["name"]) in self.buckets:
            raise OciError(409, "BucketAlreadyExists", f"Bucket '{body['name']}' already exists.")
        rec = self.add_bucket(ns, body["name"], versioned=body.get("versioning") == "Enabled",
                              compartment_id=body["compartmentId"], freeform_tags=body.get("freeformTags"))  # fmt: skip
        return Response(200, dict(rec), {"etag": rec["etag"], "location": f"/n/{ns}/b/{rec['name']}"})

    def get_bucket(self, req: Request) -> Response:
        ns, bucket = req.params["ns"], req.params["bucket"]
        rec = self.buckets.get((ns, bucket))
        if rec is None:
            raise _bucket_not_found(ns, bucket)
        out = dict(rec)
        fields = req.q_list("fields")
        objects = self.objects[(ns, bucket)].values()
        if "approximateCount" in fields:
            out["approximateCount"] = len(objects)
        if "approximateSize" in fields:
            out["approximateSize"] = sum(o["size"] for o in objects)
        return Response(200, out, {"etag": rec["etag"]})

    def list_objects(self, req: Request) -> Response:
        ns, bucket = req.params["ns"], req.params["bucket"]
        objects = self._objects(ns, bucket)
        prefix = req.q("prefix") or ""
        start, start_after, end = req.q("start"), req.q("startAfter"), req.q("end")
        delimiter = req.q("delimiter")
        if delimiter not in (None, "/"):
            raise invalid_parameter("Only '/' is supported as a delimiter.")
        limit = req.q_int("limit", self.page_size)
        fields = req.q_list("fields") or ["name"]
        unknown = set(fields) - set(OBJECT_FIELDS)
        if unknown:
            raise invalid_parameter(f"Invalid fields: {', '.join(sorted(unknown))}.")
        out: list[dict] = []
        prefixes: list[str] = []
        next_start = None
        for name in sorted(objects):
            if not name.startswith(prefix):
                continue
            if (start and name < start) or (start_after and name <= start_after) or (end and name >= end):
                continue
            if delimiter:
                rest = name[len(prefix) :]
                if delimiter in rest:
                    p = prefix + rest.split(delimiter, 1)[0] + delimiter
                    if p not in prefixes:
                        prefixes.append(p)
                    continue
            if len(out) >= limit:
                next_start = name
                break
            obj = objects[name]
            out.append({f: obj.get(f) for f in fields if f != "name"} | {"name": name})
        body: dict[str, Any] = {"objects": out}
        if delimiter:
            body["prefixes"] = prefixes
        if next_start is not None:
            body["nextStartWith"] = next_start
        return Response(200, body)

    def _object_headers(self, obj: dict) -> dict[str, str]:
        headers = {
            "etag": obj["etag"],
            "content-md5": obj["md5"],
            "last-modified": _http_date(obj["timeModified"]),
            "storage-tier": obj["storageTier"],
            "accept-ranges": "bytes",
        }
        if obj.get("versionId"):
            headers["version-id"] = obj["versionId"]
        for k, v in obj["metadata"].items():
            headers[f"opc-meta-{k}"] = v
        return headers

    def put_object(self, req: Request) -> Response:
        ns, bucket, name = req.params["ns"], req.params["bucket"], req.params["name"]
        objects = self._objects(ns, bucket)
        old = objects.get(name)
        if req.header("if-none-match") == "*" and old is not None:
            raise OciError(412, "IfNoneMatchFailed", f"The object '{name}' already exists.")
        if req.header("if-match") and (old is None or old["etag"] != req.header("if-match")):
            raise OciError(412, "IfMatchFailed", "The if-match etag does not match the object's etag.")
        if req.header("content-length") is not None and int(req.header("content-length")) != len(req.body):
            raise OciError(400, "InvalidParameter", "Content-Length does not match the body.")
        md5 = base64.b64encode(hashlib.md5(req.body).digest()).decode()
        if req.header("content-md5") and req.header("content-md5") != md5:
            raise OciError(400, "UnmatchedContentMD5", "The computed MD5 does not match the Content-MD5 header.")
        meta = {k[len("opc-meta-") :]: v for k, v in req.headers.items() if k.startswith("opc-meta-")}
        obj = self.put(ns, bucket, name, req.body, content_type=req.header("content-type"), metadata=meta)
        headers = {"etag": obj["etag"], "opc-content-md5": obj["md5"], "last-modified": _http_date(obj["timeModified"])}
        if obj.get("versionId"):
            headers["version-id"] = obj["versionId"]
        return Response(200, None, headers)

    def get_object(self, req: Request) -> Response:
        ns, bucket, name = req.params["ns"], req.params["bucket"], req.params["name"]
        obj = self._objects(ns, bucket).get(name)
        if obj is None:
            raise _object_not_found(ns, bucket, name)
        if req.header("if-none-match") and req.header("if-none-match") == obj["etag"]:
            return Response(304, None, {"etag": obj["etag"]})
        data, status = obj["data"], 200
        headers = self._object_headers(obj)
        rng = req.header("range")
        if rng and rng.startswith("bytes=") and req.method == "GET":
            start_s, _, end_s = rng[6:].partition("-")
            if start_s:
                start, end = int(start_s), int(end_s) if end_s else len(data) - 1
            else:  # suffix range "bytes=-N"
                start, end = max(0, len(data) - int(end_s)), len(data) - 1
            end = min(end, len(data) - 1)
            if start >= len(data):
                raise OciError(416, "InvalidRange", "The requested range is not satisfiable.")
            headers["content-range"] = f"bytes {start}-{end}/{len(data)}"
            data, status = data[start : end + 1], 206
        if req.method == "HEAD":
            headers["content-length"] = str(len(data))
        return Response(status, data, headers, content_type=obj["contentType"])

    def delete_object(self, req: Request) -> Response:
        ns, bucket, name = req.params["ns"], req.params["bucket"], req.params["name"]
        objects = self._objects(ns, bucket)
        if name not in objects:
            raise _object_not_found(ns, bucket, name)
        old = objects.pop(name)
        now = now_rfc3339()
        if self._versioned(ns, bucket):  # the object becomes a previous version, behind a delete marker
            marker = {"name": name, "size": None, "md5": None, "etag": None, "timeCreated": now, "timeModified": now,
                      "storageTier": None, "archivalState": None, "_version": str(uuid.uuid4()),
                      "_deleteMarker": True}  # fmt: skip
            self.versions.setdefault((ns, bucket), []).extend([old, marker])
        return Response(204, None, {"last-modified": _http_date(now)})

    def list_object_versions(self, req: Request) -> Response:
        """ObjectVersionCollection: ``items`` (current and previous versions, delete markers; by name, newest
        first) and ``prefixes`` (``delimiter=/``), paged by ``opc-next-page``."""
        ns, bucket = req.params["ns"], req.params["bucket"]
        current = self._objects(ns, bucket)
        prefix = req.q("prefix") or ""
        start, start_after, end = req.q("start"), req.q("startAfter"), req.q("end")
        delimiter = req.q("delimiter")
        if delimiter not in (None, "/"):
            raise invalid_parameter("Only '/' is supported as a delimiter.")
        fields = req.q_list("fields")
        unknown = set(fields) - set(OBJECT_FIELDS)
        if unknown:
            raise invalid_parameter(f"Invalid fields: {', '.join(sorted(unknown))}.")
        every = [*current.values(), *self.versions.get((ns, bucket), [])]
        every.sort(key=lambda o: o["timeModified"], reverse=True)
        every.sort(key=lambda o: o["name"])  # stable: newest first within a name
        items: list[dict] = []
        prefixes: list[str] = []
        for obj in every:
            name = obj["name"]
            if not name.startswith(prefix):
                continue
            if (start and name < start) or (start_after and name <= start_after) or (end and name >= end):
                continue
            rest = name[len(prefix) :]
            if delimiter and delimiter in rest:
                folder = prefix + rest.split(delimiter, 1)[0] + delimiter
                if folder not in prefixes:
                    prefixes.append(folder)
                continue
            # name, timeModified, versionId and isDeleteMarker are required in ObjectVersionSummary: always sent.
            items.append({f: obj.get(f) for f in fields} | {"name": name, "timeModified": obj["timeModified"],
                         "versionId": obj["_version"], "isDeleteMarker": bool(obj.get("_deleteMarker"))})  # fmt: skip
        limit = req.q_int("limit", self.page_size)
        first = decode_page(req.q("page"))
        headers = {"opc-next-page": encode_page(first + limit)} if first + limit < len(items) else {}
        body: dict[str, Any] = {"items": items[first : first + limit], "prefixes": prefixes}
        return Response(200, body, headers)

    # ------------------------------------------------------------------ multipart
    def _upload(self, req: Request) -> dict:
        upload_id = req.require_q("uploadId")
        up = self.uploads.get(upload_id)
        p = req.params
        if up is None or (up["namespace"], up["bucket"], up["object"]) != (p["ns"], p["bucket"], p["name"]):
            raise OciError(404, "NoSuchUpload", f"The upload '{upload_id}' does not exist.")
        return up

    def create_multipart(self, req: Request) -> Response:
        ns, bucket = req.params["ns"], req.params["bucket"]
        self._objects(ns, bucket)
        body = req.json()
        if not body.get("object"):
            raise OciError(400, "MissingParameter", "object is required.")
        upload_id = str(uuid.uuid4())
        up = {"namespace": ns, "bucket": bucket, "object": body["object"], "uploadId": upload_id,
              "timeCreated": now_rfc3339(), "storageTier": body.get("storageTier") or "Standard",
              "contentType": body.get("contentType"), "metadata": body.get("metadata") or {}, "parts": {}}  # fmt: skip
        self.uploads[upload_id] = up
        public = {k: up[k] for k in ("namespace", "bucket", "object", "uploadId", "timeCreated", "storageTier")}
        return Response(200, public, {"location": f"/n/{ns}/b/{bucket}/u/{body['object']}?uploadId={upload_id}"})

    def list_multipart(self, req: Request) -> Response:
        ns, bucket = req.params["ns"], req.params["bucket"]
        self._objects(ns, bucket)
        items = [{k: u[k] for k in ("namespace", "bucket", "object", "uploadId", "timeCreated", "storageTier")}
                 for u in self.uploads.values() if (u["namespace"], u["bucket"]) == (ns, bucket)]  # fmt: skip
        return paginate(items, req, 1000)

    def upload_part(self, req: Request) -> Response:
        up = self._upload(req)
        num = req.q_int("uploadPartNum", None, lo=1, hi=10000)
        if num is None:
            raise OciError(400, "MissingParameter", "uploadPartNum is required.")
        md5 = base64.b64encode(hashlib.md5(req.body).digest()).decode()
        if req.header("content-md5") and req.header("content-md5") != md5:
            raise OciError(400, "UnmatchedContentMD5", "The computed MD5 does not match the Content-MD5 header.")
        etag = str(uuid.uuid4())
        up["parts"][num] = {"partNumber": num, "etag": etag, "md5": md5, "size": len(req.body), "_data": req.body}
        return Response(200, None, {"etag": etag, "opc-content-md5": md5})

    def list_parts(self, req: Request) -> Response:
        up = self._upload(req)
        items = [{k: v for k, v in part.items() if k != "_data"} for _, part in sorted(up["parts"].items())]
        return paginate(items, req, 1000)

    def commit_multipart(self, req: Request) -> Response:
        up = self._upload(req)
        body = req.json()
        parts = body.get("partsToCommit") or []
        if not parts:
            raise OciError(400, "MissingParameter", "partsToCommit is required.")
        chunks, digests = [], b""
        for item in sorted(parts, key=lambda x: x.get("partNum", 0)):
            part = up["parts"].get(item.get("partNum"))
            if part is None or part["etag"] != item.get("etag"):
                raise invalid_parameter(f"Part {item.get('partNum')} is missing or its etag does not match.")
            chunks.append(part["_data"])
            digests += hashlib.md5(part["_data"]).digest()
        obj = self.put(up["namespace"], up["bucket"], up["object"], b"".join(chunks),
                       content_type=up["contentType"], metadata=up["metadata"])  # fmt: skip
        del self.uploads[up["uploadId"]]
        multipart_md5 = f"{base64.b64encode(hashlib.md5(digests).digest()).decode()}-{len(chunks)}"
        obj["md5"] = None  # like the service: multipart objects have no plain MD5
        return Response(200, None, {"etag": obj["etag"], "opc-multipart-md5": multipart_md5,
                                    "last-modified": _http_date(obj["timeModified"])})  # fmt: skip

    def abort_multipart(self, req: Request) -> Response:
        up = self._upload(req)
        del self.uploads[up["uploadId"]]
        return Response(204, None)


def _http_date(rfc3339: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")), usegmt=True)
