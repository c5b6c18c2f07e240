"""Reads of the registry that pages and the API share, always scoped to the user's sites.

A read that hands a person's data to a page or the API writes its own audit entry (`purpose`
says which page or use it was for); pass `purpose=None` only when the use case that follows
is audited itself (saving a note, a referral)."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, Max, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from refuge.audit import services as audit
from refuge.registry.models import Document, Household, Person, PersonNameToken
from refuge.registry.search import name_tokens, normalise_document_number

SEARCH_LIMIT = 50
# Longer than any name, number or three words of names; a longer query is refused, not cut.
SEARCH_MAX_CHARS = 200


def _token_prefix(token: str) -> Q:
    if connection.vendor == "sqlite":
        # SQLite's LIKE cannot use the index; a binary range on the same column can.
        return Q(token__gte=token, token__lt=token + "\U0010ffff")
    return Q(token__startswith=token)


def households_for(user) -> QuerySet[Household]:
    return Household.objects.visible_to(user).select_related("current_site", "registered_at")


def household_detail(
    user, pk: int, *, purpose: str | None = "household", action: str = audit.Action.VIEW
) -> Household:
    members = Person.objects.select_related("origin", "origin__parent").prefetch_related(
        "documents", "needs", "consents"
    )
    household = (
        households_for(user)
        .prefetch_related(Prefetch("members", queryset=members), "stays__site")
        .get(pk=pk)
    )
    if purpose:
        audit.record(actor=user, action=action, target=household, detail={"page": purpose})
    return household


def person_detail(user, pk: int, *, purpose: str | None = "person") -> Person:
    person = (
        Person.objects.visible_to(user)
        .select_related("household", "household__current_site", "origin", "origin__parent")
        .prefetch_related("documents", "needs", "consents")
        .get(pk=pk)
    )
    if purpose:
        audit.record(actor=user, action=audit.Action.VIEW, target=person, detail={"page": purpose})
    return person


def person_history(person: Person, limit: int = 50):
    """The registrations and changes of a person, newest first, from the audit trail."""
    from refuge.audit.models import AuditEntry

    return AuditEntry.objects.filter(
        object_type="registry.person",
        object_id=str(person.pk),
        action__in=[audit.Action.CREATE, audit.Action.CHANGE],
    ).order_by("-seq")[:limit]


def may_read_field(user, field: str, household: Household) -> bool:
    """A field-level rule of accounts.roles.FIELD_READERS: the role, and the consent it needs
    from every member of the household (a phone is for calling people who agreed to it)."""
    from refuge.accounts.roles import field_rule

    roles, scope = field_rule(field)
    if user.role not in roles:
        return False
    return scope is None or all(p.consents_to(scope) for p in household.members.all())


def search_people(user, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Find people by registration number, document number, or the start of their names.

    Every word typed must begin one of the person's names, in whichever script it was typed.
    Each lookup starts from an index (registration number, document number, name token) and
    only then applies the user's site scope to the few rows it found.
    """
    query = (query or "").strip()
    if not query:
        return []
    if len(query) > SEARCH_MAX_CHARS:
        raise ValidationError(
            {
                "q": _("Search for at most %(count)d characters.") % {"count": SEARCH_MAX_CHARS},
            }
        )
    results = _search(user, query, limit)
    audit.record(
        actor=user,
        action=audit.Action.SEARCH,
        object_type="registry.person",
        detail={"query": query, "results": [p.pk for p in results]},
    )
    return results


def _search(user, query: str, limit: int) -> list[Person]:
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
