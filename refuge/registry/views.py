from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.audit.models import AuditEntry
from refuge.identity.selectors import other_registrations
from refuge.registry import selectors, services
from refuge.registry.forms import HouseholdForm, MemberFormSet, PersonEditForm
from refuge.registry.models import Household, Person
from refuge.sites.selectors import visible_sites


def _apply_service_errors(error: ValidationError, household_form, formset) -> None:
    for key, messages_ in error.message_dict.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "members" and int(parts[1]) < len(formset.forms):
            form = formset.forms[int(parts[1])]
            field = parts[2] if parts[2] in form.fields else None
            for message in messages_:
                form.add_error(field, message)
        elif key in household_form.fields:
            for message in messages_:
                household_form.add_error(key, message)
        else:
            formset._non_form_errors = formset.error_class(messages_)


@capability_required(Capability.REGISTER)
@require_http_methods(["GET", "POST"])
def register(request):
    sites = visible_sites(request.user)
    household_form = HouseholdForm(request.POST or None, sites=sites)
    formset = MemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and household_form.is_valid() and formset.is_valid():
        data = household_form.cleaned_data
        members = [
            form.to_member(origin=data["origin"], origin_village=data["origin_village"])
            for form in formset.forms
            if form.has_changed() or form is formset.forms[0]
        ]
        try:
            household = services.register_household(
                site=data["site"],
                members=members,
                consent_scopes=data["consent"],
                registered_on=data["registered_on"],
                phone=data["phone"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_service_errors(error, household_form, formset)
        else:
            messages.success(
                request,
                ngettext(
                    "Household %(number)s registered with %(count)d member.",
                    "Household %(number)s registered with %(count)d members.",
                    len(members),
                )
                % {"number": household.registration_number, "count": len(members)},
            )
            return redirect("registry:household", pk=household.pk)
    return render(
        request, "registry/register.html", {"household_form": household_form, "formset": formset}
    )


@capability_required(Capability.REGISTER)
def member_row(request):
    """htmx: one more empty member row for the registration form."""
    try:
        index = int(request.GET.get("index", "1"))
    except ValueError:
        index = 1
    index = max(1, min(index, MemberFormSet.max_num - 1))
    form = MemberFormSet(prefix="members").empty_form
    form.prefix = f"members-{index}"
    form.fields["relationship"].initial = ""
    return render(
        request, "registry/_member_row.html", {"form": form, "index": index, "total": index + 1}
    )


@capability_required(Capability.VIEW_PEOPLE)
def household_detail(request, pk):
    household = visible_or_404(request, Household, selectors.household_detail, pk)
    services.record_view(obj=household, by=request.user)
    return render(request, "registry/household_detail.html", {"household": household})


@capability_required(Capability.VIEW_PEOPLE)
def person_detail(request, pk):
    person = visible_or_404(request, Person, selectors.person_detail, pk)
    services.record_view(obj=person, by=request.user)
    history = AuditEntry.objects.filter(
        object_type="registry.person",
        object_id=str(person.pk),
        action__in=[audit.Action.CREATE, audit.Action.CHANGE],
    ).order_by("-seq")[:50]
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "history": history,
            "other_registrations": other_registrations(request.user, person),
        },
    )


@capability_required(Capability.EDIT_PEOPLE)
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = visible_or_404(request, Person, selectors.person_detail, pk)
    form = PersonEditForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_person(
                person=Person.objects.get(pk=pk), changes=form.changes(), by=request.user
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            if changed:
                messages.success(request, _("Changes saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("registry:person", pk=pk)
    else:
        services.record_view(obj=person, by=request.user)
    return render(request, "registry/person_edit.html", {"person": person, "form": form})


@capability_required(Capability.VIEW_PEOPLE)
@require_http_methods(["GET", "POST"])
def search(request):
    """Names are personal data: the query travels in a POST body, never in a URL."""
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    # A handheld scanner types the slip's QR address into this box: open the household.
    household = selectors.household_for_slip(request.user, query) if query else None
    if household is not None:
        return _open_household(request, household)
    results = selectors.find_people(request.user, query) if query else []
    if query:
        audit.record(
            actor=request.user,
            action=audit.Action.SEARCH,
            object_type="registry.person",
            detail={"query": query, "results": [found.person.pk for found in results]},
        )
    template = "registry/_search_results.html" if request.htmx else "registry/search.html"
    return render(request, template, {"query": query, "results": results, "searched": bool(query)})


def _open_household(request, household):
    url = reverse("registry:household", args=[household.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@capability_required(Capability.VIEW_PEOPLE)
def household_by_number(request, number):
    """Where a slip's QR code points (a tablet's camera opens it): the household, if visible.

    A registration number is printed on the slip and names no one, so it may be in a URL."""
    household = selectors.households_for(request.user).filter(registration_number=number).first()
    if household is None:
        raise Http404
    return _open_household(request, household)
