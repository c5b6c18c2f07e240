from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.identity.selectors import other_registrations
from refuge.params import record_id
from refuge.reception import services as reception
from refuge.registry import selectors, services
from refuge.registry.forms import HouseholdForm, MemberFormSet, PersonEditForm
from refuge.registry.models import Household, Person
from refuge.registry.vocabulary import ConsentScope
from refuge.sites.selectors import visible_sites


def _apply_service_errors(error: ValidationError, household_form, formset) -> None:
    for key, messages_ in error.message_dict.items():
        parts = key.split("-")
        if (
            len(parts) == 3
            and parts[0] == "members"
            and record_id(parts[1]) is not None
            and int(parts[1]) < len(formset.forms)
        ):
            form = formset.forms[int(parts[1])]
            name = {"birth_date": "birth_date_text"}.get(parts[2], parts[2])
            field = name if name in form.fields else None
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
    data = request.POST or None
    household_form = HouseholdForm(data, sites=sites)
    formset = MemberFormSet(data, prefix="members")
    if request.method == "POST" and household_form.is_valid() and formset.is_valid():
        data = household_form.cleaned_data
        members = [
            form.to_member(origin=data["origin"], origin_village=data["origin_village"])
            for form in formset.forms
            if form.has_changed() or form is formset.forms[0]
        ]
        try:
            household = reception.register_household(
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
                _("Household %(number)s registered with %(count)d members.")
                % {"number": household.registration_number, "count": len(members)},
            )
            return redirect("registry:household", pk=household.pk)
    return render(
        request, "registry/register.html", {"household_form": household_form, "formset": formset}
    )


@capability_required(Capability.REGISTER)
def member_row(request):
    """htmx: one more empty member row for the registration form."""
    index = record_id(request.GET.get("index")) or 1
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
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "show_phone": selectors.may_read_field(request.user, "household.phone", household),
        },
    )


@capability_required(Capability.VIEW_PEOPLE)
def person_detail(request, pk):
    person = visible_or_404(request, Person, selectors.person_detail, pk)
    history = selectors.person_history(person)
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
    person = visible_or_404(
        request,
        Person,
        selectors.person_detail,
        pk,
        purpose="person edit" if request.method == "GET" else None,
    )
    form = PersonEditForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = reception.update_person(
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
    return render(request, "registry/person_edit.html", {"person": person, "form": form})


@capability_required(Capability.VIEW_PEOPLE)
@require_http_methods(["GET", "POST"])
def search(request):
    """Names are personal data: the query travels in a POST body, never in a URL."""
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    error = ""
    try:
        results = selectors.search_people(request.user, query) if query else []
    except ValidationError as invalid:
        results, error, query = [], " ".join(invalid.messages), ""
    template = "registry/_search_results.html" if request.htmx else "registry/search.html"
    return render(
        request,
        template,
        {"query": query, "results": results, "searched": bool(query), "error": error},
    )


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def withdraw_consent(request, pk):
    person = visible_or_404(request, Person, selectors.person_detail, pk, purpose=None)
    scope = request.POST.get("scope", "")[:20]
    try:
        services.withdraw_consent(person=person, scope=scope, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Consent withdrawn: %(use)s.") % {"use": dict(ConsentScope.choices).get(scope)},
        )
    return redirect("registry:person", pk=person.pk)
