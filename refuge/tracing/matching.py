"""Tracing's use of the identity engine: a sought person as the engine sees them, their
blocking keys, and the registrations (or other requests' inquirers) that may be them.

Nothing here decides who may see what: services and selectors do. The names, the keys and the
scores are refuge.matching's, the registry's key index is refuge.identity's."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from refuge.identity.models import PersonKey
from refuge.identity.records import person_records
from refuge.identity.selectors import registry_size
from refuge.matching.compare import Decision, PersonComparison, compare_people
from refuge.matching.keys import blocking_keys
from refuge.matching.records import PersonRecord
from refuge.registry.models import Person
from refuge.registry.names import clean_name
from refuge.registry.vocabulary import ConsentScope
from refuge.tracing.models import SoughtPerson, SoughtRelationship, TracingKey, TracingRequest

# People sharing the most keys with the sought person are compared; a relative's description
# is thin (no father's name, an age), so more are compared than the instant check's 25.
MAX_COMPARED = 40
MAX_CANDIDATES = 10
# A relative's description is thin, so the engine's posterior for the right person is often
# below its "possible" band; a candidate is still worth a tracing officer's look down to this,
# unless the engine vetoed it (another given name, a birth far apart).
MIN_PROBABILITY = 0.02
# An estimated age is a few years either way: the keys are made for each year in the range.
YEAR_SPREAD = 2
_CHILDREN = {SoughtRelationship.SON, SoughtRelationship.DAUGHTER}
_SIBLINGS = {SoughtRelationship.BROTHER, SoughtRelationship.SISTER}


@dataclass(frozen=True)
class Found:
    comparison: PersonComparison
    person: Person | None = None
    request: TracingRequest | None = None


def _birth(sought: SoughtPerson, year_shift: int = 0) -> str:
    born = sought.birth_date
    if born is None:
        return ""
    if sought.birth_date_precision in ("year", "estimated") or year_shift:
        return f"{born.year + year_shift:04d}"
    if sought.birth_date_precision == "month":
        return f"{born.year:04d}-{born.month:02d}"
    return born.isoformat()


def sought_record(sought: SoughtPerson, *, year_shift: int = 0) -> PersonRecord:
    """The sought person as a registration, the household filled in from the inquirer: a son
    carries his father's family name, his father's (or mother's) given name is the inquirer's,
    and a brother shares the inquirer's father."""
    request = sought.request
    family = sought.family_name
    father = sought.father_name
    mother = sought.mother_name
    if sought.relationship in _CHILDREN | _SIBLINGS and not family:
        family = request.inquirer_family_name
    if sought.relationship in _CHILDREN:
        if request.inquirer_sex == "m" and not father:
            father = request.inquirer_given_name
        if request.inquirer_sex == "f" and not mother:
            mother = request.inquirer_given_name
    if sought.relationship in _SIBLINGS and not father:
        father = request.inquirer_father_name
    return PersonRecord(
        record_id=f"sought-{sought.pk}",
        given_name=clean_name(sought.given_name),
        father_name=clean_name(father),
        family_name=clean_name(family),
        mother_name=clean_name(mother),
        sex=sought.sex,
        birth_date=_birth(sought, year_shift),
    )


def sought_keys(sought: SoughtPerson) -> set[str]:
    keys = blocking_keys(sought_record(sought))
    if sought.birth_date and sought.birth_date_precision in ("year", "estimated"):
        for shift in range(-YEAR_SPREAD, YEAR_SPREAD + 1):
            keys |= blocking_keys(sought_record(sought, year_shift=shift))
    return keys


def inquirer_records(request: TracingRequest) -> list[PersonRecord]:
    """The inquirer as the engine sees them: their registration if they have one, else what
    they said of themselves."""
    if request.inquirer_person_id:
        return person_records(request.inquirer_person)
    return [
        PersonRecord(
            record_id=f"inquirer-{request.pk}",
            given_name=clean_name(request.inquirer_given_name),
            father_name=clean_name(request.inquirer_father_name),
            family_name=clean_name(request.inquirer_family_name),
            sex=request.inquirer_sex,
        )
    ]


def refresh_keys(request: TracingRequest) -> None:
    """Index the request's sought people and its inquirer, so that new registrations and
    other requests find them."""
    TracingKey.objects.filter(request=request).delete()
    rows = []
    for sought in request.traces.all():
        rows += [
            TracingKey(request=request, sought=sought, side=TracingKey.Side.SOUGHT, key=k[:160])
            for k in sought_keys(sought)
        ]
    inquirer = set().union(*(blocking_keys(r) for r in inquirer_records(request)))
    rows += [
        TracingKey(request=request, side=TracingKey.Side.INQUIRER, key=k[:160]) for k in inquirer
    ]
    TracingKey.objects.bulk_create(rows)


def _best(ours: list[PersonRecord], theirs: list[PersonRecord], population: int):
    best = None
    for a in ours:
        for b in theirs:
            comparison = compare_people(a, b, population=population)
            if best is None or comparison.log_odds > best.log_odds:
                best = comparison
    return best


def _worth_a_look(comparison: PersonComparison | None) -> bool:
    if comparison is None or any(r.code == "vetoed" for r in comparison.reasons):
        return False
    return comparison.decision != Decision.NON_MATCH or comparison.probability >= MIN_PROBABILITY


def _refused_tracing(person: Person) -> bool:
    """A person who withdrew consent to tracing is not offered as a candidate."""
    tracing = [c for c in person.consents.all() if ConsentScope.TRACING in c.scopes]
    return bool(tracing) and all(c.withdrawn_on is not None for c in tracing)


def registry_candidates(sought: SoughtPerson, *, limit: int = MAX_CANDIDATES) -> list[Found]:
    """Registrations at every site that may be the sought person, most likely first."""
    keys = sought_keys(sought)
    if not keys:
        return []
    ids = list(
        PersonKey.objects.filter(key__in=keys)
        .values("person_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared", "person_id")
        .values_list("person_id", flat=True)[:MAX_COMPARED]
    )
    people = (
        Person.objects.filter(pk__in=ids)
        .exclude(pk=sought.request.inquirer_person_id or 0)
        .select_related("household__current_site", "household__registered_at", "origin")
        .prefetch_related("documents", "consents")
    )
    ours = [sought_record(sought)]
    population = registry_size()
    found = []
    for person in people:
        if _refused_tracing(person):
            continue
        best = _best(ours, person_records(person), population)
        if _worth_a_look(best):
            found.append(Found(best, person=person))
    found.sort(key=lambda f: -f.comparison.log_odds)
    # Household context is weighed for the strongest only: it lifts a candidate a few places,
    # and reading every compared person's household costs more than the match itself.
    head = _with_the_inquirer_beside_them(sought, ours, found[: 2 * limit], population)
    found = head + found[2 * limit :]
    found.sort(key=lambda f: -f.comparison.log_odds)
    return found[:limit]


def _with_the_inquirer_beside_them(sought, ours, found: list[Found], population: int):
    """Household context: a candidate registered in one household with someone who may be the
    inquirer (a son with his mother, a brother's family with him) is more likely the one sought,
    as the engine counts people registered together as evidence for each other."""
    if not found:
        return found
    inquirer = inquirer_records(sought.request)
    households = {f.person.household_id for f in found}
    members: dict[int, list[Person]] = {}
    for member in Person.objects.filter(household_id__in=households).prefetch_related("documents"):
        members.setdefault(member.household_id, []).append(member)
    out = []
    for f in found:
        beside = [m for m in members.get(f.person.household_id, []) if m.pk != f.person.pk]
        if any(
            (c := _best(inquirer, person_records(m), population)) is not None
            and c.decision != Decision.NON_MATCH
            for m in beside
        ):
            best = None
            for theirs in person_records(f.person):
                comparison = compare_people(
                    ours[0], theirs, population=population, same_household_evidence=1
                )
                if best is None or comparison.log_odds > best.log_odds:
                    best = comparison
            f = Found(best, person=f.person)
        out.append(f)
    return out


def request_candidates(sought: SoughtPerson) -> list[Found]:
    """Other open requests whose inquirer may be the sought person (two relatives looking for
    each other)."""
    keys = sought_keys(sought)
    ids = (
        TracingKey.objects.filter(key__in=keys, side=TracingKey.Side.INQUIRER)
        .exclude(request=sought.request_id)
        .values_list("request_id", flat=True)
        .distinct()
    )
    requests = TracingRequest.objects.open().filter(pk__in=list(ids)[:MAX_COMPARED])
    ours = [sought_record(sought)]
    population = registry_size()
    found = []
    for other in requests.select_related("inquirer_person"):
        best = _best(ours, inquirer_records(other), population)
        if _worth_a_look(best):
            found.append(Found(best, request=other))
    return found


def sought_by_keys_of(people: list[Person]) -> bool:
    """Whether any open request's sought person shares a blocking key with these people: when
    not, none of them is sought (sought_by_open_requests finds only who shares a key)."""
    keys = {k for person in people for r in person_records(person) for k in blocking_keys(r)}
    return (
        bool(keys) and TracingKey.objects.filter(key__in=keys, side=TracingKey.Side.SOUGHT).exists()
    )


def sought_by_open_requests(person: Person) -> list[tuple[SoughtPerson, PersonComparison]]:
    """Open requests' sought people who may be this (new) registration: the check a
    registration, an import or an arrival runs as it lands."""
    theirs = person_records(person)
    keys = set().union(*(blocking_keys(r) for r in theirs)) if theirs else set()
    if not keys:
        return []
    ids = (
        TracingKey.objects.filter(key__in=keys, side=TracingKey.Side.SOUGHT)
        .values("sought_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared", "sought_id")
        .values_list("sought_id", flat=True)[:MAX_COMPARED]
    )
    sought_people = SoughtPerson.objects.filter(
        pk__in=list(ids), request__closed_on__isnull=True
    ).select_related("request")
    population = registry_size()
    found = []
    for sought in sought_people:
        if sought.status == "closed" or sought.request.inquirer_person_id == person.pk:
            continue
        best = _best([sought_record(sought)], theirs, population)
        if _worth_a_look(best):
            found.append((sought, best))
    return found


def requests_seeking(request: TracingRequest) -> list[tuple[SoughtPerson, PersonComparison]]:
    """Other open requests' sought people who may be this request's inquirer."""
    ours = inquirer_records(request)
    keys = set().union(*(blocking_keys(r) for r in ours))
    ids = (
        TracingKey.objects.filter(key__in=keys, side=TracingKey.Side.SOUGHT)
        .exclude(request=request)
        .values_list("sought_id", flat=True)
        .distinct()
    )
    population = registry_size()
    found = []
    for other in SoughtPerson.objects.filter(
        pk__in=list(ids)[:MAX_COMPARED], request__closed_on__isnull=True
    ).select_related("request"):
        if other.status == "closed":
            continue
        best = _best([sought_record(other)], ours, population)
        if _worth_a_look(best):
            found.append((other, best))
    return found
