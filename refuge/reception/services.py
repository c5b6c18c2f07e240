"""Use cases that compose several apps: the one door pages, the API, imports and commands call.

Registering a household writes the registry, opens its stay at the site, opens everyone's case
and indexes their identity keys; an arrival moves the stay and the household's worklists with
it. Each app below does its own part (and checks its own rules); this layer only puts the parts
together, inside one transaction, so that nothing is half-done.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.casework import services as casework
from refuge.identity.services import refresh_people_keys, refresh_person_keys
from refuge.registry import services as registry
from refuge.registry.models import Household, Person
from refuge.registry.services import KEYED_FIELDS, HouseholdsRefused, MemberData, NewHousehold
from refuge.registry.vocabulary import RegistrationLevel, SpecificNeed
from refuge.sites import movements
from refuge.sites import services as stays
from refuge.sites.models import FollowUp, Movement, Site, Stay
from refuge.tracing import services as tracing


@transaction.atomic
def register_household(
    *,
    site: Site,
    members: list[MemberData],
    consent_scopes: list[str],
    by,
    registered_on: date | None = None,
    phone: str = "",
    level: str = RegistrationLevel.FULL,
) -> Household:
    """Register a household and all its members at `site`: the registry, the stay, everyone's
    case with the reception step done, and the identity keys. Everything lands, or nothing.

    Raises ValidationError naming the member and field at fault, PermissionDenied when `by`
    may not register at this site.
    """
    new = NewHousehold(members, consent_scopes, registered_on, phone, level)
    try:
        (household,) = register_households(site=site, households=[new], by=by)
    except HouseholdsRefused as refused:
        raise refused.refused[0] from None
    return household


@transaction.atomic
def register_households(*, site: Site, households: list[NewHousehold], by) -> list[Household]:
    """register_household for a chunk of households at one site (an import), each table and
    each app's audit entries written once for the chunk. All or nothing: HouseholdsRefused
    names the households at fault (registry.create_households)."""
    made = registry.create_households(site=site, households=households, by=by)
    # Loaded once with what the keys, the tracing check and the needs rules read of them.
    everyone = list(
        Person.objects.filter(household__in=made)
        .select_related("origin")
        .prefetch_related("documents", "needs")
        .order_by("pk")
    )
    members_of: dict[int, list[Person]] = {h.pk: [] for h in made}
    for person in everyone:
        members_of[person.household_id].append(person)
    refresh_people_keys(everyone, new=True)
    stays.begin_first_stays(households=made, site=site, by=by)
    casework.enrol_households([(h, members_of[h.pk], h.registered_on) for h in made], by=by)
    _trace(everyone, by=by)
    return made


def _trace(people: list[Person], *, by) -> None:
    """People who land (registered, imported, arrived) are checked against the open tracing
    requests, and a need FU-TR (tracing required) opens or links their own request."""
    tracing.check_new_people(people, by=by)
    for person in people:
        # Through all(): the needs a caller prefetched serve here without a query a person.
        if any(need.code == SpecificNeed.FU_TR for need in person.needs.all()):
            tracing.open_for_need(person=person, by=by)


@transaction.atomic
def add_member(*, household: Household, member: MemberData, by) -> Person:
    """A member who joins later (a newborn, a relative found at another site): registered,
    keyed, and on the pathway."""
    person = registry.create_member(household=household, member=member, by=by)
    refresh_person_keys(person)
    if casework.current_pathway() is not None:
        casework.open_case(person=person, by=by, on=timezone.localdate())
    _trace([person], by=by)
    return person


@transaction.atomic
def update_person(*, person: Person, changes: dict, by) -> dict[str, list]:
    """Edit a person; their identity keys follow a change of name, sex, birth or origin."""
    diff = registry.change_person(person=person, changes=changes, by=by)
    if set(diff) & KEYED_FIELDS:
        refresh_person_keys(Person.objects.get(pk=person.pk))
        tracing.check_new_people([Person.objects.get(pk=person.pk)], by=by)
    return diff


@transaction.atomic
def change_document(*, person: Person, old, new, by) -> bool:
    """Correct a person's document (registry.change_document); the identity keys follow it."""
    changed = registry.change_document(person=person, old=old, new=new, by=by)
    if changed:
        refresh_person_keys(Person.objects.get(pk=person.pk))
    return changed


@transaction.atomic
def change_needs(*, person: Person, add: list[str], remove: list[str], by) -> dict[str, list]:
    """Flag or withdraw specific needs (registry.change_needs); a need FU-TR (tracing required)
    flagged now opens or links the person's tracing request, as at registration."""
    changed = registry.change_needs(person=person, add=add, remove=remove, by=by)
    if SpecificNeed.FU_TR in changed["added"]:
        tracing.open_for_need(person=Person.objects.get(pk=person.pk), by=by)
    return changed


@transaction.atomic
def separate_member(*, person: Person, by) -> Household:
    """A member is no longer part of their household (left the family, or was entered in the
    wrong one): they head a household of their own, staying where they are, with their case
    and its steps on the same site's worklists. Nothing about them is deleted."""
    site_id = person.household.current_site_id
    household = registry.leave_household(person=person, by=by)
    if site_id is not None:
        stays.begin_stay(
            household=household, site=Site.objects.get(pk=site_id), on=timezone.localdate(), by=by
        )
    casework.follow_household(household)
    return household


@transaction.atomic
def record_arrival(*, household: Household, site: Site, on: date, by) -> Stay:
    """The household is now at `site`: its stay moves, and its members' steps move to the
    new site's worklists in the same transaction. Moving a household takes the right to count
    people at both ends: a shelter clerk cannot move a family staying in Perm."""
    if household.current_site_id is not None:
        require(by, Capability.RECORD_HEADCOUNT, household.current_site_id)
    stay = stays.begin_stay(household=household, site=site, on=on, by=by)
    casework.follow_household(household)
    tracing.check_new_people(list(Household.objects.get(pk=household.pk).members.all()), by=by)
    return stay


@transaction.atomic
def record_departure(*, household: Household, on: date, by) -> Stay:
    """The household left its site without arriving anywhere we run (yet)."""
    stay = stays.end_stay(household=household, on=on, by=by)
    casework.follow_household(household)
    return stay


@transaction.atomic
def arrive(*, movement: Movement, arrived: set[int], on: date, by) -> list[FollowUp]:
    """A transfer arrived: reconcile the headcount with who boarded, open every household's
    stay at the destination, and move their steps there."""
    follow_ups = movements.reconcile_arrival(movement=movement, arrived=arrived, on=on, by=by)
    for household in Household.objects.filter(
        pk__in=movement.passengers.values("household")
    ).distinct():
        casework.follow_household(household)
        tracing.check_new_people(list(household.members.all()), by=by)
    return follow_ups
