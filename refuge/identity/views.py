import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.identity import selectors, services
from refuge.identity.explain import explain_all
from refuge.identity.models import CandidatePair, PairStatus, SamePersonLink
from refuge.identity.records import (
    engine_birth_date,
    personal_document_number,
    records_from_names,
)
from refuge.params import record_id
from refuge.registry.dates import parse_birth_date
from refuge.registry.models import NAME_FIELDS
from refuge.registry.services import TEXT_LIMITS


@capability_required(Capability.REGISTER)
@require_POST
def instant_check(request):
    """htmx, while a clerk types a member's names: is this person registered already?

    Names are personal data, so they come in the POST body of the form being filled in."""
    prefix = request.POST.get("prefix", "")
    if not re.fullmatch(r"members-\d{1,2}", prefix):
        return render(request, "identity/_instant_check.html", {"matches": []})

    def value(name):
        return request.POST.get(f"{prefix}-{name}", "")

    # A value longer than its field is refused by the form itself; the check does not run on it.
    if any(len(value(f)) > TEXT_LIMITS[f] for f in NAME_FIELDS) or len(prefix) > 20:
        return render(request, "identity/_instant_check.html", {"matches": []})

    try:
        birth, precision = parse_birth_date(
            value("birth_date_text"), estimated=bool(value("birth_date_estimated"))
        )
    except ValueError:
        birth, precision = None, "exact"
    records = records_from_names(
        {f: value(f) for f in NAME_FIELDS},
        record_id="new",
        sex=value("sex"),
        birth_date=engine_birth_date(birth, precision),
        document_number=personal_document_number(value("document_type"), value("document_number")),
    )
    try:
        check = selectors.check_registration(request.user, records)
    except selectors.TooManyChecks:
        return render(request, "identity/_instant_check.html", {"too_many": True}, status=429)
    return render(
        request,
        "identity/_instant_check.html",
        {
            "matches": check.matches,
            "elsewhere": check.elsewhere,
            "prefix": prefix,
            "is_head": prefix == "members-0",
            "chosen": value("match_choice"),
            "reason": value("match_reason")[:300],
        },
    )


@capability_required(Capability.REVIEW_DUPLICATES)
def review_queue(request):
    page, notices = selectors.review_queue_page(request.user, request.GET.get("page"))
    return render(request, "identity/review_queue.html", {"page": page, "notices": notices})


@capability_required(Capability.REVIEW_DUPLICATES)
@require_http_methods(["GET", "POST"])
def review_household_pair(request, household_a, household_b):
    try:
        household_pair = selectors.household_pair_for(request.user, household_a, household_b)
    except CandidatePair.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        by_pk = {pair.pk: pair for pair in household_pair.pairs}
        decisions = [
            (pair, status)
            for pk, pair in by_pk.items()
            if (status := request.POST.get(f"pair-{pk}", "")) in PairStatus.values
            and status != PairStatus.OPEN
        ]
        try:
            services.decide_household_pair(decisions=decisions, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decisions recorded."))
            return redirect("identity:queue")
    return render(
        request,
        "identity/review_household_pair.html",
        {
            "household_pair": household_pair,
            "rows": [(pair, explain_all(pair.reasons)) for pair in household_pair.pairs],
            "statuses": PairStatus,
        },
    )


@capability_required(Capability.REVIEW_DUPLICATES)
@require_http_methods(["GET", "POST"])
def review_pair(request, pk):
    pair = visible_or_404(
        request,
        CandidatePair,
        selectors.pair_for,
        pk,
        purpose="review" if request.method == "GET" else None,
    )
    if request.method == "POST":
        try:
            services.decide(pair=pair, status=request.POST.get("status", ""), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decision recorded."))
            following = selectors.review_queue(request.user).exclude(pk=pair.pk).first()
            return (
                redirect("identity:pair", pk=following.pk)
                if following
                else redirect("identity:queue")
            )
    return render(
        request,
        "identity/review_pair.html",
        {
            "pair": pair,
            "reasons": explain_all(pair.reasons),
            "statuses": PairStatus,
        },
    )


@capability_required(Capability.REVIEW_DUPLICATES)
@require_POST
def undo_link(request, pk):
    link = (
        SamePersonLink.objects.select_related("person_a__household", "person_b__household")
        .filter(pk=pk)
        .first()
    )
    if link is None:
        raise Http404
    try:
        services.unlink(link=link, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The merge was undone: these are two people again."))
    back = request.POST.get("person")
    return (
        redirect("registry:person", pk=record_id(back))
        if record_id(back) is not None
        else redirect("identity:queue")
    )
