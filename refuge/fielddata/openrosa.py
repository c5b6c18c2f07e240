"""ODK Collect straight to Refuge: devices with their own credentials, the form list, the
form itself, and submissions (OpenRosa 1.0).

A submission is the same household as an imported one and lands through the same door
(services.import_submission). ODK's rule for idempotency: the same instanceID with the same
content is a duplicate, accepted with nothing changed; with different content it is a conflict.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from defusedxml import ElementTree
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.fielddata import services
from refuge.fielddata.models import Device, FieldSubmission, ImportFormat
from refuge.fielddata.readers import SubmittedHousehold, SubmittedMember, content_hash
from refuge.fielddata.xlsform import (
    FORM_ID,
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_GROUP,
    MEMBER_FIELDS,
    MEMBERS_REPEAT,
    SHIPPED_PATH,
)

# A household's XML is a few kilobytes; photos are not part of this form.
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024
MAX_XML_BYTES = 1024 * 1024


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_device(*, site, name: str, by) -> tuple[Device, str]:
    """Credentials for one phone at one site; returns the device and its secret (shown once)."""
    require(by, Capability.IMPORT_FIELD_DATA, site.pk)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": _("Give the device a name of at most 80 characters.")})
    secret = secrets.token_urlsafe(24)
    device = Device.objects.create(
        name=name,
        site=site,
        issued_by=by,
        username=f"odk-{secrets.token_hex(6)}",
        digest=_digest(secret),
    )
    audit.record(actor=by, action=audit.Action.CREATE, target=device, detail={"site": site.pk})
    return device, secret


@transaction.atomic
def revoke_device(*, device: Device, by) -> Device:
    require(by, Capability.IMPORT_FIELD_DATA, device.site_id)
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])
    audit.record(actor=by, action=audit.Action.CHANGE, target=device, detail={"revoked": True})
    return device


def authenticate(username: str, secret: str) -> Device | None:
    device = (
        Device.objects.select_related("site", "issued_by")
        .filter(username=username, revoked_at__isnull=True, issued_by__is_active=True)
        .first()
    )
    if device is None or not hmac.compare_digest(device.digest, _digest(secret)):
        return None
    return device


@lru_cache(maxsize=1)
def xform() -> str:
    """The shipped XLSForm as the XForm phones download (converted once per process)."""
    from pyxform.xls2xform import convert

    return convert(xlsform=str(SHIPPED_PATH)).xform


def form_hash() -> str:
    return "md5:" + hashlib.md5(xform().encode(), usedforsecurity=False).hexdigest()


class BadSubmission(ValueError):
    """Not a submission of this form."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_submission(xml: bytes) -> SubmittedHousehold:
    """The household an ODK Collect submission carries."""
    if len(xml) > MAX_XML_BYTES:
        raise BadSubmission(_("The file is too large."))
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        raise BadSubmission(_("The submission is not well-formed XML.")) from error
    if root.get("id") != FORM_ID:
        raise BadSubmission(_("This is not a submission of the household registration form."))
    household: dict[str, str] = {}
    members: list[SubmittedMember] = []
    key = ""
    for child in root:
        tag = _local(child.tag)
        if tag == HOUSEHOLD_GROUP:
            household = {n: "" for n in HOUSEHOLD_FIELDS}
            for field in child:
                if _local(field.tag) in HOUSEHOLD_FIELDS:
                    household[_local(field.tag)] = (field.text or "").strip()
        elif tag == MEMBERS_REPEAT:
            values = {n: "" for n in MEMBER_FIELDS}
            for field in child.iter():
                if _local(field.tag) in MEMBER_FIELDS:
                    values[_local(field.tag)] = (field.text or "").strip()
            members.append(SubmittedMember(MEMBERS_REPEAT, len(members) + 1, values))
        elif tag == "meta":
            for field in child:
                if _local(field.tag) == "instanceID":
                    key = (field.text or "").strip().removeprefix("uuid:")
    if not key:
        raise BadSubmission(_("The submission has no instance ID."))
    return SubmittedHousehold(
        key=key[:100],
        sheet=FORM_ID,
        row=1,
        values=household or {n: "" for n in HOUSEHOLD_FIELDS},
        members=members,
    )


@dataclass(frozen=True)
class Received:
    """How a submission was taken: landed (201), a duplicate (202), a conflict (409), or
    refused with the problems found (400)."""

    status: int
    problems: list[str]


def receive(*, device: Device, xml: bytes) -> Received:
    """Take one submission from a device, through the same door as an import."""
    submitted = parse_submission(xml)
    existing = FieldSubmission.objects.filter(instance_id=submitted.key).first()
    if existing is not None:
        if existing.content_hash == content_hash(submitted.content()):
            return Received(202, [])
        return Received(409, [_("A different submission with this instance ID was received.")])
    try:
        run = services.start_run(
            site=device.site,
            by=device.issued_by,
            file_name=f"{device.username}:{submitted.key}",
            fmt=ImportFormat.OPENROSA,
        )
    except PermissionDenied:
        return Received(403, [_("You may not register households at this site.")])
    outcome = services.run_import(run, [submitted])
    if outcome.landed:
        return Received(201, [])
    if outcome.unchanged:
        return Received(202, [])  # the same submission landed a moment ago, from a retry
    return Received(400, [f"{p.field}: {p.message}" for p in outcome.problems.all()])
