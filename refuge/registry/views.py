from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.identity.selectors import other_registrations
from refuge.params import record_id
from refuge.reception import registration
from refuge.reception import services as reception
from refuge.registry import selectors
from refuge.registry import services as registry_services
from refuge.registry.forms import HouseholdForm, MemberFormSet, PersonEditForm
from refuge.registry.models import NAME_FIELDS, Household, Person
from refuge.registry.naming import suggested_names
from refuge.registry.vocabulary import ConsentScope
from refuge.rights import services as rights
from refuge.sites.selectors import visible_sites
from refuge.tracing.selectors import person_flag as tracing_flag


def _apply_service_errors(error: ValidationError, household_form, formset, member_forms) -> None:
    """Errors keyed "members-<i>-<field>" name the i-th of `member_forms` (the rows sent)."""
    for key, messages_ in error.message_dict.items():
        parts = key.split("-")
        if (
            len(parts) == 3
            and parts[0] == "members"
            and record_id(parts[1]) is not None
            and int(parts[1]) < len(member_forms)
        ):
            form = member_forms[int(parts[1])]
            name = {"birth_date": "birth_date_text"}.get(parts[2], parts[2])
            field = name if name in form.fields else None
            for message in messages_:
                form.add_error(field, message)
        elif key in household_form.fields:
            for message in messages_:
                household_form.add_error(key, message)
        else:
            formset._non_form_errors = formset.error_class(messages_)


def _match_answer(form) -> registration.MatchAnswer | None:
    """The clerk's answer to a member's warning: "new", or "join:<household id>"."""
    choice, _sep, household = form.cleaned_data.get("match_choice", "").partition(":")
    Answer = registration.Answer
    if choice not in Answer.values or (choice == Answer.JOIN and not household.isdigit()):
        return None
    return registration.MatchAnswer(
        choice=choice,
        household_id=int(household) if choice == Answer.JOIN else None,
        reason=form.cleaned_data.get("match_reason", ""),
    )


@capability_required(Capability.REGISTER)
@require_http_methods(["GET", "POST"])
def register(request):
    sites = visible_sites(request.user)
    data = request.POST or None
    household_form = HouseholdForm(data, sites=sites)
    formset = MemberFormSet(data, prefix="members")
    if request.method == "POST" and household_form.is_valid() and formset.is_valid():
        data = household_form.cleaned_data
        forms_ = [f for f in formset.forms if f.has_changed() or f is formset.forms[0]]
        members = [
            form.to_member(origin=data["origin"], origin_village=data["origin_village"])
            for form in forms_
        ]
        answers = {i: answer for i, form in enumerate(forms_) if (answer := _match_answer(form))}
        try:
            outcome = registration.register_household_checked(
                site=data["site"],
                members=members,
                answers=answers,
                consent_scopes=data["consent"],
                registered_on=data["registered_on"],
                phone=data["phone"],
                level=data["level"],
                by=request.user,
            )
        except registration.RegistrationHeld as held:
            for index, matches in held.warnings.items():
                forms_[index].warnings = matches
            _apply_service_errors(held, household_form, formset, forms_)
        except ValidationError as error:
            _apply_service_errors(error, household_form, formset, forms_)
        else:
            household = outcome.household
            messages.success(
                request,
                ngettext(
                    "Household %(number)s registered with %(count)d member.",
                    "Household %(number)s registered with %(count)d members.",
                    len(members) - len(outcome.joined),
                )
                % {
                    "number": household.registration_number,
                    "count": len(members) - len(outcome.joined),
                },
            )
            for person in outcome.joined:
                messages.info(
                    request,
                    _("%(name)s was added to household %(number)s.")
                    % {"name": person.display_name, "number": person.household.registration_number},
                )
            if outcome.queued:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d possible duplicate was sent for review.",
                        "%(count)d possible duplicates were sent for review.",
                        len(outcome.queued),
                    )
                    % {"count": len(outcome.queued)},
                )
            return redirect("registry:household", pk=household.pk)
    return render(
        request, "registry/register.html", {"household_form": household_form, "formset": formset}
    )


@capability_required(Capability.REGISTER)
@require_POST
def name_suggestions(request):
    """The registration form's name suggestions for every member row, as JSON
    ({"members-2-father_name_ar": "محمد", ...}). Only transforms what the clerk typed: it
    reads nothing from the registry."""
    try:
        total = min(int(request.POST.get("members-TOTAL_FORMS", "1")), MemberFormSet.max_num)
    except ValueError:
        total = 1

    def names(prefix):
        return {f: request.POST.get(f"{prefix}-{f}", "")[:80] for f in NAME_FIELDS}

    head = names("members-0")
    head_sex = request.POST.get("members-0-sex", "")
    offered = {}
    for index in range(total):
        prefix = f"members-{index}"
        relationship = request.POST.get(f"{prefix}-relationship", "") if index else ""
        suggestions = suggested_names(
            names(prefix), relationship=relationship, head_sex=head_sex, head_names=head
        )
        offered |= {f"{prefix}-{field}": value for field, value in suggestions.items()}
    return JsonResponse(offered)


@capability_required(Capability.REGISTER)
def member_row(request):
    """htmx: one more empty member row for the registration form."""
    # The form's own TOTAL_FORMS field (hx-include), read without eval under the CSP.
    index = record_id(request.GET.get("members-TOTAL_FORMS") or request.GET.get("index") or "") or 1
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


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def complete_registration(request, pk):
    household = visible_or_404(request, Household, selectors.household_detail, pk)
    try:
        registry_services.complete_registration(household=household, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The registration is complete."))
    return redirect("registry:household", pk=household.pk)


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
            "corrections": rights.corrections_of(person),
            "may_request_erasure": rights.may_request_erasure(request.user, person),
            # Only that tracing concerns the person: who seeks whom is the tracing officer's.
            "tracing": tracing_flag(request.user, person),
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
    form = PersonEditForm(
        request.POST or None,
        instance=person,
        writable=registry_services.writable_person_fields(request.user),
    )
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
    # A handheld scanner types the slip's QR address into this box: open the household.
    household = selectors.household_for_slip(request.user, query) if query else None
    if household is not None:
        return _open_household(request, household)
    error = ""
    try:
        results = selectors.find_people(request.user, query) if query else []  # audited there
    except ValidationError as invalid:
        results, error, query = [], " ".join(invalid.messages), ""
    template = "registry/_search_results.html" if request.htmx else "registry/search.html"
    return render(
        request,
        template,
        {
            "query": query,
            "results": results,
            "searched": bool(query),
            "error": error,
            "more_than_shown": len(results) >= selectors.SEARCH_LIMIT,
        },
    )


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


@capability_required(Capability.EDIT_PEOPLE)
@require_POST
def withdraw_consent(request, pk):
    person = visible_or_404(request, Person, selectors.person_detail, pk, purpose=None)
    scope = request.POST.get("scope", "")[:20]
    try:
        registry_services.withdraw_consent(person=person, scope=scope, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Consent withdrawn: %(use)s.") % {"use": dict(ConsentScope.choices).get(scope)},
        )
    return redirect("registry:person", pk=person.pk)
