"""Reads of the registry that pages and the API share, always scoped to the user's sites."""

from django.db import connection
from django.db.models import Case, Max, Prefetch, Q, QuerySet, Value, When

from refuge.registry.models import Document, Household, Person, PersonNameToken
from refuge.registry.search import name_tokens, normalise_document_number

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


def search_people(user, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Find people by registration number, document number, or the start of their names.

    Every word typed must begin one of the person's names, in whichever script it was typed.
    Each lookup starts from an index (registration number, document number, name token) and
    only then applies the user's site scope to the few rows it found.
    """
    query = (query or "").strip()
    if not query:
        return []
    people = Person.objects.visible_to(user).select_related("household", "household__current_site")
    compact = query.replace(" ", "").upper()
    household_ids = list(
        Household.objects.filter(registration_number=compact).values_list("pk", flat=True)
    )
    if household_ids:
        return list(people.filter(household_id__in=household_ids)[:limit])
    document = normalise_document_number(query)
    if document:
        person_ids = list(
            Document.objects.filter(number_normalised=document).values_list("person_id", flat=True)[
                : limit * 4
            ]
        )
        if person_ids:
            return list(people.filter(pk__in=person_ids)[:limit])
    tokens = sorted(name_tokens(query))
    if not tokens:
        return []
    # One pass over the token index: a person qualifies when every typed word begins one of
    # their names (each word's flag is 1 for at least one of the person's tokens).
    flags = {
        f"w{i}": Max(Case(When(_token_prefix(t), then=Value(1)), default=Value(0)))
        for i, t in enumerate(tokens)
    }
    any_word = Q()
    for token in tokens:
        any_word |= _token_prefix(token)
    matching = (
        PersonNameToken.objects.filter(any_word)
        .values("person_id")
        .annotate(**flags)
        .filter(**{name: 1 for name in flags})
        .values("person_id")
    )
    return list(
        people.filter(pk__in=matching).order_by("household__registration_number", "pk")[:limit]
    )


def people_for(user) -> QuerySet[Person]:
    """Everyone in the households the user may see (the API's people list)."""
    return Person.objects.visible_to(user).select_related("origin")
