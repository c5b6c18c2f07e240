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
from refuge.audit import services as audit
from refuge.registry.models import Household
from refuge.registry.selectors import household_detail
from refuge.sites import housing
from refuge.sites import movements as movement_services
from refuge.sites.documents import manifest_pdf, registration_slip_pdf
from refuge.sites.forms import AddHouseholdForm, MovementForm, RoomChoiceForm
from refuge.sites.housing import rooms_with_free_beds
from refuge.sites.models import BedAssignment, Movement, MovementStatus, Site
from refuge.sites.selectors import (
    capacity_outlook,
    movements_for,
    occupancy,
    occupancy_chart,
    open_follow_ups,
    suppress_small,
    visible_sites,
)


@capability_required(Capability.VIEW_OVERVIEW)
def overview(request):
    rows = occupancy(request.user, timezone.localdate())
    names_allowed = request.user.can(Capability.VIEW_PEOPLE)
    # Aggregates only for those who may not see people: small numbers would single a family out.
    show = str if names_allowed else suppress_small
    table = [
        {
            "site": row.site,
            "people": show(row.people),
            "households": show(row.households),
            "arrivals_today": show(row.arrivals_today),
            "arrivals_week": show(row.arrivals_week),
            "free": show(row.free),
            "percent": row.percent,
        }
        for row in rows
    ]
    return render(
        request,
        "sites/overview.html",
        {
            "rows": table,
            "names_allowed": names_allowed,
            "threshold": settings.REFUGE_SMALL_COUNT_THRESHOLD,
        },
    )


@capability_required(Capability.VIEW_PEOPLE)
def site_detail(request, pk):
    site = _site_or_404(request, pk)
    households = (
        Household.objects.visible_to(request.user)
        .filter(current_site=site)
        .prefetch_related("members")
        .order_by("registration_number")
    )
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        target=site,
        detail={"list": "households present", "page": page.number},
    )
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


def _site_or_404(request, pk):
    site = visible_sites(request.user).filter(pk=pk).first()
    if site is None:
        if Site.objects.filter(pk=pk).exists():
            audit.record(
                actor=request.user,
                action=audit.Action.DENIED,
                object_type="sites.site",
                object_id=str(pk),
            )
        raise Http404
    return site


@capability_required(Capability.VIEW_PEOPLE)
def rooms(request, pk):
    site = _site_or_404(request, pk)
    page = Paginator(rooms_with_free_beds(site.pk), 100).get_page(request.GET.get("page"))
    sleepers: dict[int, set] = {}
    for room_id, number in (
        BedAssignment.objects.current()
        .filter(bed__room__in=[room.pk for room in page])
        .values_list("bed__room", "person__household__registration_number")
    ):
        sleepers.setdefault(room_id, set()).add(number)
    rows = [(room, sorted(sleepers.get(room.pk, ()))) for room in page]
    audit.record(
        actor=request.user, action=audit.Action.VIEW, target=site, detail={"list": "rooms"}
    )
    return render(request, "sites/rooms.html", {"site": site, "rows": rows, "page": page})


@capability_required(Capability.MANAGE_ROOMS)
@require_http_methods(["GET", "POST"])
def allocate(request, pk):
    household = visible_or_404(request, Household, household_detail, pk)
    if household.current_site is None:
        raise Http404
    form = RoomChoiceForm(request.POST or None, site=household.current_site)
    mover = request.POST.get("person", "")
    if request.method == "POST" and mover.isdigit() and form.is_valid():
        person = household.members.filter(pk=int(mover)).first()
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
    movement = movements_for(request.user).filter(pk=pk).first()
    if movement is None:
        if Movement.objects.filter(pk=pk).exists():
            audit.record(
                actor=request.user,
                action=audit.Action.DENIED,
                object_type="sites.movement",
                object_id=str(pk),
            )
        raise Http404
    return movement


def _person_ids(request, name: str) -> set[int]:
    return {int(v) for v in request.POST.getlist(name) if v.isdigit()}


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
                household = Household.objects.get(pk=int(request.POST.get("household", 0)))
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
                flagged = movement_services.arrive(
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
                follow_up = movement.follow_ups.get(pk=int(request.POST.get("follow_up", 0)))
                movement_services.resolve_follow_up(
                    follow_up=follow_up,
                    resolution=request.POST.get("resolution", ""),
                    on=today,
                    by=request.user,
                )
        except (PermissionDenied, Household.DoesNotExist):
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
    passengers = list(
        movement.passengers.select_related("household", "person").order_by(
            "household__registration_number", "person_id"
        )
    )
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        target=movement,
        detail={"passengers": len(passengers)},
    )
    problems = (
        movement_services.departure_problems(movement)
        if movement.status == MovementStatus.PLANNED
        else {}
    )
    issues = {h.pk: found for h, found in problems.items()}
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
def manifest(request, pk):
    movement = _movement_or_404(request, pk)
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        target=movement,
        detail={"document": "manifest"},
    )
    response = HttpResponse(manifest_pdf(movement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="manifest-{movement.pk}.pdf"'
    return response


@capability_required(Capability.VIEW_PEOPLE)
def registration_slip(request, pk):
    household = visible_or_404(request, Household, household_detail, pk)
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        target=household,
        detail={"document": "registration slip"},
    )
    response = HttpResponse(
        registration_slip_pdf(household, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="slip-{household.registration_number}.pdf"'
    return response
