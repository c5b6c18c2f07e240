import csv
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _

from refuge.accounts.access import capability_required
from refuge.accounts.roles import Capability
from refuge.reporting.charts import sections
from refuge.reporting.forms import DEFAULT_WEEKS, parse_request
from refuge.reporting.periods import Period, week_label
from refuge.reporting.selectors import View, dashboard, view_choices
from refuge.sites.models import Site
from refuge.sites.selectors import visible_sites

FIELD_LABELS = {
    "view": _("Show"),
    "from": _("From week"),
    "to": _("To week"),
    "period": _("Period"),
}


def _board(request, *, export: bool = False):
    today = timezone.localdate()
    errors = {}
    try:
        view, period = parse_request(request.GET, today)
    except ValidationError as error:
        errors = {str(FIELD_LABELS.get(f, f)): m for f, m in error.message_dict.items()}
        view, period = View("programme"), Period.weeks_ending(today, DEFAULT_WEEKS)
    try:
        board = dashboard(request.user, view=view, period=period, today=today, export=export)
    except Site.DoesNotExist:
        raise Http404 from None
    return board, errors


@capability_required(Capability.VIEW_OVERVIEW)
def dashboard_page(request):
    board, errors = _board(request)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "board": board,
            "sections": sections(board, rtl=get_language_bidi()),
            "errors": errors,
            "views": view_choices(request.user),
            "chosen": f"{board.view.level}:{board.view.key}" if board.view.key else "programme",
            "first_week": week_label(board.period.start),
            "last_week": week_label(board.period.weeks[-1]),
            "query": request.GET.urlencode(),
        },
        status=400 if errors else 200,
    )


@capability_required(Capability.VIEW_OVERVIEW)
def dashboard_csv(request):
    """The figures of the page, as shown there (withheld cells as "<5" or "*")."""
    board, errors = _board(request, export=True)
    if errors:
        return HttpResponse("; ".join(m for ms in errors.values() for m in ms), status=400)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="figures-{board.period.label}.csv"'
    writer = csv.writer(response)
    writer.writerow(["period", "as_of", "figure", "row", "place", "value"])
    for section in sections(board, rtl=False):
        for label, cells in [*section.rows, *section.footer]:
            for place, figure in zip(section.header, cells, strict=True):
                writer.writerow(
                    [board.period.label, board.as_of.isoformat(), section.key, label, place, figure]
                )
    return response


@capability_required(Capability.VIEW_OVERVIEW)
def hxl_export(request, extension: str):
    """The period's aggregates per site with HXL hashtags, as CSV or XLSX."""
    from refuge.reporting import hxl

    if extension not in ("csv", "xlsx"):
        raise Http404
    today = timezone.localdate()
    try:
        _view, period = parse_request(request.GET, today)
    except ValidationError as error:
        return HttpResponse(
            "; ".join(
                f"{FIELD_LABELS.get(f, f)}: {m}" for f, ms in error.message_dict.items() for m in ms
            ),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    columns, rows = hxl.export(request.user, period=period, today=today)
    if extension == "xlsx":
        response = HttpResponse(
            hxl.as_xlsx(columns, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(hxl.as_csv(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="refuge-hxl-{period.label}.{extension}"'
    )
    return response


def _sitrep_week(request, today):
    from refuge.reporting.periods import parse_week, week_start

    text = request.GET.get("week", "")
    if not text:
        # The week just ended: the one a Monday morning's report covers.
        return Period.of_weeks(
            week_start(today) - timedelta(weeks=1), week_start(today) - timedelta(weeks=1)
        )
    monday = parse_week(text, field="week")
    return Period.of_weeks(monday, monday)


@capability_required(Capability.VIEW_OVERVIEW)
def sitrep_page(request):
    from refuge.reporting.forms import SitrepForm
    from refuge.reporting.sitrep import sitrep_for, write_sitrep

    today = timezone.localdate()
    try:
        period = _sitrep_week(request, today)
    except ValidationError as error:
        return HttpResponse(
            "; ".join(m for ms in error.message_dict.values() for m in ms),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    sites = list(visible_sites(request.user))
    may_write = request.user.can(Capability.WRITE_REPORTS)
    form = None
    if may_write:
        form = SitrepForm(request.POST or None, sites=sites, week=period.start)
        if request.method == "POST" and form.is_valid():
            try:
                write_sitrep(week=period.start, by=request.user, **form.sitrep_words())
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, _("The situation report was saved."))
                return redirect(f"{request.path}?week={week_label(period.start)}")
    elif request.method == "POST":
        raise PermissionDenied
    content = sitrep_for(request.user, period=period, today=today)
    return render(
        request,
        "reporting/sitrep.html",
        {
            "content": content,
            "form": form,
            "week": week_label(period.start),
            "previous_week": week_label(period.start - timedelta(weeks=1)),
            "next_week": week_label(period.start + timedelta(weeks=1)),
            "sitrep_languages": settings.LANGUAGES,
        },
        status=400 if form is not None and form.errors else 200,
    )


@capability_required(Capability.VIEW_OVERVIEW)
def sitrep_document(request):
    from refuge.reporting.documents import sitrep_document

    today = timezone.localdate()
    try:
        period = _sitrep_week(request, today)
    except ValidationError as error:
        return HttpResponse(
            "; ".join(m for ms in error.message_dict.values() for m in ms), status=400
        )
    language = request.GET.get("lang", "")[:8]
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    pdf = sitrep_document(request.user, period=period, today=today, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="sitrep-{week_label(period.start)}-{language}.pdf"'
    )
    return response
