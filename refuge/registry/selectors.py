"""Reads of the registry that pages and the API share, always scoped to the user's sites."""

from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Case, F, Max, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from refuge.registry.models import Document, Household, Person, PersonNameToken
from refuge.registry.search import (
    MAX_QUERY_LENGTH,
    name_tokens,
    normalise_document_number,
    query_sound_tokens,
    registration_number_candidates,
    registration_number_from_slip,
)

SEARCH_LIMIT = 50


def _token_prefix(token: str) -> Q:
    if connection.vendor == "sqlite":
        # SQLite's LIKE cannot use the index; a binary range on the same column can.
        return Q(token__gte=token, token__lt=token + "\U0010ffff")
    return Q(token__startswith=token)


def households_for(user) -> QuerySet[Household]:
    return Household.objects.visible_to(user).select_related("current_site", "registered_at")


def household_detail(user, pk: int) -> Household:
    members = Person.objects.select_related("origin", "origin__parent").prefetch_related(
        "documents", "needs", "consents"
    )
    return (
        households_for(user)
        .prefetch_related(Prefetch("members", queryset=members), "stays__site")
        .get(pk=pk)
    )


def person_detail(user, pk: int) -> Person:
    return (
        Person.objects.visible_to(user)
        .select_related("household", "household__current_site", "origin", "origin__parent")
        .prefetch_related("documents", "needs", "consents")
        .get(pk=pk)
    )


class FoundBy(models.TextChoices):
    """Why a person is in Find's results, strongest first."""

    REGISTRATION_NUMBER = "registration_number", _("Registration number")
    DOCUMENT_NUMBER = "document_number", _("Document number")
    NAME = "name", _("Name as typed")
    NAME_PREFIX = "name_prefix", _("Name begins as typed")
    SOUND = "sound", _("Same name in another script")


@dataclass(frozen=True)
class Found:
    person: Person
    reason: FoundBy

    @property
    def reason_label(self) -> str:
        return self.reason.label


def _scoped_tokens(user) -> QuerySet[PersonNameToken]:
    # A join, not an IN over every visible person: the token index finds the few rows first.
    tokens = PersonNameToken.objects.all()
    if user.site_ids is None:
        return tokens
    return tokens.filter(
        Q(person__household__current_site__in=user.site_ids)
        | Q(
            person__household__current_site__isnull=True,
            person__household__registered_at__in=user.site_ids,
        )
    )


def _flag(condition: Q) -> Max:
    return Max(Case(When(condition, then=Value(1)), default=Value(0)))


def _by_names(user, query: str, limit: int) -> list[Found]:
    typed = sorted(name_tokens(query))
    sounds = query_sound_tokens(query)
    if not typed and not sounds:
        return []
    # One pass over the token index: a person qualifies when every typed word begins one of
    # their names, or when every name in the query has the same skeleton as one of theirs.
    flags = {f"t{i}": _flag(_token_prefix(t)) for i, t in enumerate(typed)}
    exact = {f"e{i}": _flag(Q(token=t)) for i, t in enumerate(typed)}
    heard = {f"s{i}": _flag(Q(token=s)) for i, s in enumerate(sounds)}
    rows = Q(token__in=sounds)
    for token in typed:
        rows |= _token_prefix(token)
    qualifies = Q()
    for names in (flags, heard):
        if names:
            qualifies |= Q(**{name: 1 for name in names})
    score = Value(0)
    for name in (*flags, *exact, *heard):
        score = score + F(name)
    matching = (
        _scoped_tokens(user)
        .filter(rows)
        .values("person_id")
        .annotate(**flags, **exact, **heard)
        .filter(qualifies)
        .annotate(score=score)
        .order_by("-score", "person_id")
        .values_list("person_id", *flags, *exact, *heard)[:limit]
    )
    found = {}
    for person_id, *values in matching:
        marks = dict(zip((*flags, *exact, *heard), values, strict=True))
        if flags and all(marks[name] for name in flags):
            reason = FoundBy.NAME if all(marks[name] for name in exact) else FoundBy.NAME_PREFIX
        else:
            reason = FoundBy.SOUND
        found[person_id] = reason
    people = (
        Person.objects.visible_to(user)
        .select_related("household", "household__current_site")
        .in_bulk(found)
    )
    order = list(FoundBy)
    ranked = sorted(found, key=lambda pk: order.index(found[pk]))
    return [Found(people[pk], found[pk]) for pk in ranked if pk in people]


def find_people(user, query: str, limit: int = SEARCH_LIMIT) -> list[Found]:
    """Find people by registration number, document number, or their names in any script,
    best first, each with the reason it was found.

    Numbers are found whatever their case, spaces or hyphens. Names are found by the start of
    each word as typed, or across scripts by the matching package's skeletons (Абдулрахман
    finds عبد الرحمن). Each lookup starts from an index (registration number, document number,
    name token) and only then applies the user's site scope to the rows it found.
    """
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    people = Person.objects.visible_to(user).select_related("household", "household__current_site")
    slip = registration_number_from_slip(query)
    numbers = [slip] if slip else registration_number_candidates(query)
    household_ids = list(
        Household.objects.filter(registration_number__in=numbers).values_list("pk", flat=True)
    )
    if household_ids:
        return [
            Found(p, FoundBy.REGISTRATION_NUMBER)
            for p in people.filter(household_id__in=household_ids)[:limit]
        ]
    document = normalise_document_number(query)
    if document:
        person_ids = list(
            Document.objects.filter(number_normalised=document).values_list("person_id", flat=True)[
                : limit * 4
            ]
        )
        if person_ids:
            return [
                Found(p, FoundBy.DOCUMENT_NUMBER) for p in people.filter(pk__in=person_ids)[:limit]
            ]
    return _by_names(user, query, limit)


def search_people(user, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """The people `find_people` finds, best first, without the reasons."""
    return [found.person for found in find_people(user, query, limit)]


def household_for_slip(user, text: str) -> Household | None:
    """The household whose slip's QR address a scanner typed into Find, if the user may see it."""
    number = registration_number_from_slip(text)
    if not number:
        return None
    return households_for(user).filter(registration_number=number).first()
