"""Use cases of identity resolution: keep the keys, queue candidate pairs, link and unlink."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.identity.models import CandidatePair, PairStatus, PersonKey, SamePersonLink
from refuge.identity.records import indexed_keys, person_records
from refuge.registry.models import Person


def keys_for(person: Person) -> set[str]:
    return indexed_keys(person_records(person))


def refresh_person_keys(person: Person) -> None:
    """Recompute a person's blocking keys; the registry calls this whenever it writes names."""
    PersonKey.objects.filter(person=person).delete()
    PersonKey.objects.bulk_create(PersonKey(person=person, key=k[:160]) for k in keys_for(person))


def refresh_people_keys(people: list[Person], *, new: bool = False) -> None:
    """refresh_person_keys for several people in two statements (a household registering):
    load them with their origin and documents, whose keys are made of them. `new` people,
    saved a moment ago, have no keys to delete: one statement."""
    if not new:
        PersonKey.objects.filter(person__in=people).delete()
    PersonKey.objects.bulk_create(
        PersonKey(person=person, key=k[:160]) for person in people for k in keys_for(person)
    )


def reasons_json(comparison) -> list[dict]:
    """A comparison's reasons as stored with a pair (and a tracing candidate): codes and
    their parameters, which the pages put into words in the reader's language."""
    return [
        {
            "field": r.field,
            "code": r.code,
            "params": {k: v for k, v in r.params.items() if k != "weight"},
        }
        for r in comparison.reasons
    ]


def queue_pair(
    person_a: Person, person_b: Person, comparison, *, clerk_reason: str = ""
) -> CandidatePair | None:
    """Put a pair in the review queue unless it is there already (decided pairs stay decided)."""
    a, b = sorted((person_a, person_b), key=lambda p: p.pk)
    pair, created = CandidatePair.objects.get_or_create(
        person_a=a,
        person_b=b,
        defaults={
            "probability": comparison.probability,
            "log_odds": comparison.log_odds,
            "decision": comparison.decision.value,
            "reasons": reasons_json(comparison),
            "clerk_reason": clerk_reason[:300],
        },
    )
    return pair if created else None


def queue_new_pairs(found: list[tuple[Person, Person, object]], *, clerk_reason: str = ""):
    """queue_pair for many pairs at once (an import's chunk), each (new person, person,
    comparison) with a person registered a moment ago, so none is in the queue yet: one
    insert. Returns the pairs queued, in the order given."""
    pairs = []
    for new, other, comparison in found:
        a, b = sorted((new, other), key=lambda p: p.pk)
        pairs.append(
            CandidatePair(
                person_a=a,
                person_b=b,
                probability=comparison.probability,
                log_odds=comparison.log_odds,
                decision=comparison.decision.value,
                reasons=reasons_json(comparison),
                clerk_reason=clerk_reason[:300],
            )
        )
    return CandidatePair.objects.bulk_create(pairs)


def _require_review(by, *people: Person) -> None:
    require(by, Capability.REVIEW_DUPLICATES, *(p.household.audit_site_id for p in people))


@transaction.atomic
def decide(*, pair: CandidatePair, status: str, by) -> CandidatePair:
    """Record a reviewer's decision; "same person" links the two registrations."""
    pair = (
        CandidatePair.objects.select_for_update()
        .select_related("person_a__household", "person_b__household")
        .get(pk=pair.pk)
    )
    _require_review(by, pair.person_a, pair.person_b)
    if status not in PairStatus.values or status == PairStatus.OPEN:
        raise ValidationError({"status": _("Choose same person, different people or unsure.")})
    pair.status, pair.decided_by, pair.decided_at = status, by, timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=pair,
        site_id=pair.person_a.household.audit_site_id,
        detail={"status": status, "people": [pair.person_a_id, pair.person_b_id]},
    )
    if status == PairStatus.SAME:
        link_same_person(person_a=pair.person_a, person_b=pair.person_b, pair=pair, by=by)
    return pair


@transaction.atomic
def link_same_person(*, person_a: Person, person_b: Person, by, pair=None) -> SamePersonLink:
    """Merge two registrations into one identity. Both stay; the link can be undone."""
    _require_review(by, person_a, person_b)
    if person_a.pk == person_b.pk:
        raise ValidationError(_("A registration cannot be merged with itself."))
    a, b = sorted((person_a, person_b), key=lambda p: p.pk)
    if SamePersonLink.objects.filter(person_a=a, person_b=b, undone_at__isnull=True).exists():
        raise ValidationError(_("These registrations are already merged."))
    link = SamePersonLink.objects.create(person_a=a, person_b=b, pair=pair, linked_by=by)
    for person, other in ((a, b), (b, a)):
        audit.record(
            actor=by,
            action=audit.Action.MERGE,
            target=person,
            detail={"with": other.pk, "link": link.pk},
        )
    return link


@transaction.atomic
def unlink(*, link: SamePersonLink, by) -> SamePersonLink:
    """Undo a merge: the two registrations are separate people again; the pair reopens."""
    link = (
        SamePersonLink.objects.select_for_update()
        .select_related("person_a__household", "person_b__household")
        .get(pk=link.pk)
    )
    _require_review(by, link.person_a, link.person_b)
    if link.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    link.undone_by, link.undone_at = by, timezone.now()
    link.save(update_fields=["undone_by", "undone_at"])
    if link.pair_id:
        CandidatePair.objects.filter(pk=link.pair_id).update(
            status=PairStatus.OPEN, decided_by=None, decided_at=None
        )
    for person, other in ((link.person_a, link.person_b), (link.person_b, link.person_a)):
        audit.record(
            actor=by,
            action=audit.Action.UNMERGE,
            target=person,
            detail={"with": other.pk, "link": link.pk},
        )
    return link


@transaction.atomic
def decide_household_pair(*, decisions: list[tuple[CandidatePair, str]], by) -> list[CandidatePair]:
    """A reviewer's decisions on the member pairs of one household pair, all or none."""
    if not decisions:
        raise ValidationError(_("Choose same person, different people or unsure for a pair."))
    return [decide(pair=pair, status=status, by=by) for pair, status in decisions]
