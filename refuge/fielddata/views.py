"""Pages of field data: import runs and their reports, and the edits waiting for a decision.
Thin: parse, call the door (services, selectors), render."""

import base64
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.fielddata import exports, openrosa, selectors, services, xlsform
from refuge.fielddata.forms import ExportForm, UploadForm
from refuge.fielddata.models import ImportRun, SubmissionEdit
from refuge.fielddata.readers import upload_format
from refuge.fielddata.xlsform import LABELS, answer_label


@capability_required(Capability.IMPORT_FIELD_DATA)
@require_http_methods(["GET", "POST"])
def runs(request):
    form = UploadForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            queued = services.queue_upload(
                site=form.cleaned_data["site"],
                by=request.user,
                file_name=Path(upload.name).name,
                data=data,
                fmt=upload_format(upload.name, data[:4096]),
                default_consent=form.cleaned_data["consent"],
            )
        except PermissionDenied:
            form.add_error("site", _("You may not register households at this site."))
        else:
            return redirect("fielddata:run", pk=queued.pk)
    return render(
        request,
        "fielddata/runs.html",
        {
            "form": form,
            "runs": selectors.runs_for(request.user)[:50],
            "edits": selectors.pending_edits(request.user).count(),
        },
    )


@capability_required(Capability.IMPORT_FIELD_DATA)
def run(request, pk):
    found = visible_or_404(request, ImportRun, selectors.run_for, pk)
    template = "fielddata/_progress.html" if request.htmx else "fielddata/run.html"
    return render(request, template, {"run": found, "problems": found.problems.all()[:200]})


@capability_required(Capability.IMPORT_FIELD_DATA)
def report(request, pk):
    found = visible_or_404(request, ImportRun, selectors.run_for, pk)
    response = StreamingHttpResponse(
        selectors.report_csv(found), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{found.pk}-report.csv"'
    return response


@capability_required(Capability.IMPORT_FIELD_DATA)
def edits(request):
    return render(
        request, "fielddata/edits.html", {"edits": selectors.pending_edits(request.user)[:100]}
    )


@capability_required(Capability.IMPORT_FIELD_DATA)
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    found = visible_or_404(request, SubmissionEdit, selectors.edit_for, pk)
    if request.method == "POST":
        decide = {"accept": services.accept_edit, "reject": services.reject_edit}.get(
            request.POST.get("decision", "")
        )
        if decide is None:
            messages.error(request, _("Choose to accept or reject the edit."))
        else:
            try:
                decide(edit=found, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("fielddata:edits")
    # Recomputed against the submission as it is now: the diff shown is what accepting applies.
    changes = services.edit_changes(found)
    fields = [(None, name, values) for name, values in changes["household"].items()]
    for member in changes["members"]:
        fields += [(member["name"], name, values) for name, values in member["fields"].items()]
    rows = [
        (who, LABELS.get(name, name), *(answer_label(name, value) for value in values))
        for who, name, values in fields
    ]
    return render(request, "fielddata/edit.html", {"edit": found, "changes": changes, "rows": rows})


@capability_required(Capability.EXPORT_PEOPLE)
@require_http_methods(["GET", "POST"])
def export(request):
    form = ExportForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        site, layout, fmt = (form.cleaned_data[k] for k in ("site", "layout", "format"))
        try:
            found = exports.export_people(user=request.user, site=site, layout=layout, fmt=fmt)
        except exports.ExportRefused:
            form.add_error("format", _("This layout is not offered in this format."))
        else:
            return export_response(found, site=site, layout=layout, fmt=fmt)
    return render(request, "fielddata/export.html", {"form": form})


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(found, *, site, layout: str, fmt: str):
    """An export as the download the export page and the API both give: CSV streamed row by
    row, XLSX from the workbook written to a temporary file."""
    name = f"{site.code}-{layout}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(found), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        exports.xlsx_file(found), as_attachment=True, filename=name, content_type=XLSX_TYPE
    )


# OpenRosa: ODK Collect signs in with the device's own credentials (HTTP Basic, over HTTPS),
# never with a staff session, so these views take no cookies and need no CSRF token.

OPENROSA_HEADERS = {
    "X-OpenRosa-Version": "1.0",
    "X-OpenRosa-Accept-Content-Length": str(openrosa.MAX_SUBMISSION_BYTES),
}


def _openrosa(response):
    for name, value in OPENROSA_HEADERS.items():
        response[name] = value
    return response


def _device(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _colon, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return openrosa.authenticate(username[:40], secret[:100])


def _challenge():
    response = HttpResponse(status=401)
    response["WWW-Authenticate"] = 'Basic realm="Refuge"'
    return _openrosa(response)


def _message(text: str, status: int):
    body = render_to_string("fielddata/openrosa_response.xml", {"text": text})
    return _openrosa(HttpResponse(body, status=status, content_type="text/xml; charset=utf-8"))


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def form_list(request):
    if _device(request) is None:
        return _challenge()
    body = render_to_string(
        "fielddata/formlist.xml",
        {
            "form_id": openrosa.FORM_ID,
            "name": xlsform.form_sheets()["settings"][1][0],
            "version": xlsform.FORM_VERSION,
            "hash": openrosa.form_hash(),
            "url": request.build_absolute_uri(reverse("openrosa:form")),
        },
    )
    return _openrosa(HttpResponse(body, content_type="text/xml; charset=utf-8"))


@csrf_exempt
@require_http_methods(["GET"])
def form_xml(request):
    if _device(request) is None:
        return _challenge()
    return _openrosa(HttpResponse(openrosa.xform(), content_type="text/xml; charset=utf-8"))


@csrf_exempt
@require_http_methods(["HEAD", "POST"])
def submission(request):
    device = _device(request)
    if device is None:
        return _challenge()
    if request.method == "HEAD":
        return _openrosa(HttpResponse(status=204))
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message(_("Send the form as xml_submission_file."), 400)
    try:
        received = openrosa.receive(device=device, xml=upload.read(openrosa.MAX_XML_BYTES + 1))
    except openrosa.BadSubmission as error:
        return _message(str(error), 400)
    texts = {
        201: _("Registered."),
        202: _("Already received: nothing changed."),
    }
    return _message(texts.get(received.status) or " ".join(received.problems), received.status)
