"""OCI readiness: the dynamic groups and policy statements AQUA needs in a compartment (Oracle's AQUA setup,
seed 000 of the reference), filled with the user's names and OCIDs, as text and as Terraform; and the rules
that read the driver's probes (backends/oci/readiness.py) as ok / missing, each missing one with what fixes
it: the statements, the command that enables bucket versioning, or the service limit to raise.

The statements are one table (STATEMENTS); the checks another (PERMISSION_CHECKS), naming the probe that
proves each and the statements a failed probe means are missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..api.oci_setup import DynamicGroup, OciSetupReport, PolicyStatement, SetupCheck, SetupQuery
from ..backends.oci.readiness import OciReadiness, Probe
from ..errors import AquaError, InvalidInput, Unavailable
from .hcl import quote
from .targets import Targets

# Oracle's Data Science tenancy, whose service-managed models AQUA reads (the `Define tenancy` line).
DATASCIENCE_TENANCY = "ocid1.tenancy.oc1..aaaaaaaax5hdic7ya6r5rxsgpifff4l6xdxzltnrncdzp3m75ubbvzqqzn3q"

# Every statement of the setup, in seed 000's order: (key, policy, text). Placeholders: {admin_group},
# {dynamic_group}, {distributed_group}, {compartment} ("compartment <name>" or "compartment id <ocid>"),
# {bucket}. "admin": what whoever applies the setup (an ORM stack) needs; "aqua": AQUA's own policy.
STATEMENTS: tuple[tuple[str, Literal["admin", "aqua"], str], ...] = (
    ("admin-orm-stacks", "admin", "Allow group {admin_group} to manage orm-stacks in tenancy"),
    ("admin-orm-jobs", "admin", "Allow group {admin_group} to manage orm-jobs in tenancy"),
    ("admin-dynamic-groups", "admin", "Allow group {admin_group} to manage dynamic-groups in tenancy"),
    ("admin-policies", "admin", "Allow group {admin_group} to manage policies in tenancy"),
    ("admin-compartments", "admin", "Allow group {admin_group} to read compartments in tenancy"),
    ("define-datascience", "aqua", "Define tenancy datascience as " + DATASCIENCE_TENANCY),
    (
        "endorse-read-models",
        "aqua",
        "Endorse any-user to read data-science-models in tenancy datascience "
        "where ALL {{target.compartment.name='service-managed-models'}}",
    ),
    (
        "endorse-inspect-models",
        "aqua",
        "Endorse any-user to inspect data-science-models in tenancy datascience "
        "where ALL {{target.compartment.name='service-managed-models'}}",
    ),
    (
        "endorse-read-objects",
        "aqua",
        "Endorse any-user to read object in tenancy datascience "
        "where ALL {{target.compartment.name='service-managed-models', target.bucket.name='service-managed-models'}}",
    ),
    (
        "manage-model-deployments",
        "aqua",
        "Allow dynamic-group {dynamic_group} to manage data-science-model-deployments in {compartment}",
    ),
    ("manage-models", "aqua", "Allow dynamic-group {dynamic_group} to manage data-science-models in {compartment}"),
    ("use-logging", "aqua", "Allow dynamic-group {dynamic_group} to use logging-family in {compartment}"),
    ("manage-jobs", "aqua", "Allow dynamic-group {dynamic_group} to manage data-science-jobs in {compartment}"),
    ("manage-job-runs", "aqua", "Allow dynamic-group {dynamic_group} to manage data-science-job-runs in {compartment}"),
    ("use-network", "aqua", "Allow dynamic-group {dynamic_group} to use virtual-network-family in {compartment}"),
    (
        "read-resource-availability",
        "aqua",
        "Allow dynamic-group {dynamic_group} to read resource-availability in {compartment}",
    ),
    ("manage-projects", "aqua", "Allow dynamic-group {dynamic_group} to manage data-science-projects in {compartment}"),
    (
        "manage-notebook-sessions",
        "aqua",
        "Allow dynamic-group {dynamic_group} to manage data-science-notebook-sessions in {compartment}",
    ),
    (
        "manage-model-version-sets",
        "aqua",
        "Allow dynamic-group {dynamic_group} to manage data-science-modelversionsets in {compartment}",
    ),
    ("read-buckets", "aqua", "Allow dynamic-group {dynamic_group} to read buckets in {compartment}"),
    (
        "read-namespaces",
        "aqua",
        "Allow dynamic-group {dynamic_group} to read objectstorage-namespaces in {compartment}",
    ),
    ("inspect-compartments", "aqua", "Allow dynamic-group {dynamic_group} to inspect compartments in tenancy"),
    (
        "manage-bucket-objects",
        "aqua",
        "Allow dynamic-group {dynamic_group} to manage object-family in {compartment} "
        "where any {{target.bucket.name='{bucket}'}}",
    ),
    ("distributed-logging", "aqua", "Allow dynamic-group {distributed_group} to use logging-family in {compartment}"),
    (
        "distributed-models",
        "aqua",
        "Allow dynamic-group {distributed_group} to manage data-science-models in {compartment}",
    ),
    ("distributed-jobs", "aqua", "Allow dynamic-group {distributed_group} to read data-science-jobs in {compartment}"),
    (
        "distributed-objects",
        "aqua",
        "Allow dynamic-group {distributed_group} to manage objects in {compartment} "
        "where any {{target.bucket.name='{bucket}'}}",
    ),
    (
        "distributed-buckets",
        "aqua",
        "Allow dynamic-group {distributed_group} to read buckets in {compartment} "
        "where any {{target.bucket.name='{bucket}'}}",
    ),
)


@dataclass(frozen=True)
class PermissionCheck:
    key: str
    label: str
    probe: str  # the readiness probe that proves it (backends/oci/readiness.py)
    statements: tuple[str, ...]  # the statements a refused probe means are missing
    needs_bucket: bool = False


PERMISSION_CHECKS: tuple[PermissionCheck, ...] = (
    PermissionCheck("models", "List models in the compartment", "list-models", ("manage-models",)),
    PermissionCheck(
        "service-models",
        "Read AQUA's service-managed models",
        "list-service-models",
        ("define-datascience", "endorse-read-models", "endorse-inspect-models", "endorse-read-objects"),
    ),
    PermissionCheck("deployments", "List model deployments", "list-model-deployments", ("manage-model-deployments",)),
    PermissionCheck("jobs", "List jobs", "list-jobs", ("manage-jobs",)),
    PermissionCheck("job-runs", "List job runs", "list-job-runs", ("manage-job-runs",)),
    PermissionCheck("projects", "List projects", "list-projects", ("manage-projects",)),
    PermissionCheck(
        "model-version-sets", "List model version sets", "list-model-version-sets", ("manage-model-version-sets",)
    ),
    PermissionCheck("logging", "List log groups", "list-log-groups", ("use-logging",)),
    PermissionCheck("compartment", "Read the compartment", "get-compartment", ("inspect-compartments",)),
    PermissionCheck("namespace", "Read the Object Storage namespace", "get-namespace", ("read-namespaces",)),
    PermissionCheck("bucket", "Read the output bucket", "get-bucket", ("read-buckets",), needs_bucket=True),
    PermissionCheck(
        "bucket-objects",
        "List the output bucket's objects",
        "list-objects",
        ("manage-bucket-objects",),
        needs_bucket=True,
    ),
)

# Which check covers a refused call: (OCI service, a part of the SDK operation's name, check key); the first row
# that matches wins, so a more specific resource comes before the one its name contains ("job_run" before "job",
# "model_deployment" before "model"). An empty part matches every operation of the service.
REFUSED_CALL_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("datascience", "model_deployment", "deployments"),
    ("datascience", "model_version_set", "model-version-sets"),
    ("datascience", "job_run", "job-runs"),
    ("datascience", "job", "jobs"),
    ("datascience", "project", "projects"),
    ("datascience", "model", "models"),
    ("logging", "", "logging"),
    ("identity", "compartment", "compartment"),
    ("objectstorage", "namespace", "namespace"),
    ("objectstorage", "bucket", "bucket"),
    ("objectstorage", "", "bucket-objects"),
    ("limits", "", "resource-availability"),
)

# A call about Oracle's service-managed models (Data Science ListModels with category SERVICE) is granted by the
# Define / Endorse statements, not the compartment's own: (OCI service, the call's category, check key), looked up
# before REFUSED_CALL_CHECKS, whose "model" row would name the compartment's models check.
REFUSED_CATEGORY_CHECKS: tuple[tuple[str, str, str], ...] = (("datascience", "SERVICE", "service-models"),)

# OCI's answers to a caller that no statement allows (it never says which): a missing policy.
# The shape whose limit is read to check `read resource-availability` when the user names none (AQUA's default).
DEFAULT_LIMIT_SHAPE = "VM.GPU.A10.2"


@dataclass(frozen=True)
class Names:
    """What the statements are filled with."""

    compartment_id: str
    compartment_name: str | None
    bucket: str | None
    dynamic_group: str
    distributed_group: str
    admin_group: str

    @property
    def compartment(self) -> str:
        # A name is what seed 000 writes; the OCID form also holds for a nested compartment.
        return (
            f"compartment {self.compartment_name}" if self.compartment_name else f"compartment id {self.compartment_id}"
        )


def statements(names: Names) -> list[PolicyStatement]:
    fill = {
        "admin_group": names.admin_group,
        "dynamic_group": names.dynamic_group,
        "distributed_group": names.distributed_group,
        "compartment": names.compartment,
        "bucket": names.bucket or "<your-bucket-name>",
    }
    return [PolicyStatement(key=key, policy=policy, text=text.format(**fill)) for key, policy, text in STATEMENTS]


def dynamic_groups(names: Names) -> list[DynamicGroup]:
    def rule(*types: str) -> str:
        parts = ", ".join(
            f"all {{resource.type='{t}', resource.compartment.id='{names.compartment_id}'}}" for t in types
        )
        return f"any {{{parts}}}"

    return [
        DynamicGroup(
            name=names.dynamic_group,
            description="AI Quick Actions: notebook sessions, model deployments and job runs of the compartment",
            matching_rule=rule("datasciencenotebooksession", "datasciencemodeldeployment", "datasciencejobrun"),
        ),
        DynamicGroup(
            name=names.distributed_group,
            description="AI Quick Actions: distributed training job runs of the compartment",
            matching_rule=rule("datasciencejobrun"),
        ),
    ]


def terraform(names: Names, tenancy_id: str | None) -> str:
    """oci_identity_dynamic_group and oci_identity_policy resources, in the tenancy (the root compartment:
    dynamic groups live there, and Define / Endorse statements must)."""
    groups = dynamic_groups(names)
    by_policy: dict[str, list[str]] = {"aqua": [], "admin": []}
    for s in statements(names):
        by_policy[s.policy].append(s.text)
    lines = [
        "# AI Quick Actions: dynamic groups and policies (generated by `aqua-ext oci doctor --terraform`).",
        'variable "tenancy_ocid" {',
        *([f"  type    = string\n  default = {quote(tenancy_id)}"] if tenancy_id else ["  type = string"]),
        "}",
        "",
    ]
    for tf_name, group in zip(("aqua", "distributed_training"), groups, strict=True):
        lines += [
            f'resource "oci_identity_dynamic_group" "{tf_name}" {{',
            "  compartment_id = var.tenancy_ocid",
            f"  name           = {quote(group.name)}",
            f"  description    = {quote(group.description)}",
            f"  matching_rule  = {quote(group.matching_rule)}",
            "}",
            "",
        ]
    policies = (
        ("aqua", "aqua-policies", "What AI Quick Actions needs", "aqua"),
        ("aqua_admin", "aqua-admin-policies", "What applying the AI Quick Actions setup needs", "admin"),
    )
    for tf_name, name, description, policy in policies:
        lines += [
            f'resource "oci_identity_policy" "{tf_name}" {{',
            "  compartment_id = var.tenancy_ocid",
            f"  name           = {quote(name)}",
            f"  description    = {quote(description)}",
            "  statements = [",
            *(f"    {quote(text)}," for text in by_policy[policy]),
            "  ]",
            *(
                ["  depends_on = [oci_identity_dynamic_group.aqua, oci_identity_dynamic_group.distributed_training]"]
                if policy == "aqua"
                else []
            ),
            "}",
            "",
        ]
    return "\n".join(lines)


def setup_check_for(error: AquaError) -> str | None:
    """The key of the setup check that covers the call OCI refused in `error` (its reply's `setup_check`, so
    the UI can open the OCI setup view at it), or None when the error is no authorization refusal."""
    refused = error.refused
    if refused is None:
        return None
    by_category = (
        key
        for service, category, key in REFUSED_CATEGORY_CHECKS
        if service == refused.service and category == refused.category
    )
    by_operation = (
        key for service, part, key in REFUSED_CALL_CHECKS if service == refused.service and part in refused.operation
    )
    return next(by_category, None) or next(by_operation, None)


# ---- the checks ----------------------------------------------------------------


def _refused(probe: Probe) -> bool:
    # Which answer is a refusal is the OCI client's rule (a 403, or a read's 404 NotAuthorizedOrNotFound);
    # the probe carries its verdict, so the two can never disagree.
    return not probe.ok and probe.refused


def _permission(check: PermissionCheck, probe: Probe | None, text: dict[str, str]) -> SetupCheck:
    fix = [text[k] for k in check.statements]
    if probe is None:
        return SetupCheck(
            key=check.key, label=check.label, status="skipped", detail="name the output bucket to check it"
        )
    if probe.ok:
        return SetupCheck(key=check.key, label=check.label, status="ok", detail="allowed")
    if _refused(probe):
        return SetupCheck(
            key=check.key,
            label=check.label,
            status="missing",
            detail=f"OCI refused it ({probe.code}): the statement below is missing"
            # OCI answers a bucket no statement lets you read as it answers one that does not exist.
            + (", or the bucket does not exist" if probe.code == "BucketNotFound" else ""),
            fix_kind="statement",
            fix=fix,
        )
    return SetupCheck(
        key=check.key, label=check.label, status="unknown", detail=probe.message or f"OCI answered {probe.code}"
    )


def versioning_check(bucket: str | None, probe: Probe | None) -> SetupCheck:
    label = "Output bucket versioning (fine-tuning needs it)"
    if bucket is None or probe is None:
        return SetupCheck(
            key="bucket-versioning", label=label, status="skipped", detail="name the output bucket to check it"
        )
    if not probe.ok:
        return SetupCheck(
            key="bucket-versioning",
            label=label,
            status="unknown",
            detail=f"bucket '{bucket}' could not be read (see the bucket check)",
        )
    value = probe.value or {}
    if value.get("versioning") == "Enabled":
        return SetupCheck(key="bucket-versioning", label=label, status="ok", detail=f"bucket '{bucket}' is versioned")
    return SetupCheck(
        key="bucket-versioning",
        label=label,
        status="missing",
        detail=f"bucket '{bucket}' is not versioned (versioning {value.get('versioning') or 'Disabled'})",
        fix_kind="command",
        fix=[f"oci os bucket update --name {bucket} --namespace {value.get('namespace')} --versioning Enabled"],
    )


def limit_check(
    shape: str, limit: str | None, per_instance: int, probe: Probe | None, region: str | None
) -> SetupCheck:
    key, label = f"limit:{shape}", f"Service limit for {shape}"
    if limit is None or probe is None:
        return SetupCheck(
            key=key, label=label, status="unknown", detail="no Data Science GPU limit is known for this shape"
        )
    if not probe.ok:
        return SetupCheck(
            key=key,
            label=label,
            status="unknown",
            detail=f"limit '{limit}' could not be read ({probe.code or probe.message}); "
            "see the resource-availability check",
        )
    available = (probe.value or {}).get("available")
    where = f" in {region}" if region else ""
    if available is None:
        return SetupCheck(
            key=key, label=label, status="unknown", detail=f"OCI did not say how much of '{limit}' is left"
        )
    if available >= per_instance:
        return SetupCheck(
            key=key,
            label=label,
            status="ok",
            detail=f"{available} of '{limit}' available{where}; one {shape} takes {per_instance}",
        )
    return SetupCheck(
        key=key,
        label=label,
        status="missing",
        detail=f"{available} of '{limit}' available{where}; one {shape} takes {per_instance}",
        fix_kind="limit",
        fix=[
            f"Request a service limit increase: service Data Science, limit '{limit}'{where}, "
            f"to at least {per_instance}"
        ],
    )


def _resource_availability(probe: Probe | None, text: dict[str, str]) -> SetupCheck:
    check = PermissionCheck("resource-availability", "Read service limits", "limits", ("read-resource-availability",))
    if probe is None:
        return SetupCheck(key=check.key, label=check.label, status="unknown", detail="no GPU shape to read a limit of")
    return _permission(check, probe, text)


def _test_resource(probe: Probe | None, text: dict[str, str]) -> SetupCheck:
    check = PermissionCheck(
        "create-test-resource", "Create and delete a tagged project", "create-project", ("manage-projects",)
    )
    if probe is None:
        return SetupCheck(
            key=check.key, label=check.label, status="skipped", detail="opt in (--create-test-resource) to run it"
        )
    return _permission(check, probe, text)


def _shapes(value: str | None) -> list[str]:
    shapes = [s.strip() for s in (value or "").split(",") if s.strip()]
    for shape in shapes:
        if not shape.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise InvalidInput.field("shapes", f"'{shape}' is not a shape name (e.g. VM.GPU.A10.2)")
    return shapes


class OciSetup:
    """`GET oci/setup` and `aqua-ext oci doctor`."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    async def _driver(self) -> OciReadiness:
        if "oci" not in self.targets.names:
            raise InvalidInput.field(
                "target", "the OCI target is not enabled (set AquaExtension.oci_compartment_id or an OCI config file)"
            )
        driver = getattr(await self.targets.get("oci"), "setup", None)
        if not isinstance(driver, OciReadiness):
            raise Unavailable("The OCI target cannot check its setup.")
        return driver

    async def report(self, query: SetupQuery, *, create_test_resource: bool = False) -> OciSetupReport:
        """The statements filled in, and the checks. `create_test_resource` (the CLI's opt-in, never a GET)
        also creates and deletes a tagged Data Science project."""
        driver = await self._driver()
        compartment_id = query.compartment_id or driver.ctx.settings.compartment_id
        shapes = _shapes(query.shapes)
        probes = await driver.permissions(compartment_id, query.bucket)
        limits = await driver.limits(compartment_id, shapes or [DEFAULT_LIMIT_SHAPE])
        test = await driver.test_resource(compartment_id) if create_test_resource else None

        compartment = probes["get-compartment"]
        names = Names(
            compartment_id=compartment_id,
            compartment_name=query.compartment_name or (str(compartment.value) if compartment.ok else None),
            bucket=query.bucket,
            dynamic_group=query.dynamic_group,
            distributed_group=query.distributed_group,
            admin_group=query.admin_group,
        )
        listed = statements(names)
        text = {s.key: s.text for s in listed}
        checks = [
            _permission(c, None if c.needs_bucket and not query.bucket else probes.get(c.probe), text)
            for c in PERMISSION_CHECKS
        ]
        checks.append(_resource_availability(next((lp.probe for lp in limits if lp.probe), None), text))
        checks.append(versioning_check(query.bucket, probes.get("get-bucket")))
        region = driver.ctx.region
        if shapes:
            checks += [limit_check(lp.shape, lp.limit, lp.per_instance, lp.probe, region) for lp in limits]
        checks.append(_test_resource(test, text))
        tenancy = driver.tenancy_id
        return OciSetupReport(
            compartment_id=compartment_id,
            compartment_name=names.compartment_name,
            tenancy_id=tenancy,
            bucket=query.bucket,
            dynamic_groups=dynamic_groups(names),
            statements=listed,
            terraform=terraform(names, tenancy),
            checks=checks,
            checked_as=driver.auth_kind,
            ready=not any(c.status == "missing" for c in checks),
        )
