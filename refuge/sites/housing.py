"""Rooms and beds: allocating a household so that it stays together, and moving people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.registry.models import Household, Person
from refuge.registry.vocabulary import SpecificNeed
from refuge.sites.models import Bed, BedAssignment, Room

NEEDS_ACCESSIBLE = {SpecificNeed.DS, SpecificNeed.ER, SpecificNeed.ER_NF, SpecificNeed.SM}
ADULT_MALE_AGE = 14


@dataclass
class RoomSuggestion:
    room: Room
    free: int
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def _present(household: Household) -> list[Person]:
    return [p for p in household.members.all() if not p.missing_since]


def needs_accessible_room(people: list[Person]) -> bool:
    return any(n.code in NEEDS_ACCESSIBLE for p in people for n in p.needs.all())


def may_use_women_only_room(people: list[Person], today: date) -> bool:
    """No man or boy of 14 or more (a man whose age is not known counts as one)."""
    return not any(
        p.sex == "m" and (p.age_on(today) is None or p.age_on(today) >= ADULT_MALE_AGE)
        for p in people
    )


def rooms_with_free_beds(site_id: int) -> list[Room]:
    """The site's rooms, each with `beds_total`, `beds_taken` and `free_beds` set.

    Two grouped counts (beds per room, sleepers per room) instead of one join of every room,
    bed and assignment: at 2,000 rooms the join took a fifth of a second."""
    totals = dict(
        Bed.objects.filter(room__building__site_id=site_id)
        .values_list("room")
        .annotate(n=Count("pk"))
        .values_list("room", "n")
    )
    taken = dict(
        BedAssignment.objects.current()
        .filter(bed__room__building__site_id=site_id)
        .values_list("bed__room")
        .annotate(n=Count("pk"))
        .values_list("bed__room", "n")
    )
    rooms = list(
        Room.objects.filter(building__site_id=site_id)
        .select_related("building")
        .order_by("building__name", "name")
    )
    for room in rooms:
        room.beds_total = totals.get(room.pk, 0)
        room.beds_taken = taken.get(room.pk, 0)
        room.free_beds = room.beds_total - room.beds_taken
    return rooms


def suggest_rooms(
    household: Household, *, limit: int = 5, rooms: list[Room] | None = None
) -> list[RoomSuggestion]:
    """Rooms where the whole household fits, the ones that suit its needs first.

    `rooms` (from `rooms_with_free_beds`) saves counting the site again for each household."""
    today = timezone.localdate()
    people = _present(household)
    size = len(people)
    accessible = needs_accessible_room(people)
    women_only_ok = may_use_women_only_room(people, today)
    children = any((p.age_on(today) if p.birth_date else 99) < 18 for p in people)
    suggestions = []
    for room in rooms if rooms is not None else rooms_with_free_beds(household.current_site_id):
        free = room.free_beds
        if free < size or (room.women_only and not women_only_ok):
            continue
        s = RoomSuggestion(room=room, free=free)
        s.score -= free - size  # a snug fit leaves big rooms for big families
        if accessible:
            s.score += 10 if room.accessible else -10
            if room.accessible:
                s.reasons.append(_("accessible, as a member's needs require"))
        if children and room.family_room:
            s.score += 3
            s.reasons.append(_("a family room"))
        if room.beds_taken == 0:
            s.score += 2
            s.reasons.append(_("empty: the family has it to itself"))
        if room.women_only:
            s.reasons.append(_("women only"))
        suggestions.append(s)
    suggestions.sort(key=lambda s: (-s.score, s.room.building.name, s.room.name))
    return suggestions[:limit]


@transaction.atomic
def allocate_household(
    *, household: Household, room: Room, by, on: date | None = None
) -> list[BedAssignment]:
    """Give every present member of the household a bed in `room`, together.

    Refuses, naming the numbers, when the room has fewer free beds than the household needs;
    members who had beds elsewhere at the site are moved."""
    on = on or timezone.localdate()
    site_id = room.building.site_id
    require(by, Capability.MANAGE_ROOMS, site_id)
    if household.current_site_id != site_id:
        raise ValidationError(
            _("This household is not at %(site)s.") % {"site": room.building.site.local_name}
        )
    people = _present(household)
    if not people:
        raise ValidationError(_("No member of this household is present."))
    if room.women_only and not may_use_women_only_room(people, on):
        raise ValidationError(_("%(room)s is for women only.") % {"room": room})
    # Lock the room's beds so two managers cannot give the same bed away at once.
    beds = list(Bed.objects.select_for_update().filter(room=room).order_by("label"))
    mine = {p.pk for p in people}
    taken = dict(
        BedAssignment.objects.current().filter(bed__in=beds).values_list("bed_id", "person_id")
    )
    free = [b for b in beds if b.pk not in taken or taken[b.pk] in mine]
    if len(free) < len(people):
        raise ValidationError(
            _(
                "%(room)s has %(free)d free beds; this household needs %(needed)d. "
                "Choose a larger room."
            )
            % {"room": room, "free": len(free), "needed": len(people)}
        )
    BedAssignment.objects.current().filter(person__in=people).update(released_on=on)
    assignments = BedAssignment.objects.bulk_create(
        BedAssignment(bed=bed, person=person, assigned_on=on, assigned_by=by)
        for bed, person in zip(free, people, strict=False)
    )
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=household,
        site_id=site_id,
        detail={"room": str(room), "beds": [b.label for b in free[: len(people)]]},
    )
    return assignments


@transaction.atomic
def move_people(
    *, people: list[Person], room: Room, by, on: date | None = None
) -> list[BedAssignment]:
    """Move some people to free beds in another room of the same site."""
    on = on or timezone.localdate()
    site_id = room.building.site_id
    require(by, Capability.MANAGE_ROOMS, site_id)
    if any(p.household.current_site_id != site_id for p in people):
        raise ValidationError(
            _("Everyone moved must be at %(site)s.") % {"site": room.building.site.local_name}
        )
    beds = list(Bed.objects.select_for_update().filter(room=room).order_by("label"))
    taken = set(
        BedAssignment.objects.current().filter(bed__in=beds).values_list("bed_id", flat=True)
    )
    free = [b for b in beds if b.pk not in taken]
    if len(free) < len(people):
        raise ValidationError(
            _("%(room)s has %(free)d free beds; %(needed)d are needed.")
            % {"room": room, "free": len(free), "needed": len(people)}
        )
    BedAssignment.objects.current().filter(person__in=people).update(released_on=on)
    created = BedAssignment.objects.bulk_create(
        BedAssignment(bed=bed, person=person, assigned_on=on, assigned_by=by)
        for bed, person in zip(free, people, strict=False)
    )
    for person in people:
        audit.record(
            actor=by,
            action=audit.Action.CHANGE,
            target=person,
            site_id=site_id,
            detail={"moved_to": str(room)},
        )
    return created


def release_beds(household: Household, on: date) -> int:
    """The household left the site: its beds are free from tonight."""
    return (
        BedAssignment.objects.current().filter(person__household=household).update(released_on=on)
    )


@transaction.atomic
def create_room(
    *,
    site,
    building: str,
    name: str,
    beds: int,
    accessible: bool = False,
    family_room: bool = False,
    women_only: bool = False,
    by,
) -> Room:
    """Set up a room with its beds (site set-up, the demo and tests; the admin edits them)."""
    from refuge.sites.models import Building

    require(by, Capability.MANAGE_ROOMS, site.pk)
    block, _ = Building.objects.get_or_create(site=site, name=building)
    room = Room.objects.create(
        building=block,
        name=name,
        accessible=accessible,
        family_room=family_room,
        women_only=women_only,
    )
    Bed.objects.bulk_create(Bed(room=room, label=str(i + 1)) for i in range(beds))
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=room,
        site_id=site.pk,
        detail={"building": building, "beds": beds},
    )
    return room


@transaction.atomic
def allocate_arrivals(*, households: list[Household], by, on: date | None = None) -> dict:
    """Beds for everyone who just arrived on a transfer: each household, largest first, gets
    the best room that still holds it whole. Returns {household: room or None}; a household
    larger than any free room is left for the manager to split by hand."""
    on = on or timezone.localdate()
    if not households:
        return {}
    site_id = households[0].current_site_id
    require(by, Capability.MANAGE_ROOMS, site_id)
    rooms = rooms_with_free_beds(site_id)
    free_beds: dict[int, list[Bed]] = {}
    taken = set(
        BedAssignment.objects.current()
        .filter(bed__room__building__site_id=site_id)
        .values_list("bed_id", flat=True)
    )
    for bed in (
        Bed.objects.select_for_update()
        .filter(room__building__site_id=site_id)
        .order_by("room", "label")
    ):
        if bed.pk not in taken:
            free_beds.setdefault(bed.room_id, []).append(bed)
    households = sorted(households, key=lambda h: -len(_present(h)))
    placed, assignments = {}, []
    for household in households:
        people = [
            p
            for p in _present(household)
            if not BedAssignment.objects.current().filter(person=p).exists()
        ]
        suggestions = suggest_rooms(household, rooms=rooms, limit=1) if people else []
        if not suggestions:
            placed[household] = None
            continue
        room = suggestions[0].room
        beds = free_beds[room.pk][: len(people)]
        del free_beds[room.pk][: len(people)]
        room.beds_taken += len(people)
        room.free_beds -= len(people)
        assignments += [
            BedAssignment(bed=bed, person=person, assigned_on=on, assigned_by=by)
            for bed, person in zip(beds, people, strict=True)
        ]
        placed[household] = room
        audit.record(
            actor=by,
            action=audit.Action.CHANGE,
            target=household,
            site_id=site_id,
            detail={"room": str(room), "beds": [b.label for b in beds]},
        )
    BedAssignment.objects.bulk_create(assignments)
    return placed
