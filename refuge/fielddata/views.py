"""Pages of field data: import runs and their reports, and the edits waiting for a decision.
Thin: parse, call the door (services, selectors), render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.fielddata import exports, selectors, services
from refuge.fielddata.forms import ExportForm
from refuge.fielddata.models import ImportRun, SubmissionEdit
from refuge.fielddata.xlsform import HOUSEHOLD_QUESTIONS, MEMBER_QUESTIONS

LABELS = {q.name: q.label for q in (*HOUSEHOLD_QUESTIONS, *MEMBER_QUESTIONS)}


@capability_required(Capability.IMPORT_FIELD_DATA)
def runs(request):
    return render(
        request,
        "fielddata/runs.html",
        {
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
    changes = found.changes
    rows = [(None, LABELS.get(n, n), *v) for n, v in changes["household"].items()]
    for member in changes["members"]:
        rows += [(member["index"] + 1, LABELS.get(n, n), *v) for n, v in member["fields"].items()]
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
            name = f"{site.code}-{layout}.{fmt}"
            if fmt == "csv":
                response = StreamingHttpResponse(
                    exports.csv_chunks(found), content_type="text/csv; charset=utf-8"
                )
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
            return FileResponse(
                exports.xlsx_file(found),
                as_attachment=True,
                filename=name,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
    return render(request, "fielddata/export.html", {"form": form})
