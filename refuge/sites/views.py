from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.audit.models import Action
from refuge.params import record_id, record_ids
from refuge.reception import services as reception
from refuge.registry.models import Household
from refuge.registry.selectors import household_detail
from refuge.reporting.selectors import site_overview
from refuge.sites import housing
from refuge.sites import movements as movement_services
from refuge.sites.documents import manifest_pdf, registration_slip_pdf
from refuge.sites.forms import AddHouseholdForm, MovementForm, RoomChoiceForm
from refuge.sites.models import (
    BedAssignment,
    FollowUp,
    Movement,
    MovementStatus,
    Passenger,
    Site,
)
from refuge.sites.selectors import (
    capacity_outlook,
    households_present,
    manifest,
    movement_for,
    movements_for,
    occupancy_chart,
    open_follow_ups,
    rooms_page,
    site_for,
    visible_sites,
)


@capability_required(Capability.VIEW_OVERVIEW)
def overview(request):
    overview = site_overview(request.user, timezone.localdate())
    return render(
        request,
        "sites/overview.html",
        {
            "overview": overview,
            "names_allowed": request.user.can(Capability.VIEW_PEOPLE),
            "threshold": settings.REFUGE_SMALL_COUNT_THRESHOLD,
        },
    )


@capability_required(Capability.VIEW_PEOPLE)
def site_detail(request, pk):
    site = visible_or_404(request, Site, site_for, pk)
    page = households_present(request.user, site, request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "sites/site_detail.html",
        {
            "site": site,
            "page": page,
            "outlook": capacity_outlook(site, today),
            "chart": occupancy_chart(site, today),
            "follow_ups": open_follow_ups(site),
        },
    )


@capability_required(Capability.VIEW_PEOPLE)
def rooms(request, pk):
    site = visible_or_404(request, Site, site_for, pk)
    page, rows = rooms_page(request.user, site, request.GET.get("page"))
    return render(request, "sites/rooms.html", {"site": site, "rows": rows, "page": page})


@capability_required(Capability.MANAGE_ROOMS)
@require_http_methods(["GET", "POST"])
def allocate(request, pk):
    household = visible_or_404(
        request,
        Household,
        household_detail,
        pk,
        purpose="allocate" if request.method == "GET" else None,
    )
    if household.current_site is None:
        raise Http404
    form = RoomChoiceForm(request.POST or None, site=household.current_site)
    mover = request.POST.get("person", "")
    if request.method == "POST" and record_id(mover) is not None and form.is_valid():
        person = household.members.filter(pk=record_id(mover)).first()
        if person is None:
            raise Http404
        try:
            housing.move_people(people=[person], room=form.cleaned_data["room"], by=request.user)
        except ValidationError as error:
            form.add_error("room", error)
        else:
            messages.success(
                request,
                _("%(name)s moved to %(room)s.")
                % {"name": person.display_name, "room": form.cleaned_data["room"]},
            )
            return redirect("sites:allocate", pk=household.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            housing.allocate_household(
                household=household, room=form.cleaned_data["room"], by=request.user
            )
        except ValidationError as error:
            form.add_error("room", error)
        else:
            messages.success(
                request, _("Beds allocated in %(room)s.") % {"room": form.cleaned_data["room"]}
            )
            return redirect("registry:household", pk=household.pk)
    current = (
        BedAssignment.objects.current()
        .filter(person__household=household)
        .select_related("bed__room__building", "person")
    )
    return render(
        request,
        "sites/allocate.html",
        {
            "household": household,
            "form": form,
            "suggestions": housing.suggest_rooms(household),
            "current": current,
        },
    )


@capability_required(Capability.VIEW_PEOPLE)
def movements(request):
    rows = Paginator(movements_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "sites/movements.html", {"page": rows})


@capability_required(Capability.PLAN_MOVEMENTS)
@require_http_methods(["GET", "POST"])
def movement_new(request):
    form = MovementForm(request.POST or None, from_sites=visible_sites(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            movement = movement_services.plan_movement(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("sites:movement", pk=movement.pk)
    return render(request, "sites/movement_new.html", {"form": form})


def _movement_or_404(request, pk) -> Movement:
    return visible_or_404(request, Movement, movement_for, pk)


def _person_ids(request, name: str) -> set[int]:
    return record_ids(request.POST.getlist(name))


@capability_required(Capability.VIEW_PEOPLE)
@require_http_methods(["GET", "POST"])
def movement_detail(request, pk):
    movement = _movement_or_404(request, pk)
    add_form = AddHouseholdForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        today = timezone.localdate()
        try:
            if action == "add" and add_form.is_valid():
                number = add_form.cleaned_data["registration_number"].strip().upper()
                household = (
                    Household.objects.visible_to(request.user)
                    .filter(registration_number=number)
                    .first()
                )
                if household is None:
                    raise ValidationError(
                        _("No household %(number)s at your sites.") % {"number": number}
                    )
                movement_services.add_household(
                    movement=movement, household=household, by=request.user
                )
            elif action == "remove":
                household = Household.objects.visible_to(request.user).get(
                    pk=record_id(request.POST.get("household"))
                )
                movement_services.remove_household(
                    movement=movement, household=household, by=request.user
                )
            elif action == "depart":
                movement_services.depart(
                    movement=movement,
                    on=today,
                    by=request.user,
                    boarded=_person_ids(request, "boarded"),
                )
            elif action == "arrive":
                flagged = reception.arrive(
                    movement=movement,
                    on=today,
                    by=request.user,
                    arrived=_person_ids(request, "arrived"),
                )
                if flagged:
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)d person boarded and did not arrive: flagged for follow-up.",
                            "%(count)d people boarded and did not arrive: flagged for follow-up.",
                            len(flagged),
                        )
                        % {"count": len(flagged)},
                    )
            elif action == "allocate":
                arrived = Household.objects.filter(
                    pk__in=movement.passengers.values("household"), current_site=movement.to_site
                ).prefetch_related("members__needs")
                placed = housing.allocate_arrivals(households=list(arrived), by=request.user)
                left = [h.registration_number for h, room in placed.items() if room is None]
                if left:
                    messages.warning(
                        request,
                        _(
                            "No room holds these households whole; "
                            "give them beds by hand: %(numbers)s"
                        )
                        % {"numbers": ", ".join(left)},
                    )
            elif action == "resolve":
                follow_up = movement.follow_ups.get(pk=record_id(request.POST.get("follow_up")))
                movement_services.resolve_follow_up(
                    follow_up=follow_up,
                    resolution=request.POST.get("resolution", ""),
                    on=today,
                    by=request.user,
                )
        except (PermissionDenied, Household.DoesNotExist, FollowUp.DoesNotExist):
            raise PermissionDenied from None
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if action in {"add", "remove", "depart", "arrive", "resolve", "allocate"} and not (
                action == "add" and add_form.errors
            ):
                return redirect("sites:movement", pk=movement.pk)
    movement.refresh_from_db()
    passengers = manifest(request.user, movement)
    problems = (
        movement_services.departure_problems(movement)
        if movement.status == MovementStatus.PLANNED
        else {}
    )
    shown = {p.household_id for p in passengers}
    issues = {h.pk: found for h, found in problems.items() if h.pk in shown}
    groups: dict[int, dict] = {}
    for passenger in passengers:
        group = groups.setdefault(
            passenger.household_id,
            {
                "household": passenger.household,
                "passengers": [],
                "problems": issues.get(passenger.household_id, []),
            },
        )
        group["passengers"].append(passenger)
    return render(
        request,
        "sites/movement_detail.html",
        {
            "movement": movement,
            "passengers": passengers,
            "add_form": add_form,
            "groups": list(groups.values()),
            "follow_ups": movement.follow_ups.select_related("person"),
            "boarded": sum(1 for p in passengers if p.boarded),
            "arrived": sum(1 for p in passengers if p.arrived),
        },
    )


@capability_required(Capability.VIEW_PEOPLE)
def manifest_document(request, pk):
    movement = _movement_or_404(request, pk)
    passengers = manifest(request.user, movement, action=Action.EXPORT)
    shown = {p.household_id for p in passengers}
    # What holds a household back is printed under it, so the escort does not board it.
    problems = (
        {
            h.pk: found
            for h, found in movement_services.departure_problems(movement).items()
            if h.pk in shown
        }
        if movement.status == MovementStatus.PLANNED
        else {}
    )
    response = HttpResponse(
        manifest_pdf(
            movement,
            Passenger.objects.filter(pk__in=[p.pk for p in passengers]),
            problems=problems,
        ),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="manifest-{movement.pk}.pdf"'
    return response


@capability_required(Capability.VIEW_PEOPLE)
def registration_slip(request, pk):
    household = visible_or_404(
        request,
        Household,
        household_detail,
        pk,
        purpose="registration slip",
        action=Action.EXPORT,
    )
    response = HttpResponse(
        registration_slip_pdf(household, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="slip-{household.registration_number}.pdf"'
    return response
