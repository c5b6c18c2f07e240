"""Transfers between sites: plan, check, depart, arrive, and never lose anyone on the way."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.registry.models import Household, Person
from refuge.sites.checks import problems_before_departure
from refuge.sites.housing import release_beds
from refuge.sites.models import FollowUp, Movement, MovementStatus, Passenger, Site
from refuge.sites.services import begin_stay


def _locked(movement: Movement) -> Movement:
    return (
        Movement.objects.select_for_update()
        .select_related("from_site", "to_site")
        .get(pk=movement.pk)
    )


@transaction.atomic
def plan_movement(
    *, from_site: Site, to_site: Site, planned_on: date, means: str, seats: int, by
) -> Movement:
    """A transfer from one site to another, on a date, with so many seats."""
    require(by, Capability.PLAN_MOVEMENTS, from_site.pk)
    if from_site == to_site:
        raise ValidationError({"to_site": _("A transfer must go to another site.")})
    if seats < 1:
        raise ValidationError({"seats": _("A transfer needs at least one seat.")})
    movement = Movement.objects.create(
        from_site=from_site,
        to_site=to_site,
        planned_on=planned_on,
        means=means,
        seats=seats,
        created_by=by,
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=movement,
        detail={"to": to_site.pk, "on": planned_on, "seats": seats},
    )
    return movement


@transaction.atomic
def add_household(*, movement: Movement, household: Household, by) -> list[Passenger]:
    """Put every present member of a household on the manifest; families travel together."""
    movement = _locked(movement)
    require(by, Capability.PLAN_MOVEMENTS, movement.from_site_id)
    if movement.status != MovementStatus.PLANNED:
        raise ValidationError(_("This transfer has already left."))
    if household.current_site_id != movement.from_site_id:
        raise ValidationError(
            _("Household %(number)s is not at %(site)s.")
            % {"number": household.registration_number, "site": movement.from_site.local_name}
        )
    if Passenger.objects.filter(
        household=household, movement__status=MovementStatus.PLANNED
    ).exists():
        raise ValidationError(
            _("Household %(number)s is already on a planned transfer.")
            % {"number": household.registration_number}
        )
    people = [p for p in household.members.all() if not p.missing_since]
    taken = movement.passengers.count()
    if taken + len(people) > movement.seats:
        raise ValidationError(
            _("Not enough seats: %(free)d left, household %(number)s needs %(needed)d.")
            % {
                "free": movement.seats - taken,
                "number": household.registration_number,
                "needed": len(people),
            }
        )
    passengers = Passenger.objects.bulk_create(
        Passenger(movement=movement, person=p, household=household) for p in people
    )
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=movement,
        detail={"added_household": household.registration_number, "people": len(people)},
    )
    return passengers


@transaction.atomic
def remove_household(*, movement: Movement, household: Household, by) -> None:
    movement = _locked(movement)
    require(by, Capability.PLAN_MOVEMENTS, movement.from_site_id)
    if movement.status != MovementStatus.PLANNED:
        raise ValidationError(_("This transfer has already left."))
    movement.passengers.filter(household=household).delete()
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=movement,
        detail={"removed_household": household.registration_number},
    )


def departure_problems(movement: Movement) -> dict[Household, list[str]]:
    """Each household on the manifest with what stands in the way of its travelling."""
    households = Household.objects.filter(
        pk__in=movement.passengers.values("household")
    ).prefetch_related("members", "travel_holds")
    return {h: problems_before_departure(h) for h in households}


@transaction.atomic
def depart(*, movement: Movement, boarded: set[int], on: date, by) -> Movement:
    """Record who boarded (person ids). A household travels whole or not at all: a household
    with nobody aboard stays behind; one with only some aboard is refused, by name."""
    movement = _locked(movement)
    require(by, Capability.RECORD_HEADCOUNT, movement.from_site_id)
    if movement.status != MovementStatus.PLANNED:
        raise ValidationError(_("This transfer has already left."))
    by_household: dict[int, list[Passenger]] = {}
    for passenger in movement.passengers.select_related("household"):
        by_household.setdefault(passenger.household_id, []).append(passenger)
    problems = []
    for household, issues in departure_problems(movement).items():
        # A household held back stays behind when nobody of it boards; only boarding is refused.
        if any(p.person_id in boarded for p in by_household[household.pk]):
            problems += [f"{household.registration_number}: {issue}" for issue in issues]
    staying = []
    for passengers in by_household.values():
        aboard = [p for p in passengers if p.person_id in boarded]
        number = passengers[0].household.registration_number
        if not aboard:
            staying.append(passengers[0].household_id)
        elif len(aboard) < len(passengers):
            problems.append(
                ngettext(
                    "%(number)s: %(missing)d of %(count)d members did not board; "
                    "record everyone, or take the household off this transfer.",
                    "%(number)s: %(missing)d of %(count)d members did not board; "
                    "record everyone, or take the household off this transfer.",
                    len(passengers) - len(aboard),
                )
                % {
                    "number": number,
                    "missing": len(passengers) - len(aboard),
                    "count": len(passengers),
                }
            )
    if problems:
        raise ValidationError(problems)
    if len(staying) == len(by_household):
        raise ValidationError(_("Nobody boarded."))
    movement.passengers.filter(household_id__in=staying).delete()
    movement.passengers.update(boarded=True)
    movement.status, movement.departed_on = MovementStatus.DEPARTED, on
    movement.save(update_fields=["status", "departed_on"])
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=movement,
        detail={"departed_on": on, "boarded": sorted(boarded), "stayed_behind": staying},
    )
    return movement


@transaction.atomic
def reconcile_arrival(*, movement: Movement, arrived: set[int], on: date, by) -> list[FollowUp]:
    """Record who arrived (person ids) and reconcile with who boarded: everyone who boarded and
    did not arrive is flagged for follow-up and stops counting as present anywhere."""
    movement = _locked(movement)
    require(by, Capability.RECORD_HEADCOUNT, movement.to_site_id)
    if movement.status != MovementStatus.DEPARTED:
        raise ValidationError(_("Record the departure before the arrival."))
    if on < movement.departed_on:
        raise ValidationError({"arrived_on": _("Arrival cannot be before departure.")})
    passengers = list(movement.passengers.select_related("household", "person"))
    follow_ups = []
    for passenger in passengers:
        passenger.arrived = passenger.person_id in arrived
        if not passenger.arrived:
            follow_ups.append(FollowUp(person=passenger.person, movement=movement, opened_on=on))
    Passenger.objects.bulk_update(passengers, ["arrived"])
    FollowUp.objects.bulk_create(follow_ups)
    Person.objects.filter(pk__in=[f.person_id for f in follow_ups]).update(missing_since=on)
    for household in {p.household for p in passengers}:
        release_beds(household, on)
        begin_stay(household=household, site=movement.to_site, on=on, by=by)
    movement.status, movement.arrived_on = MovementStatus.ARRIVED, on
    movement.save(update_fields=["status", "arrived_on"])
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=movement,
        site_id=movement.to_site_id,
        detail={
            "arrived_on": on,
            "arrived": len(passengers) - len(follow_ups),
            "missing": [f.person_id for f in follow_ups],
        },
    )
    return follow_ups


@transaction.atomic
def resolve_follow_up(*, follow_up: FollowUp, resolution: str, on: date, by) -> FollowUp:
    """The person was found (or their fate is known): close the flag, with what happened."""
    require(by, Capability.RECORD_HEADCOUNT, follow_up.movement.to_site_id)
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say what happened.")})
    limit = FollowUp._meta.get_field("resolution").max_length
    if len(resolution.strip()) > limit:
        raise ValidationError({"resolution": _("At most %(count)d characters.") % {"count": limit}})
    follow_up.resolved_on, follow_up.resolution = on, resolution.strip()
    follow_up.save(update_fields=["resolved_on", "resolution"])
    Person.objects.filter(pk=follow_up.person_id).update(missing_since=None)
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=follow_up.person,
        detail={"follow_up": follow_up.pk, "resolution": resolution},
    )
    return follow_up
