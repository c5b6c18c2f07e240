"""Reads of the registry that pages and the API share, always scoped to the user's sites.

A read that hands a person's data to a page or the API writes its own audit entry (`purpose`
says which page or use it was for); pass `purpose=None` only when the use case that follows
is audited itself (saving a note, a referral)."""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from refuge.audit import services as audit
from refuge.registry.models import (
    NAME_FIELDS,
    Consent,
    Document,
    Household,
    Person,
    PersonNameToken,
    document_number_index,
)
from refuge.registry.search import (
    MAX_QUERY_LENGTH,
    closeness,
    name_tokens,
    query_birth_year,
    query_combination_tokens,
    query_name_tokens,
    query_sound_tokens,
    registration_number_candidates,
    registration_number_from_slip,
)

# What a clerk reads on a tablet before adding a word: the nearest 20 of up to 60 found.
SEARCH_LIMIT = 20
SEARCH_CANDIDATES = 60
# Namesakes read from a combination token (registry.search.combination_tokens) at most.
COMBINATION_ROWS = 100
TOKEN_MAX = 80  # PersonNameToken.token
# Longer than any name, number or three words of names; a longer query is refused, not cut.
SEARCH_MAX_CHARS = 200
# Find reads at most this many index entries of its rarest word at a time, a few times over.
DRIVER_ROWS = 2000
DRIVER_BATCHES = 3
# Enough index entries to tell a rare word from a common one.
COUNT_ROWS = 500


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


def households_reading_field(user, field: str, households) -> set[int]:
    """The ids of `households` (a queryset) whose `field` this user may read: may_read_field's
    rule for many households at once, in one query for the consents instead of one a member
    (an export of a whole site)."""
    from refuge.accounts.roles import field_rule

    roles, scope = field_rule(field)
    if user.role not in roles:
        return set()
    if scope is None:
        return set(households.values_list("pk", flat=True))
    members = Person.objects.filter(household__in=households)
    # Consent is a JSON list, which SQLite cannot search: the scope is looked for in Python.
    consenting = {
        pk
        for pk, scopes in Consent.objects.filter(person__in=members, withdrawn_on__isnull=True)
        .values_list("person_id", "scopes")
        .iterator()
        if scope in scopes
    }
    readable: dict[int, bool] = {}
    for pk, household_id in members.values_list("pk", "household_id").iterator():
        readable[household_id] = readable.get(household_id, True) and pk in consenting
    return {household_id for household_id, ok in readable.items() if ok}


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


def _visible(user, ids: list[int]) -> list[int]:
    """The people among `ids` at the user's sites. Checked from their primary keys: a query
    filtering on the sites lets the planner start from every household of those sites."""
    sites = user.site_ids  # one query, not one per person
    if not ids or sites is None:
        return ids
    rows = (
        Person.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "household__current_site_id", "household__registered_at_id")
    )
    return [pk for pk, current, registered in rows if (current or registered) in sites]


def _term(token: str, *, prefix: bool) -> Q:
    return _token_prefix(token) if prefix else Q(token=token)


def _people_with_all(
    user, terms: list[Q], limit: int, *, batches: int = DRIVER_BATCHES
) -> list[int]:
    """Ids of people at the user's sites having a token for every term, at most `limit`.

    Starts from the rarest term, counted only up to COUNT_ROWS index entries, so that a common
    name ("Mohammed") costs no more than a rare one; the other terms are then checked only for
    the people the rarest one found, DRIVER_ROWS at a time."""
    sizes = []
    for term in terms:
        size = PersonNameToken.objects.filter(term)[:COUNT_ROWS].count()
        if not size:
            return []
        sizes.append(size)
    order = sorted(range(len(terms)), key=sizes.__getitem__)
    driver, others = terms[order[0]], [terms[i] for i in order[1:]]
    # In index order (no ORDER BY, which would sort every entry of a short prefix first).
    rows = PersonNameToken.objects.filter(driver).order_by()
    found: list[int] = []
    for batch in range(batches):
        # One statement per batch: the rarest term's next people, narrowed by every other term.
        people = rows.values("person_id")[batch * DRIVER_ROWS : (batch + 1) * DRIVER_ROWS]
        for term in others:
            people = PersonNameToken.objects.filter(term, person_id__in=people).values("person_id")
        ids = _visible(user, sorted({row["person_id"] for row in people}))
        found += [pk for pk in ids if pk not in found]
        if len(found) >= limit or sizes[order[0]] < COUNT_ROWS:
            break
    return found[:limit]


def _by_names(user, query: str, limit: int) -> list[Found]:
    typed = sorted(name_tokens(query))
    sounds = query_sound_tokens(query)
    pool = max(limit, SEARCH_CANDIDATES)
    found: dict[int, FoundBy] = {}
    combinations = [t[:TOKEN_MAX] for t in query_combination_tokens(query)]
    if combinations:
        # Everyone whose two or three names sound as typed, from one index entry each, so
        # that among many namesakes the ranking below sees the nearest, not the first.
        ids = list(
            PersonNameToken.objects.filter(token__in=combinations)
            .order_by()
            .values_list("person_id", flat=True)[:COMBINATION_ROWS]
        )
        for pk in _visible(user, sorted(set(ids))):
            found[pk] = FoundBy.SOUND
    # Once the combination token has found the namesakes, the word indexes only add people
    # whose names begin as typed or sit in other fields: one batch of the rarest word is
    # enough for those, where three of a common name cost the most of any lookup here.
    batches = 1 if found else DRIVER_BATCHES
    if typed:
        ids = _people_with_all(user, [_term(t, prefix=True) for t in typed], pool, batches=batches)
        whole_words = Counter(
            PersonNameToken.objects.filter(person_id__in=ids, token__in=typed).values_list(
                "person_id", flat=True
            )
        )
        for pk in ids:
            found[pk] = FoundBy.NAME if whole_words[pk] >= len(typed) else FoundBy.NAME_PREFIX
        # Written as typed is a stronger reason than sounding alike.
        typed_whole = Counter(
            PersonNameToken.objects.filter(
                person_id__in=[pk for pk, r in found.items() if r is FoundBy.SOUND],
                token__in=typed,
            ).values_list("person_id", flat=True)
        )
        for pk, count in typed_whole.items():
            if count >= len(typed):
                found[pk] = FoundBy.NAME
    if sounds and len(found) < pool:
        sound_terms = [_term(s, prefix=False) for s in sounds]
        for pk in _people_with_all(user, sound_terms, pool, batches=batches):
            found.setdefault(pk, FoundBy.SOUND)
    # Everyone in `found` passed _visible, the site scope. Ranked from their names alone; only
    # the people shown are loaded whole.
    ranked = _ranked(query, found)[:limit]
    people = Person.objects.select_related("household", "household__current_site").in_bulk(
        [pk for pk, _reason in ranked]
    )
    return [Found(people[pk], reason) for pk, reason in ranked if pk in people]


# What a clerk types to find someone: given, father's and family name, in any script (a
# mother's name finds people too, but is rarely what ranks them).
RANKED_NAME_FIELDS = tuple(f for f in NAME_FIELDS if not f.startswith("mother_name"))
# A year of birth one year off still ranks above none typed; further off ranks below.
YEAR_OFF_COST = 0.75


def _ranked(query: str, found: dict[int, FoundBy]) -> list[tuple[int, FoundBy]]:
    """Nearest first: by how close each person's names sound to what was typed, then by the
    birth year if one was typed, then by the strength of the reason, then oldest record."""
    from django.utils import timezone

    wanted = query_name_tokens(query)
    year = query_birth_year(query, timezone.localdate().year)
    order = list(FoundBy)
    rows = []
    for pk, *names, born in Person.objects.filter(pk__in=found).values_list(
        "pk", *RANKED_NAME_FIELDS, "birth_date"
    ):
        cost = closeness(wanted, names) if wanted else 0.0
        if year is not None:
            cost += YEAR_OFF_COST * (min(abs(born.year - year), 4) if born else 2)
        rows.append((round(cost, 2), order.index(found[pk]), pk))
    return [(pk, order[reason]) for _cost, reason, pk in sorted(rows)]


def find_people(user, query: str, limit: int = SEARCH_LIMIT) -> list[Found]:
    """Find people by registration number, document number, or their names in any script,
    best first, each with the reason it was found.

    Numbers are found whatever their case, spaces or hyphens. Names are found by the start of
    each word as typed, or across scripts by the matching package's skeletons (Абдулрахман
    finds عبد الرحمن). Each lookup starts from an index (registration number, document number,
    name token) and only then applies the user's site scope to the rows it found.
    """
    query = (query or "").strip()
    if not query:
        return []
    if len(query) > min(SEARCH_MAX_CHARS, MAX_QUERY_LENGTH):
        limit_chars = min(SEARCH_MAX_CHARS, MAX_QUERY_LENGTH)
        raise ValidationError(
            {"q": _("Search for at most %(count)d characters.") % {"count": limit_chars}}
        )
    results = _find(user, query, limit)
    audit.record(
        actor=user,
        action=audit.Action.SEARCH,
        object_type="registry.person",
        detail={"query": query, "results": [found.person.pk for found in results]},
    )
    return results


def _find(user, query: str, limit: int) -> list[Found]:
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
    document = document_number_index(query)
    if document:
        person_ids = list(
            Document.objects.filter(number_index=document).values_list("person_id", flat=True)[
                : limit * 4
            ]
        )
        if person_ids:
            return [
                Found(p, FoundBy.DOCUMENT_NUMBER) for p in people.filter(pk__in=person_ids)[:limit]
            ]
    return _by_names(user, query, limit)


def read_page(user, rows: QuerySet, paginate, *, object_type: str, key: str) -> list:
    """One page of a list of people, households or pairs (`paginate` cuts it: a page number or
    a cursor), audited as a read of every row on it, as the pages' lists are."""
    page = list(paginate(rows) or [])
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        object_type=object_type,
        detail={"list": "api", key: [row.pk for row in page]},
    )
    return page


def people_for(user) -> QuerySet[Person]:
    """Everyone in the households the user may see (the API's people list)."""
    return Person.objects.visible_to(user).select_related("origin")


def search_people(user, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """The people `find_people` finds, best first, without the reasons."""
    return [found.person for found in find_people(user, query, limit)]


def household_for_slip(user, text: str) -> Household | None:
    """The household whose slip's QR address a scanner typed into Find, if the user may see it."""
    number = registration_number_from_slip(text)
    if not number:
        return None
    return households_for(user).filter(registration_number=number).first()
