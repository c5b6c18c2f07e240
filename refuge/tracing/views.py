"""Pages of family tracing: thin, every read and change through selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.identity.explain import explain_all
from refuge.reporting.disclosure import disclose
from refuge.sites.selectors import visible_sites
from refuge.tracing import selectors, services
from refuge.tracing.forms import (
    AnswerForm,
    CloseForm,
    DeceasedForm,
    InquirerForm,
    NoteForm,
    ReviewForm,
    SoughtForm,
    TakeOverForm,
)
from refuge.tracing.models import Candidate, SoughtPerson, TracingRequest

COUNT_ROWS = (
    ("open", gettext_lazy("Being traced")),
    ("found", gettext_lazy("Found")),
    ("found_deceased", gettext_lazy("Found deceased")),
    ("no_information", gettext_lazy("No information can be given")),
    ("withdrawn", gettext_lazy("Withdrawn")),
)


def _apply_errors(forms, error: ValidationError) -> None:
    """Put a service's errors on the form holding the field it names (prefixed or not)."""
    for name, problems in error.message_dict.items():
        for problem in problems:
            for form in forms:
                field = name.removeprefix(f"{form.prefix}-") if form.prefix else name
                if field in form.fields:
                    form.add_error(field, problem)
                    break
            else:
                forms[0].add_error(None, problem)


@capability_required(Capability.TRACE)
def worklist(request):
    mine = request.GET.get("mine") == "1"
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.worklist(request.user, today=timezone.localdate(), mine=mine, overdue=overdue)
    return render(
        request,
        "tracing/worklist.html",
        {"rows": rows, "mine": mine, "overdue": overdue, "today": timezone.localdate()},
    )


@capability_required(Capability.TRACE)
@require_http_methods(["GET", "POST"])
def new_request(request):
    sites = list(visible_sites(request.user))
    inquirer = InquirerForm(request.POST or None)
    sought = SoughtForm(request.POST or None, prefix="sought-0")
    site_id = request.POST.get("site") or (sites[0].pk if sites else "")
    if request.method == "POST" and inquirer.is_valid() and sought.is_valid():
        site = next((s for s in sites if str(s.pk) == str(site_id)), None)
        if site is None:
            inquirer.add_error(None, _("Choose one of your sites."))
        else:
            try:
                made = services.open_request(
                    site=site, inquirer=inquirer.inquirer(), sought=[sought.sought()],
                    by=request.user,
                )  # fmt: skip
            except ValidationError as error:
                _apply_errors([inquirer, sought], error)
            else:
                messages.success(request, _("Tracing request %(ref)s opened.") % {
                    "ref": made.reference})  # fmt: skip
                return redirect("tracing:request", made.pk)
    return render(
        request,
        "tracing/new_request.html",
        {"inquirer": inquirer, "sought": sought, "sites": sites, "site_id": str(site_id)},
    )


def _request_view(request, pk):
    return visible_or_404(request, TracingRequest, selectors.request_detail, pk)


@capability_required(Capability.TRACE)
def request_page(request, pk):
    view = _request_view(request, pk)
    return render(
        request,
        "tracing/request.html",
        {
            "view": view,
            "sought_form": SoughtForm(prefix="sought-0"),
            "close_form": CloseForm(),
            "note_form": NoteForm(),
            "take_over_form": TakeOverForm(initial={"due_on": view.request.due_on}),
            "today": timezone.localdate(),
        },
    )


def _inquirer_side(request, pk) -> TracingRequest:
    return visible_or_404(request, TracingRequest, selectors.request_for, pk)


@capability_required(Capability.TRACE)
@require_POST
def add_sought(request, pk):
    tracing_request = _inquirer_side(request, pk)
    form = SoughtForm(request.POST, prefix="sought-0")
    if form.is_valid():
        try:
            services.add_sought(request=tracing_request, data=form.sought(), by=request.user)
            return redirect("tracing:request", pk)
        except ValidationError as error:
            _apply_errors([form], error)
    view = selectors.request_detail(request.user, pk)
    return render(
        request,
        "tracing/request.html",
        {"view": view, "sought_form": form, "close_form": CloseForm(), "note_form": NoteForm(),
         "take_over_form": TakeOverForm(), "today": timezone.localdate()},
        status=400,
    )  # fmt: skip


def _candidate(request, pk, purpose="review") -> Candidate:
    return visible_or_404(request, Candidate, selectors.candidate_for, pk, purpose=purpose)


@capability_required(Capability.TRACE)
@require_http_methods(["GET", "POST"])
def candidate(request, pk):
    """The side-by-side: the inquirer's description against the registration, with the
    engine's reasons; confirm or dismiss."""
    found = _candidate(request, pk, purpose="review" if request.method == "GET" else None)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_candidate(
                candidate=found, confirm=form.cleaned_data["decision"] == "confirm",
                by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if form.cleaned_data["decision"] == "confirm":
            return redirect("tracing:consent", pk)
        return redirect("tracing:request", found.sought.request_id)
    return render(
        request,
        "tracing/candidate.html",
        {"candidate": found, "sought": found.sought, "reasons": explain_all(found.reasons),
         "form": form},
    )  # fmt: skip


@capability_required(Capability.TRACE)
@require_http_methods(["GET", "POST"])
def consent(request, pk):
    """The consent step: the sought person's answer, or news of their death."""
    found = _candidate(request, pk, purpose="consent" if request.method == "GET" else None)
    answer = AnswerForm(
        request.POST if request.POST.get("step") == "answer" else None,
        initial={"spoke_on": timezone.localdate()},
    )
    deceased = DeceasedForm(request.POST if request.POST.get("step") == "deceased" else None)
    if request.method == "POST":
        try:
            if request.POST.get("step") == "answer" and answer.is_valid():
                d = answer.cleaned_data
                services.record_answer(
                    candidate=found, agreed=d["agreed"] == "yes", shares=d["shares"],
                    spoke_on=d["spoke_on"], with_whom=d["with_whom"], by=request.user,
                )  # fmt: skip
                return redirect("tracing:request", found.sought.request_id)
            if request.POST.get("step") == "deceased" and deceased.is_valid():
                services.record_deceased(candidate=found, by=request.user, **deceased.cleaned_data)
                return redirect("tracing:request", found.sought.request_id)
        except ValidationError as error:
            _apply_errors([answer if request.POST.get("step") == "answer" else deceased], error)
    is_child = services._is_child(found, timezone.localdate())
    return render(
        request,
        "tracing/consent.html",
        {"candidate": found, "sought": found.sought, "answer": answer, "deceased": deceased,
         "is_child": is_child},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@capability_required(Capability.TRACE)
@require_POST
def close(request, pk):
    sought = visible_or_404(request, SoughtPerson, selectors.sought_for, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_trace(sought=sought, outcome=form.cleaned_data["outcome"],
                                 by=request.user)  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose how to close the trace."))
    return redirect("tracing:request", sought.request_id)


@capability_required(Capability.TRACE)
@require_POST
def add_note(request, pk):
    tracing_request = _inquirer_side(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.add_note(request=tracing_request, text=form.cleaned_data["text"],
                          by=request.user)  # fmt: skip
    else:
        messages.error(request, " ".join(e for es in form.errors.values() for e in es))
    return redirect("tracing:request", pk)


@capability_required(Capability.TRACE)
@require_POST
def take_over(request, pk):
    tracing_request = _inquirer_side(request, pk)
    form = TakeOverForm(request.POST)
    if form.is_valid():
        try:
            services.take_over(request=tracing_request, due_on=form.cleaned_data["due_on"],
                               by=request.user)  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("tracing:request", pk)


@capability_required(Capability.TRACE)
def told(request, pk):
    """What the inquirer may be told: the outcome page the inquirer's officer reads from."""
    tracing_request, answers = visible_or_404(
        request, TracingRequest, selectors.inquirer_answer, pk
    )
    return render(request, "tracing/told.html", {"request_": tracing_request, "answers": answers})


@capability_required(Capability.VIEW_OVERVIEW)
def counts(request):
    raw = selectors.tracing_counts(request.user)
    table = disclose([{"traces": raw[key]} for key, _label in COUNT_ROWS], counts=("traces",))
    rows = [(label, row["traces"]) for (_key, label), row in zip(COUNT_ROWS, table.rows,
                                                                  strict=True)]  # fmt: skip
    return render(request, "tracing/counts.html", {"rows": rows, "total": table.total["traces"]})
