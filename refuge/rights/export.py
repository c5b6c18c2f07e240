"""A data subject's access request: everything held on one person, as JSON and as a PDF in
their language. Only the data protection officer produces it, and each export is audited."""

from __future__ import annotations

import io

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refuge.audit import services as audit
from refuge.audit.services import jsonable

SECTION_TITLES = {
    "person_id": gettext_lazy("Person number"),
    "household_phone": gettext_lazy("Contact phone"),
    "person": gettext_lazy("About you"),
    "origin": gettext_lazy("Place of origin"),
    "documents": gettext_lazy("Documents"),
    "needs": gettext_lazy("Specific needs"),
    "consents": gettext_lazy("Consents"),
    "stays": gettext_lazy("Stays"),
    "steps": gettext_lazy("Steps of your case"),
    "notes": gettext_lazy("Notes written about you"),
    "attachments": gettext_lazy("Attached documents"),
    "corrections": gettext_lazy("Corrections you asked for"),
    "field_submissions": gettext_lazy("Registrations made in the field"),
    "tracing_requests": gettext_lazy("Your tracing requests"),
    "tracing_matches": gettext_lazy("Tracing requests that may concern you"),
}

# Labels of the nested parts of the field and tracing copies, in the person's language.
PART_LABELS = {
    "household": gettext_lazy("Household"),
    "member": gettext_lazy("About you"),
    "other_members": gettext_lazy("Others in the household (relationship)"),
    "edits": gettext_lazy("Later versions of this registration"),
    "changes": gettext_lazy("What it changes (before, after)"),
    "sought": gettext_lazy("Relatives you are looking for"),
    "described_as": gettext_lazy("As the request describes the person sought"),
    "match": gettext_lazy("Possible match"),
    "answer": gettext_lazy("Your answer"),
    "reference": gettext_lazy("Reference"),
    "found_at": gettext_lazy("Found on"),
}

EXPORTING_ROLES = frozenset({"dpo"})


def _person_record(person) -> dict:
    from refuge.casework import encryption
    from refuge.casework.models import Attachment, Note, StepProgress
    from refuge.fielddata import selectors as fielddata
    from refuge.rights.models import Correction
    from refuge.sites.models import Stay
    from refuge.tracing import selectors as tracing

    traced = tracing.held_on_person(person_id=person.pk)
    fields = {
        f.name: getattr(person, f.attname)
        for f in person._meta.concrete_fields
        if f.name not in ("id", "household", "origin", "created_at", "updated_at")
    }
    return {
        "person_id": person.pk,
        "registration_number": person.household.registration_number,
        "household_phone": person.household.phone,
        "person": fields,
        "origin": str(person.origin) if person.origin_id else "",
        "documents": list(person.documents.values("doc_type", "number", "issuer", "expires_on")),
        "needs": list(person.needs.values("code", "recorded_on")),
        "consents": list(person.consents.values("scopes", "given_on", "withdrawn_on")),
        "stays": [
            {"site": stay.site.name, "from": stay.arrived_on, "to": stay.left_on}
            for stay in Stay.objects.filter(household=person.household).select_related("site")
        ],
        "steps": list(
            StepProgress.objects.filter(case__person=person).values(
                "step__code", "status", "outcome", "done_on", "evidence"
            )
        ),
        # The notes themselves: a subject's right of access covers what staff wrote about them.
        "notes": [
            {
                "domain": note.domain,
                "written_at": note.written_at,
                "text": encryption.decrypt(note.ciphertext).decode(),
            }
            for note in Note.objects.filter(person=person).order_by("written_at")
        ],
        "attachments": list(
            Attachment.objects.filter(person=person).values(
                "domain", "kind", "filename", "size", "uploaded_at"
            )
        ),
        "corrections": list(
            Correction.objects.filter(person=person).values("fields", "request", "made_at")
        ),
        # The copies the higher apps keep, read through their own selectors (as erasure reaches
        # them through their forget_person); the one export entry below audits the whole read.
        "field_submissions": fielddata.held_on_person(
            person_id=person.pk, household_id=person.household_id
        ),
        "tracing_requests": traced["as_inquirer"],
        "tracing_matches": traced["as_sought"],
    }


def subject_export(*, person, by) -> dict:
    """Everything held on `person`, ready for json.dumps."""
    if not by.is_active or getattr(by, "role", None) not in EXPORTING_ROLES:
        audit.record(actor=by, action=audit.Action.DENIED, target=person)
        raise PermissionDenied
    record = jsonable(_person_record(person))
    audit.record(actor=by, action=audit.Action.EXPORT, target=person, detail={"kind": "subject"})
    return record


def _field_label(name: str) -> str:
    from refuge.fielddata.models import FieldSubmission, SubmissionEdit
    from refuge.fielddata.selectors import form_field_labels
    from refuge.registry.models import Person
    from refuge.tracing.models import Answer, SoughtPerson, TracingRequest

    if name in PART_LABELS:
        return str(PART_LABELS[name])
    for model in (Person, SoughtPerson, TracingRequest, Answer, SubmissionEdit, FieldSubmission):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # not a field of this model: the next one's
            continue
    # The form's question, else its technical name.
    return str(form_field_labels().get(name, name))


def subject_export_pdf(record: dict, *, language: str) -> bytes:
    """The export as a PDF in the person's language (Arabic right to left)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from refuge.sites.documents import register_fonts, visual

    register_fonts()
    rtl = language == "ar"
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    y = height - 20 * mm

    def line(text: str, size: int = 10, bold: bool = False) -> None:
        nonlocal y
        if y < 20 * mm:
            canvas.showPage()
            y = height - 20 * mm
        canvas.setFont("Refuge-Bold" if bold else "Refuge", size)
        shown = visual(text[:140], rtl=rtl)
        if rtl:
            canvas.drawRightString(width - 15 * mm, y, shown)
        else:
            canvas.drawString(15 * mm, y, shown)
        y -= size * 0.5 * mm

    def emit(value, depth: int) -> None:
        """A value, a list or a dict (the field and tracing copies nest), one line each."""
        indent = "  " * depth
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                for key, inner in item.items():
                    if inner in ("", None, [], {}):
                        continue
                    nested = isinstance(inner, dict) or (
                        isinstance(inner, list) and any(isinstance(i, dict) for i in inner)
                    )
                    if nested:
                        line(f"{indent}{_field_label(key)}:")
                        emit(inner, depth + 1)
                    else:
                        line(f"{indent}{_field_label(key)}: {inner}")
            elif item not in ("", None):
                line(f"{indent}{item}")

    with translation.override(language):
        line(_("Everything Refuge holds about you"), 14, bold=True)
        line(_("Registration number: %(number)s") % {"number": record["registration_number"]})
        for section, value in record.items():
            if section in ("registration_number",):
                continue
            line(str(SECTION_TITLES.get(section, section)), 11, bold=True)
            emit(value, 1)
    canvas.save()
    return buffer.getvalue()
