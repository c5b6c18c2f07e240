"""Reads of identity resolution: the instant check, the review queue, a person's other records."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q

from refuge.identity.explain import explain_all
from refuge.identity.models import CandidatePair, PairStatus, PersonKey, SamePersonLink
from refuge.identity.records import person_records
from refuge.matching.compare import Decision, compare_people
from refuge.matching.keys import blocking_keys
from refuge.matching.records import PersonRecord
from refuge.registry.models import Person

# The 25 people sharing the most keys with the query are compared; a common name and birth
# year can share one key with hundreds, and the true earlier registration shares several.
MAX_CANDIDATES = 25
INSTANT_LIMIT = 5


@dataclass(frozen=True)
class InstantMatch:
    person: Person | None  # None when the registration is at a site the user may not see
    site_name: str
    probability: float
    decision: str
    reasons: list[str]


def registry_size() -> int:
    """How many people the registry holds (for the engine's prior), counted at most once a
    minute: an exact count of a million rows is not worth paying on every keystroke."""
    size = cache.get("identity:registry_size")
    if size is None:
        size = Person.objects.count()
        cache.set("identity:registry_size", size, 60)
    return max(size, 1000)


def instant_check(
    user,
    records: list[PersonRecord],
    *,
    limit: int = INSTANT_LIMIT,
    exclude_household: int | None = None,
) -> list[InstantMatch]:
    """Existing registrations that may be the person being registered, best first."""
    keys: set[str] = set()
    for record in records:
        keys |= blocking_keys(record)
    if not keys:
        return []
    ids = list(
        PersonKey.objects.filter(key__in=keys)
        .values("person_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared", "person_id")
        .values_list("person_id", flat=True)[:MAX_CANDIDATES]
    )
    people = (
        Person.objects.filter(pk__in=ids)
        .select_related("household__current_site", "household__registered_at", "origin")
        .prefetch_related("documents")
    )
    if exclude_household:
        people = people.exclude(household_id=exclude_household)
    population = registry_size()
    found = []
    for person in people:
        best = None
        for theirs in person_records(person):
            for ours in records:
                comparison = compare_people(ours, theirs, population=population)
                if best is None or comparison.log_odds > best.log_odds:
                    best = comparison
        if best is not None and best.decision != Decision.NON_MATCH:
            found.append((best, person))
    found.sort(key=lambda item: -item[0].log_odds)
    matches = []
    for comparison, person in found[:limit]:
        site = person.household.current_site or person.household.registered_at
        visible = user.can_access_site(person.household.audit_site_id)
        matches.append(
            InstantMatch(
                person=person if visible else None,
                site_name=site.local_name,
                probability=comparison.probability,
                decision=comparison.decision.value,
                reasons=explain_all(comparison.reasons) if visible else [],
            )
        )
    return matches


def review_queue(user):
    """Open pairs whose two registrations are both at sites the user may see."""
    visible = Person.objects.visible_to(user).values("pk")
    return CandidatePair.objects.filter(
        status=PairStatus.OPEN, person_a__in=visible, person_b__in=visible
    ).select_related("person_a__household", "person_b__household")


def pair_for(user, pk: int) -> CandidatePair:
    visible = Person.objects.visible_to(user).values("pk")
    return (
        CandidatePair.objects.filter(person_a__in=visible, person_b__in=visible)
        .select_related(
            "person_a__household__current_site",
            "person_a__origin",
            "person_b__household__current_site",
            "person_b__origin",
        )
        .get(pk=pk)
    )


def same_person_links(person: Person) -> list[SamePersonLink]:
    """Live links reaching this person, directly or through other registrations."""
    seen, frontier, links = {person.pk}, [person.pk], {}
    while frontier:
        live = SamePersonLink.objects.filter(
            Q(person_a__in=frontier) | Q(person_b__in=frontier), undone_at__isnull=True
        ).select_related("person_a__household", "person_b__household")
        frontier = []
        for link in live:
            links[link.pk] = link
            for pk in (link.person_a_id, link.person_b_id):
                if pk not in seen:
                    seen.add(pk)
                    frontier.append(pk)
    return list(links.values())


def other_registrations(user, person: Person) -> list[tuple[Person | None, SamePersonLink]]:
    """The person's other registrations (None where the user may not see them)."""
    rows = []
    for link in same_person_links(person):
        for other in (link.person_a, link.person_b):
            if other.pk != person.pk:
                visible = user.can_access_site(other.household.audit_site_id)
                rows.append((other if visible else None, link))
    return rows
