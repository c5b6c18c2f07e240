"""Reads of the registry that pages and the API share, always scoped to the user's sites."""

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

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
    """
    query = (query or "").strip()
    if not query:
        return []
    people = Person.objects.visible_to(user).select_related("household", "household__current_site")
    compact = query.replace(" ", "").upper()
    by_number = people.filter(household__registration_number=compact)
    if by_number.exists():
        return list(by_number[:limit])
    document = normalise_document_number(query)
    if document:
        by_document = people.filter(
            Exists(Document.objects.filter(person=OuterRef("pk"), number_normalised=document))
        )
        if by_document.exists():
            return list(by_document[:limit])
    tokens = sorted(name_tokens(query), key=len, reverse=True)
    if not tokens:
        return []
    # The longest word is the most selective: start from the people it matches.
    candidates = PersonNameToken.objects.filter(_token_prefix(tokens[0])).values("person_id")
    matches = people.filter(pk__in=candidates)
    for token in tokens[1:]:
        matches = matches.filter(
            Exists(PersonNameToken.objects.filter(Q(person=OuterRef("pk")) & _token_prefix(token)))
        )
    return list(matches.order_by("household__registration_number", "pk")[:limit])
