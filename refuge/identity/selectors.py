"""Reads of identity resolution: the instant check, the review queue, a person's other records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.audit.models import AuditEntry
from refuge.identity.explain import explain_all
from refuge.identity.models import (
    CandidatePair,
    MatchNotice,
    PairStatus,
    PersonKey,
    SamePersonLink,
)
from refuge.identity.records import (
    engine_birth_date,
    indexed_keys,
    person_records,
    personal_document_number,
    records_from_names,
)
from refuge.matching.compare import Decision, PersonComparison, compare_people
from refuge.matching.records import PersonRecord
from refuge.registry.models import Household, Person

# The 25 people sharing the most keys with the query are compared; a common name and birth
# year can share one key with hundreds, and the true earlier registration shares several.
MAX_CANDIDATES = 25
INSTANT_LIMIT = 5
INSTANT_CHECK = "identity.instant_check"


@dataclass(frozen=True)
class InstantMatch:
    person: Person  # only people at the user's sites: nothing else is told about the others
    site_name: str
    probability: float
    decision: str
    reasons: list[str]
    # The engine's verdict, kept to queue the pair if the clerk registers over the warning.
    comparison: PersonComparison | None = None

    @property
    def is_likely(self) -> bool:
        return self.decision == Decision.MATCH


@dataclass(frozen=True)
class InstantCheck:
    """What the instant check may tell this user: the matches they may see, and only whether
    there is one elsewhere (whose coordinators have been told)."""

    matches: list[InstantMatch]
    elsewhere: bool


class TooManyChecks(Exception):
    """The user ran more instant checks in a minute than anyone typing names does."""


def _checks_in_the_last_minute(user) -> int:
    # Counted from the audit trail, which every check writes to: one count across every
    # server process, and nothing else to keep.
    return AuditEntry.objects.filter(
        actor=user,
        object_type=INSTANT_CHECK,
        at__gte=timezone.now() - timedelta(minutes=1),
    ).count()


def check_registration(user, records: list[PersonRecord]) -> InstantCheck:
    """The instant "already registered?" check, as a use case: rate-limited per user, audited
    with whom it found, and telling about people at other sites only that a match exists
    there, while their coordinators get a MatchNotice naming the person and the clerk."""
    if _checks_in_the_last_minute(user) >= settings.REFUGE_INSTANT_CHECKS_PER_MINUTE:
        audit.record(
            actor=user,
            action=audit.Action.DENIED,
            object_type=INSTANT_CHECK,
            detail={"reason": "rate limit"},
        )
        raise TooManyChecks
    found = instant_check(user, records)
    shown = [m for m in found if user.can_access_site(m.person.household.audit_site_id)]
    hidden = [m.person for m in found if not user.can_access_site(m.person.household.audit_site_id)]
    today = timezone.localdate()
    with transaction.atomic():
        for person in hidden:
            MatchNotice.objects.get_or_create(
                person=person,
                raised_by=user,
                raised_on=today,
                defaults={"site_id": person.household.audit_site_id},
            )
        audit.record(
            actor=user,
            action=audit.Action.SEARCH,
            object_type=INSTANT_CHECK,
            detail={
                "found": [m.person.pk for m in found],
                "shown": [m.person.pk for m in shown],
            },
        )
    return InstantCheck(
        matches=[
            InstantMatch(
                person=m.person,
                site_name=m.site_name,
                probability=m.probability,
                decision=m.decision,
                reasons=explain_all(m.reasons),
                comparison=m.comparison,
            )
            for m in shown
        ],
        elsewhere=bool(hidden),
    )


def match_notices(user, limit: int = 50) -> list:
    """Instant checks at other sites that found people at this coordinator's sites."""
    if not user.can(Capability.REVIEW_DUPLICATES):
        return []
    notices = user.scope(MatchNotice.objects.all()).select_related(
        "person__household", "raised_by", "site"
    )[:limit]
    return list(notices)


def registry_size() -> int:
    """How many people the registry holds (for the engine's prior), counted at most once a
    minute: an exact count of a million rows is not worth paying on every keystroke."""
    size = cache.get("identity:registry_size")
    if size is None:
        size = Person.objects.count()
        cache.set("identity:registry_size", size, 60)
    return max(size, 1000)


def _best_comparisons(ours, people, records_of, population: int) -> list:
    """Each person's best comparison between any of their records and any of ours, as
    (comparison, person), non-matches left out, the likeliest first (ties in the people's
    order)."""
    found = []
    for person in people:
        best = None
        for theirs in records_of(person):
            for record in ours:
                comparison = compare_people(record, theirs, population=population)
                if best is None or comparison.log_odds > best.log_odds:
                    best = comparison
        if best is not None and best.decision != Decision.NON_MATCH:
            found.append((best, person))
    found.sort(key=lambda item: -item[0].log_odds)
    return found


def _instant_match(comparison, person: Person, reasons) -> InstantMatch:
    site = person.household.current_site or person.household.registered_at
    return InstantMatch(
        person=person,
        site_name=site.local_name,
        probability=comparison.probability,
        decision=comparison.decision.value,
        reasons=reasons,
        comparison=comparison,
    )


def instant_check(
    user,
    records: list[PersonRecord],
    *,
    limit: int = INSTANT_LIMIT,
    exclude_household: int | None = None,
) -> list[InstantMatch]:
    """Existing registrations that may be the person being registered, best first, at every
    site, with the engine's reasons unexplained. Not for showing to a user: pages and the API
    call check_registration, which decides what the user may be told."""
    keys = indexed_keys(records)
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
    found = _best_comparisons(records, people, person_records, registry_size())
    return [
        _instant_match(comparison, person, comparison.reasons)
        for comparison, person in found[:limit]
    ]


def review_queue(user):
    """Open pairs whose two registrations are both at sites the user may see."""
    visible = Person.objects.visible_to(user).values("pk")
    return CandidatePair.objects.filter(
        status=PairStatus.OPEN, person_a__in=visible, person_b__in=visible
    ).select_related("person_a__household", "person_b__household")


def review_queue_page(user, page_number):
    """A page of the review queue and the latest match notices, the read audited."""
    from django.core.paginator import Paginator

    page = Paginator(household_review_queue(user), 50).get_page(page_number)
    # One row per household pair, with its member pairs inside it.
    page.object_list = household_pairs(user, list(page.object_list))
    notices = match_notices(user)
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        object_type="identity.queue",
        detail={
            "page": page.number,
            "pairs": [p.pk for hp in page.object_list for p in hp.pairs],
            "notices": [n.pk for n in notices],
        },
    )
    return page, notices


def pair_for(user, pk: int, *, purpose: str | None = "review") -> CandidatePair:
    """A candidate pair whose two registrations the user may both see; reading it for a page
    is a read of both people."""
    pair = _pair_for(user, pk)
    if purpose:
        for person in (pair.person_a, pair.person_b):
            audit.record(
                actor=user, action=audit.Action.VIEW, target=person, detail={"pair": pair.pk}
            )
    return pair


def _pair_for(user, pk: int) -> CandidatePair:
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


def _member_records(member, index: int) -> list[PersonRecord]:
    """A member as the registration form hands them over, as the engine's records."""
    return records_from_names(
        member.names,
        record_id=f"new-{index}",
        sex=member.sex,
        birth_date=engine_birth_date(member.birth_date, member.birth_date_precision),
        document_number=next(
            (
                number
                for d in member.documents
                if (number := personal_document_number(d.doc_type, d.number))
            ),
            "",
        ),
    )


def member_matches(user, member, *, index: int = 0) -> list[InstantMatch]:
    """The instant check for one member as the registration form hands them over, as this
    user may be told it: matches at their sites, reasons explained. Matches elsewhere are
    check_registration's to notify; the caller audits what it shows."""
    return [
        replace(m, reasons=explain_all(m.reasons))
        for m in instant_check(user, _member_records(member, index))
        if user.can_access_site(m.person.household.audit_site_id)
    ]


def household_matches(user, members: list) -> dict[int, list[InstantMatch]]:
    """member_matches for every member of a household being registered, by index (members
    without any left out), in two queries for the household instead of two a member (an
    import registers thousands of households). Each member's candidates, comparisons and
    order are instant_check's: the people sharing the most keys with them (ties by id), the
    MAX_CANDIDATES first compared, the INSTANT_LIMIT best that are not non-matches kept."""
    (warnings,) = households_matches(user, [members])
    return warnings


def households_matches(
    user, households: list[list], *, unseen: list[set[int]] | None = None
) -> list[dict[int, list[InstantMatch]]]:
    """household_matches for several households at once (an import's chunk), in two queries
    for all of them. `unseen[k]`, the ids of people the check of household k must not see,
    lets a chunk registered before it is checked tell each household what it would have been
    told checked alone just before it was saved: its own members and those of the households
    after it in the chunk are left out, those before it are in."""
    unseen = unseen or [set() for _household in households]
    records = [
        {i: _member_records(member, i) for i, member in enumerate(members)}
        for members in households
    ]
    keys = [{i: indexed_keys(r) for i, r in records_of.items()} for records_of in records]
    wanted = set().union(*(k for keys_of in keys for k in keys_of.values()))
    if not wanted:
        return [{} for _household in households]
    holders: dict[str, list[int]] = {}
    for key, person_id in PersonKey.objects.filter(key__in=wanted).values_list("key", "person_id"):
        holders.setdefault(key, []).append(person_id)
    candidates: list[dict[int, set[int]]] = []
    for keys_of, hidden in zip(keys, unseen, strict=True):
        found: dict[int, set[int]] = {}
        for index, member_keys in keys_of.items():
            shared = Counter(
                pk for key in member_keys for pk in holders.get(key, ()) if pk not in hidden
            )
            ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
            if ranked:
                found[index] = {pk for pk, _count in ranked[:MAX_CANDIDATES]}
        candidates.append(found)
    everyone = set().union(*(ids for found in candidates for ids in found.values()))
    if not everyone:
        return [{} for _household in households]
    # In the registry's own order, as instant_check meets them (it breaks ties of log-odds).
    people = list(
        Person.objects.filter(pk__in=everyone)
        .select_related("household__current_site", "household__registered_at", "origin")
        .prefetch_related("documents")
    )
    theirs = {person.pk: person_records(person) for person in people}
    by_id = {person.pk: person for person in people}
    place = {person.pk: position for position, person in enumerate(people)}
    population = registry_size()
    told = []
    for records_of, found in zip(records, candidates, strict=True):
        warnings = {}
        for index, ids in found.items():
            best = _best_comparisons(
                records_of[index],
                [by_id[pk] for pk in sorted(ids, key=place.__getitem__)],
                lambda person: theirs[person.pk],
                population,
            )
            matches = [
                _instant_match(comparison, person, explain_all(comparison.reasons))
                for comparison, person in best[:INSTANT_LIMIT]
                if user.can_access_site(person.household.audit_site_id)
            ]
            if matches:
                warnings[index] = matches
        told.append(warnings)
    return told


@dataclass(frozen=True)
class HouseholdPair:
    """Two households that may be one family registered twice, with their member pairs."""

    household_a: Household
    household_b: Household
    pairs: list[CandidatePair]

    @property
    def best(self) -> CandidatePair:
        return self.pairs[0]

    @property
    def clerk_reasons(self) -> list[str]:
        return list(dict.fromkeys(p.clerk_reason for p in self.pairs if p.clerk_reason))


def _household_key():
    return {
        "household_low": Least("person_a__household_id", "person_b__household_id"),
        "household_high": Greatest("person_a__household_id", "person_b__household_id"),
    }


def _strength():
    # Probabilities of strong pairs differ only far after the decimal point; log-odds break ties.
    return Coalesce("log_odds", Value(0.0))


def household_review_queue(user):
    """Open pairs grouped by the two households they join, strongest first: one row per
    household pair (a family typed twice is one decision to prepare, not six)."""
    return (
        review_queue(user)
        .annotate(**_household_key())
        .values("household_low", "household_high")
        .annotate(pairs=Count("pk"), best=Max("probability"), strength=Max(_strength()))
        .order_by("-best", "-strength", "household_low", "household_high")
    )


def household_pairs(user, groups) -> list[HouseholdPair]:
    """The household pairs for rows of `household_review_queue`, with their open pairs."""
    if not groups:
        return []
    wanted = Q()
    for g in groups:
        wanted |= Q(household_low=g["household_low"], household_high=g["household_high"])
    pairs = (
        review_queue(user)
        .annotate(**_household_key())
        .filter(wanted)
        .select_related(
            "person_a__household__current_site",
            "person_a__origin",
            "person_b__household__current_site",
            "person_b__origin",
        )
        .order_by("-probability", _strength().desc(), "pk")
    )
    grouped: dict[tuple[int, int], list[CandidatePair]] = {}
    for pair in pairs:
        grouped.setdefault((pair.household_low, pair.household_high), []).append(pair)
    households = Household.objects.in_bulk(
        {pk for g in groups for pk in (g["household_low"], g["household_high"])}
    )
    return [
        HouseholdPair(
            households[g["household_low"]],
            households[g["household_high"]],
            grouped.get((g["household_low"], g["household_high"]), []),
        )
        for g in groups
        if (g["household_low"], g["household_high"]) in grouped
    ]


def household_pair_for(user, household_a: int, household_b: int) -> HouseholdPair:
    """One household pair with its open member pairs; DoesNotExist if the user sees none."""
    low, high = sorted((household_a, household_b))
    group = {"household_low": low, "household_high": high}
    found = household_pairs(user, [group])
    if not found:
        raise CandidatePair.DoesNotExist
    for pair in found[0].pairs:
        for person in (pair.person_a, pair.person_b):
            audit.record(
                actor=user, action=audit.Action.VIEW, target=person, detail={"pair": pair.pk}
            )
    return found[0]
