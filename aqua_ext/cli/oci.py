"""`aqua-ext oci doctor`: the dynamic groups and policy statements AQUA needs in the configured compartment
(copyable, or as a Terraform file), and which of them are missing, found with read-only calls."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..api.oci_setup import OciSetupReport, SetupCheck, SetupQuery
from .context import Context, add_command, add_group
from .output import emit

MARKS = {"ok": "✓", "missing": "✗", "unknown": "?", "skipped": "-"}


def add_parser(sub: Any) -> None:
    oci = add_group(sub, "oci", "OCI setup: the policies AI Quick Actions needs, and which are missing")
    doctor = add_command(oci, "doctor", "write out the dynamic groups and policies, and check each one")
    doctor.add_argument("--bucket", help="the output bucket (fine-tuning, evaluations): its access and versioning")
    doctor.add_argument(
        "--shape",
        action="append",
        default=[],
        metavar="SHAPE",
        help="a shape whose service limit to check (repeatable)",
    )
    doctor.add_argument("--compartment-name", help="written in the statements (default: read from OCI)")
    doctor.add_argument("--dynamic-group", default="aqua-dynamic-group")
    doctor.add_argument("--distributed-group", default="distributed_training_job_runs")
    doctor.add_argument("--admin-group", default="<your_admin_group>", help="the group that applies the setup")
    doctor.add_argument("--terraform", metavar="FILE", help="write the dynamic groups and policies as Terraform")
    doctor.add_argument(
        "--create-test-resource",
        action="store_true",
        help="also create and delete a tagged Data Science project (proves `manage data-science-projects`)",
    )


def _check_text(check: SetupCheck) -> str:
    line = f"  {MARKS[check.status]} {check.label}: {check.detail}"
    fixes = "".join(f"\n      {'$ ' if check.fix_kind == 'command' else ''}{fix}" for fix in check.fix)
    return line + (f"\n    fix ({check.fix_kind}):{fixes}" if fixes else "")


def report_text(report: OciSetupReport, terraform_file: str | None) -> str:
    where = report.compartment_name or report.compartment_id
    lines = [f"OCI setup for compartment {where} ({report.compartment_id}), checked as {report.checked_as}"]
    if report.checked_as != "resource_principal":
        # API-key and session-token users are checked through their own groups, not the dynamic group.
        lines.append("  (outside a notebook session the checks test your user's groups: grant them the same)")
    lines.append("")
    lines.append("Dynamic groups (in the tenancy):")
    lines += [f"  {g.name}\n    {g.matching_rule}" for g in report.dynamic_groups]
    for policy, title in (("admin", "Whoever applies the setup needs"), ("aqua", "Policy statements AQUA needs")):
        lines += ["", f"{title} (a policy in the tenancy):"]
        lines += [f"  {s.text}" for s in report.statements if s.policy == policy]
    lines += ["", "Checks:"]
    lines += [_check_text(c) for c in report.checks]
    missing = sum(c.status == "missing" for c in report.checks)
    lines += ["", "ready" if report.ready else f"{missing} missing: apply the fixes above"]
    if terraform_file:
        lines.append(f"Terraform written to {terraform_file}")
    return "\n".join(lines)


async def run(ctx: Context) -> int:
    args = ctx.args
    query = SetupQuery(
        bucket=args.bucket,
        shapes=",".join(args.shape) or None,
        compartment_name=args.compartment_name,
        dynamic_group=args.dynamic_group,
        distributed_group=args.distributed_group,
        admin_group=args.admin_group,
    )
    report = await ctx.services.oci_setup.report(query, create_test_resource=args.create_test_resource)
    if args.terraform:
        # A file write, off the event loop like every other file the CLI writes.
        await asyncio.to_thread(Path(args.terraform).write_text, report.terraform, encoding="utf-8")
    emit(args, report, report_text(report, args.terraform))
    return 0 if report.ready else 1
