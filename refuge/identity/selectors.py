"""Reads of identity resolution: the instant check, the review queue, a person's other records."""

from __future__ import annotations

import math
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
    stored_key,
)
from refuge.matching.compare import (
    Decision,
    PersonComparison,
    PreparedRecord,
    compare_people,
    prepare,
    prior_log_odds,
    score_pair,
)
from refuge.matching.records import PersonRecord
from refuge.registry.models import NAME_FIELDS, SCRIPTS, Household, Person

# The people sharing the most keys with the query (ties by id) that are scored: a common name
# and birth year share one key with hundreds, among them the person's earlier registration,
# which the engine's score, not the count of keys shared, tells from the namesakes.
CANDIDATE_POOL = 120
# The old name of the pool (it was the 25 compared), for callers elsewhere that import it.
MAX_CANDIDATES = CANDIDATE_POOL
# Of the pool, ranked by the engine's score (`score_pair`), this many per member are read
# in full (documents, site) and compared one by one for the reasons the clerk is shown.
_COMPARED_IN_FULL = 8
# The instant check shows a clerk who is registering someone the registrations the engine puts
# at a chance of one in a hundred or more, below the dedupe run's "possible" band: nothing is
# merged, the clerk looks and answers, and at a million an earlier registration with one field
# missing and another off (a father's name left out, a birth year off by one) scores there.
# Vetoed pairs (another given name, a birth year far off) are never shown.
INSTANT_SUGGESTION_PROBABILITY = 0.01
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


def _lookup_keys(records: list[PersonRecord]) -> set[str]:
    """The keys the instant check looks up for some records: their own, and their dated keys
    at the birth year before and after. A year written one off (an estimated age, a slip) and
    one other field missing (a father's name left out) leave two registrations of one person
    no key in common; the registry's keys stay as they are, only the query asks for more."""
    keys = indexed_keys(records)
    for record in records:
        birth = prepare(record).birth
        if birth is None:
            continue
        for year in (birth.year - 1, birth.year + 1):
            keys |= {
                key
                for key in indexed_keys([replace(record, birth_date=f"{year:04d}")])
                if key.split(":", 1)[0] in _DATED_KEYS
            }
    return keys


# Keys that carry the birth year (refuge.matching.keys), looked up at the neighbouring years.
_DATED_KEYS = ("gfy", "gpy", "pfy", "gmy")
_LIGHT_FIELDS = (
    "pk",
    "household_id",
    *NAME_FIELDS,
    "sex",
    "birth_date",
    "birth_date_precision",
    "origin__pcode",
    "origin_village",
)


def _ranked_by_score(
    ours: list[PersonRecord], pool: list[int], rows: dict[int, tuple], document_holders: set[int]
) -> list[int]:
    """The pool's people ranked by the engine's log-odds (`score_pair`, the figures of
    compare_people without its reasons) of their best record against ours, vetoed pairs left
    out, ties in the pool's order. A candidate's document is known here only by the key it
    shares: the same number as ours where it holds our document key, else left out."""
    document = next((r.document_number for r in ours if r.document_number), "")
    prepared = [prepare(r) for r in ours]
    prior = prior_log_odds(registry_size())
    best: dict[int, float] = {}
    for pk in pool:
        row = rows.get(pk)
        if row is None:
            continue
        for theirs in _light_records(row, document if pk in document_holders else ""):
            for record in prepared:
                total, veto, _cap = score_pair(record, theirs, None, prior)
                if not veto and total > best.get(pk, -math.inf):
                    best[pk] = total
    order = {pk: n for n, pk in enumerate(pool)}
    return sorted(best, key=lambda pk: (-best[pk], order[pk]))


def _light_records(row: tuple, document: str) -> list[PreparedRecord]:
    """`person_records` of a row of `_LIGHT_FIELDS`, prepared, with `document` for theirs. The
    registry stores names cleaned (clean_name), so they are not cleaned again."""
    names = row[2 : 2 + len(NAME_FIELDS)]
    sex, birth, precision, pcode, village = row[2 + len(NAME_FIELDS) :]
    by_field = dict(zip(NAME_FIELDS, names, strict=True))
    records = []
    for script in SCRIPTS:
        given, family = by_field[f"given_name_{script}"], by_field[f"family_name_{script}"]
        if not (given or family):
            continue
        records.append(
            PreparedRecord(
                PersonRecord(
                    record_id=f"{row[0]}:{script}",
                    household_ref=str(row[1]),
                    given_name=given,
                    father_name=by_field[f"father_name_{script}"].strip(),
                    family_name=family,
                    mother_name=by_field[f"mother_name_{script}"].strip(),
                    sex=sex,
                    birth_date=engine_birth_date(birth, precision),
                    origin=pcode or village,
                    document_number=document,
                )
            )
        )
    return records


def _is_vetoed(comparison: PersonComparison) -> bool:
    return any(r.field == "decision" and r.code == "vetoed" for r in comparison.reasons)


def _is_suggested(comparison: PersonComparison) -> bool:
    return not _is_vetoed(comparison) and (
        comparison.decision != Decision.NON_MATCH
        or comparison.probability >= INSTANT_SUGGESTION_PROBABILITY
    )


def _best_comparisons(ours, people, records_of, population: int) -> list:
    """Each person's best comparison between any of their records and any of ours, as
    (comparison, person), those not to suggest (`_is_suggested`) left out, the likeliest first
    (ties in the people's order)."""
    found = []
    for person in people:
        best = None
        for theirs in records_of(person):
            for record in ours:
                comparison = compare_people(record, theirs, population=population)
                if _is_vetoed(comparison):
                    continue
                if best is None or comparison.log_odds > best.log_odds:
                    best = comparison
        if best is not None and _is_suggested(best):
            found.append((best, person))
    found.sort(key=lambda item: -item[0].log_odds)
    return found


def _suggestions(
    records: dict[int, list[PersonRecord]],
    *,
    limit: int = INSTANT_LIMIT,
    exclude_household: int | None = None,
) -> dict[int, list[tuple[PersonComparison, Person]]]:
    """For each member (by index) the registrations to suggest, best first (`_suggestions_for`
    of one household)."""
    return _suggestions_for([records], limit=limit, exclude_household=exclude_household)[0]


def _suggestions_for(
    households: list[dict[int, list[PersonRecord]]],
    *,
    unseen: list[set[int]] | None = None,
    limit: int = INSTANT_LIMIT,
    exclude_household: int | None = None,
) -> list[dict[int, list[tuple[PersonComparison, Person]]]]:
    """For each household, for each member (by index), the registrations to suggest, best
    first: the people sharing the most lookup keys with them (`CANDIDATE_POOL`, ties by id;
    `unseen[k]` left out for household k), ranked by the engine's score (`_ranked_by_score`),
    the best `_COMPARED_IN_FULL` compared in full, those `_is_suggested` kept, at most `limit`.
    Four queries for any number of households (an import registers thousands): the keys, the
    pools' fields, the few people read in full and their documents."""
    unseen = unseen or [set() for _household in households]
    keys = [{index: _lookup_keys(r) for index, r in records.items()} for records in households]
    wanted = set().union(*(k for keys_of in keys for k in keys_of.values()))
    if not wanted:
        return [{} for _household in households]
    holders: dict[str, list[int]] = {}
    for key, person_id in PersonKey.objects.filter(key__in=wanted).values_list("key", "person_id"):
        holders.setdefault(key, []).append(person_id)
    pools: list[dict[int, list[int]]] = []
    for keys_of, hidden in zip(keys, unseen, strict=True):
        pools_of = {}
        for index, member_keys in keys_of.items():
            shared = Counter(
                pk for key in member_keys for pk in holders.get(key, ()) if pk not in hidden
            )
            ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
            if ranked:
                pools_of[index] = [pk for pk, _count in ranked[:CANDIDATE_POOL]]
        pools.append(pools_of)
    everyone = set().union(*(pool for pools_of in pools for pool in pools_of.values()))
    if not everyone:
        return [{} for _household in households]
    light = Person.objects.filter(pk__in=everyone)
    if exclude_household:
        light = light.exclude(household_id=exclude_household)
    rows = {row[0]: row for row in light.values_list(*_LIGHT_FIELDS)}
    shortlists: list[dict[int, list[int]]] = []
    for records, pools_of in zip(households, pools, strict=True):
        shortlists_of = {}
        for index, pool in pools_of.items():
            document_holders = {
                pk
                for r in records[index]
                if r.document_number
                for pk in holders.get(stored_key("doc:" + prepare(r).document), ())
            }
            ranked = _ranked_by_score(records[index], pool, rows, document_holders)
            shortlists_of[index] = ranked[:_COMPARED_IN_FULL]
        shortlists.append(shortlists_of)
    people = {
        person.pk: person
        for person in Person.objects.filter(
            pk__in=set().union(*(ids for of in shortlists for ids in of.values()))
        )
        .select_related("household__current_site", "household__registered_at", "origin")
        .prefetch_related("documents")
    }
    theirs = {pk: person_records(person) for pk, person in people.items()}
    population = registry_size()
    told = []
    for records, shortlists_of in zip(households, shortlists, strict=True):
        found = {}
        for index, shortlist in shortlists_of.items():
            best = _best_comparisons(
                records[index],
                [people[pk] for pk in shortlist if pk in people],
                lambda person: theirs[person.pk],
                population,
            )[:limit]
            if best:
                found[index] = best
        told.append(found)
    return told


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
    found = _suggestions({0: records}, limit=limit, exclude_household=exclude_household)
    return [
        _instant_match(comparison, person, comparison.reasons)
        for comparison, person in found.get(0, [])
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
    without any left out), in four queries for the household instead of four a member (an
    import registers thousands of households). Each member's suggestions, comparisons and
    order are instant_check's (`_suggestions_for`)."""
    (warnings,) = households_matches(user, [members])
    return warnings


def households_matches(
    user, households: list[list], *, unseen: list[set[int]] | None = None
) -> list[dict[int, list[InstantMatch]]]:
    """household_matches for several households at once (an import's chunk), in four queries
    for all of them. `unseen[k]`, the ids of people the check of household k must not see,
    lets a chunk registered before it is checked tell each household what it would have been
    told checked alone just before it was saved: its own members and those of the households
    after it in the chunk are left out, those before it are in."""
    records = [
        {i: _member_records(member, i) for i, member in enumerate(members)}
        for members in households
    ]
    told = []
    for found_of in _suggestions_for(records, unseen=unseen):
        warnings = {}
        for index, found in found_of.items():
            matches = [
                _instant_match(comparison, person, explain_all(comparison.reasons))
                for comparison, person in found
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
