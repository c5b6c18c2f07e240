import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.casework import selectors, services
from refuge.casework.forms import (
    AttachmentForm,
    BulkChooseForm,
    BulkUpdateForm,
    NoteForm,
    ReferralForm,
    ReferralStatusForm,
    StepForm,
    WorklistForm,
    ticked_rows,
)
from refuge.casework.models import Attachment, Referral, StepProgress
from refuge.casework.pathways import (
    current_pathway,
    load_pathway,
    parse_definition,
    pathway_definition,
)
from refuge.params import record_id
from refuge.registry import selectors as registry
from refuge.registry.models import Household, Person
from refuge.reporting.selectors import bottleneck_figures
from refuge.sites.selectors import visible_sites


def _person(request, pk, purpose: str | None = None) -> Person:
    return visible_or_404(request, Person, registry.person_detail, pk, purpose=purpose)


def _progress(user, pk) -> StepProgress:
    return selectors.step_for(user, pk, purpose=None)


def _problems(form) -> str:
    return " ".join(
        f"{form[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
        for f, e in form.errors.items()
    )


def _apply_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@capability_required(Capability.VIEW_CASES)
def person_case(request, pk):
    person = _person(request, pk, purpose="case")
    domains = request.user.note_domains
    can_edit = request.user.can(Capability.EDIT_CASES)
    cases = selectors.person_cases(person, request.user)
    steps = [progress for case in cases for progress in case.steps.all()]
    return render(
        request,
        "casework/person_case.html",
        {
            "person": person,
            "cases": cases,
            "notes": services.read_notes(person=person, by=request.user),
            "attachments": services.visible_attachments(person=person, by=request.user),
            "referrals": selectors.referrals_of(person),
            "note_form": NoteForm(domains=domains, steps=steps) if can_edit and domains else None,
            "attachment_form": AttachmentForm(domains=domains) if can_edit and domains else None,
            "referral_form": ReferralForm() if can_edit else None,
            "referral_status_form": ReferralStatusForm(),
            "today": timezone.localdate(),
        },
    )


@capability_required(Capability.VIEW_CASES)
def household_case(request, pk):
    household = visible_or_404(
        request, Household, registry.household_detail, pk, purpose="household case"
    )
    steps, rows = selectors.household_matrix(household)
    return render(
        request,
        "casework/household_case.html",
        {"household": household, "steps": steps, "rows": rows},
    )


@capability_required(Capability.EDIT_CASES)
@require_http_methods(["GET", "POST"])
def step_edit(request, pk):
    progress = visible_or_404(request, StepProgress, services.editable_step, pk)
    form = StepForm(request.POST or None, progress=progress)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_step(
                progress_id=progress.pk,
                version=form.cleaned_data["version"],
                update=form.to_update(),
                by=request.user,
            )
        except services.StepConflict as conflict:
            form = StepForm(progress=_progress(request.user, pk))
            form.conflict = str(conflict)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            progress = _progress(request.user, pk)
            if request.htmx:
                return render(
                    request,
                    "casework/_step.html",
                    {"progress": progress, "today": timezone.localdate(), "saved": True},
                )
            messages.success(request, _("Step saved."))
            return redirect("casework:person", pk=progress.case.person_id)
    template = "casework/_step_form.html" if request.htmx else "casework/step_edit.html"
    return render(request, template, {"form": form, "progress": progress})


@capability_required(Capability.VIEW_CASES)
def step_row(request, pk):
    """htmx: the step as it reads, after a cancelled edit."""
    progress = visible_or_404(request, StepProgress, selectors.step_for, pk)
    return render(
        request, "casework/_step.html", {"progress": progress, "today": timezone.localdate()}
    )


@capability_required(Capability.EDIT_CASES)
@require_POST
def add_note(request, pk):
    person = _person(request, pk)
    steps = {
        progress.pk: progress
        for progress in StepProgress.objects.filter(case__person=person).select_related(
            "step", "case"
        )
    }
    form = NoteForm(request.POST, domains=request.user.note_domains, steps=steps.values())
    if not request.user.note_domains:
        raise PermissionDenied
    if form.is_valid():
        try:
            services.add_note(
                person=person,
                domain=form.cleaned_data["domain"],
                text=form.cleaned_data["text"],
                step=steps.get(form.cleaned_data["step"]),
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Note saved."))
    else:
        messages.error(
            request,
            _("The note was not saved: %(problems)s") % {"problems": _problems(form)},
        )
    return redirect("casework:person", pk=person.pk)


@capability_required(Capability.EDIT_CASES)
@require_POST
def add_attachment(request, pk):
    person = _person(request, pk)
    if not request.user.note_domains:
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES, domains=request.user.note_domains)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_attachment(
                person=person,
                domain=form.cleaned_data["domain"],
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                content=upload.read(),
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Document attached."))
    else:
        messages.error(
            request,
            _("The document was not attached: %(problems)s") % {"problems": _problems(form)},
        )
    return redirect("casework:person", pk=person.pk)


def _attachment(user, pk) -> Attachment:
    return Attachment.objects.filter(person__in=Person.objects.visible_to(user)).get(pk=pk)


@capability_required(Capability.VIEW_CASES)
def attachment(request, pk):
    """Attachments leave only through here: site, then domain, then an audit entry."""
    visible_or_404(request, Attachment, _attachment, pk)
    found, content = services.open_attachment(attachment_id=pk, by=request.user)
    response = HttpResponse(content, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.pk}-{found.kind}"'
    return response


@capability_required(Capability.EDIT_CASES)
@require_POST
def add_referral(request, pk):
    person = _person(request, pk)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            services.refer(person=person, partner=form.cleaned_data["partner"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Referral recorded."))
    else:
        messages.error(request, _("Choose a partner organisation."))
    return redirect("casework:person", pk=person.pk)


@capability_required(Capability.EDIT_CASES)
@require_POST
def referral_status(request, pk):
    referral = get_object_or_404(
        Referral.objects.filter(person__in=Person.objects.visible_to(request.user)), pk=pk
    )
    form = ReferralStatusForm(request.POST)
    if form.is_valid():
        services.set_referral_status(
            referral=referral, status=form.cleaned_data["status"], by=request.user
        )
        messages.success(request, _("Referral updated."))
    else:
        messages.error(request, _problems(form))
    return redirect("casework:person", pk=referral.person_id)


@capability_required(Capability.VIEW_CASES)
def worklist(request):
    sites = visible_sites(request.user)
    steps = selectors.step_choices()
    form = WorklistForm(request.GET or None, sites=sites, steps=steps)
    filters = form.cleaned_data if form.is_valid() else {}
    kind = filters.get("list") or selectors.Worklist.OVERDUE
    today = timezone.localdate()
    page = selectors.worklist_page(
        request.user,
        kind,
        number=selectors.page_number(request.GET.get("page")),
        today=today,
        site=filters.get("site"),
        step_code=filters.get("step") or "",
        days=filters.get("days")
        if filters.get("days") is not None
        else selectors.WAITING_DAYS_DEFAULT,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/worklist.html",
        {"form": form, "kind": kind, "page": page, "today": today, "query": query.urlencode()},
    )


@capability_required(Capability.VIEW_CASES)
def bottlenecks(request):
    sites = visible_sites(request.user)
    site = (
        sites.filter(pk=record_id(request.GET.get("site"))).first()
        if record_id(request.GET.get("site")) is not None
        else None
    )
    rows = bottleneck_figures(request.user, site=site, today=timezone.localdate())
    loads = [load for load, _figures in rows]
    widest = max((load.people for load in loads), default=0)
    longest = max((load.p90_days for load in loads), default=0)
    return render(
        request,
        "casework/bottlenecks.html",
        {"sites": sites, "site": site, "rows": rows, "widest": widest, "longest": longest},
    )


@capability_required(Capability.EDIT_CASES)
@require_http_methods(["GET", "POST"])
def bulk(request):
    sites = visible_sites(request.user)
    steps = selectors.step_choices()
    data = request.POST if request.method == "POST" else request.GET
    choose = BulkChooseForm(data or None, sites=sites, steps=steps)
    if not choose.is_valid():
        return render(request, "casework/bulk.html", {"choose": choose})
    site, step_code = choose.cleaned_data["site"], choose.cleaned_data["step"]
    step = current_pathway().steps.get(code=step_code)
    update_form = BulkUpdateForm(request.POST or None, step=step)
    candidates = selectors.bulk_candidates(request.user, site=site, step_code=step_code)
    rows = ticked_rows(request.POST.getlist("rows"))
    problems = []
    if request.method == "POST" and update_form.is_valid():
        if not rows:
            problems = [_("Tick the people this update is for.")]
        else:
            try:
                count = services.bulk_update_step(
                    rows=rows, update=update_form.to_update(), by=request.user
                )
            except services.BulkUpdateRefused as refused:
                problems = refused.messages
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(step)s updated for %(count)d person.",
                        "%(step)s updated for %(count)d people.",
                        count,
                    )
                    % {"step": step.name, "count": count},
                )
                return redirect(f"{request.path}?site={site.pk}&step={step_code}")
    return render(
        request,
        "casework/bulk.html",
        {
            "choose": choose,
            "form": update_form,
            "step": step,
            "site": site,
            "candidates": candidates,
            "ticked": {str(progress_id) for progress_id, _version in rows},
            "problems": problems,
        },
    )


@capability_required(Capability.ADMINISTER)
@require_http_methods(["GET", "POST"])
def pathway_edit(request):
    """Administrators change the pathway as data; a change is saved as a new version, and the
    cases already open stay on the version they were opened on."""
    pathway = current_pathway()
    text = request.POST.get("definition", "")
    errors = []
    if request.method == "POST":
        saved = None
        try:
            saved = load_pathway(parse_definition(text), by=request.user)
        except ValidationError as invalid:
            errors = invalid.messages
        if saved is not None:
            if pathway is not None and saved.pk == pathway.pk:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(
                    request, _("Saved as version %(version)d.") % {"version": saved.version}
                )
            return redirect("casework:pathway_edit")
    elif pathway is not None:
        text = json.dumps(pathway_definition(pathway), ensure_ascii=False, indent=1)
    return render(
        request, "casework/pathway_edit.html", {"pathway": pathway, "text": text, "errors": errors}
    )
