"""Where people are: occupancy and arrivals per site, scoped to the user."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from refuge.audit import services as audit
from refuge.registry.models import Person
from refuge.sites.models import Site, Stay


@dataclass(frozen=True)
class SiteOccupancy:
    site: Site
    people: int
    households: int
    arrivals_today: int
    arrivals_week: int

    @property
    def percent(self) -> int:
        return round(100 * self.people / self.site.capacity) if self.site.capacity else 0

    @property
    def free(self) -> int:
        return max(self.site.capacity - self.people, 0)


def visible_sites(user):
    return user.scope(Site.objects.filter(is_active=True), field="pk").order_by("kind", "name")


def site_for(user, pk: int) -> Site:
    """One site the user works at (Site.DoesNotExist otherwise)."""
    return visible_sites(user).get(pk=pk)


def households_present(user, site: Site, page_number):
    """A page of the households staying at `site` now, with their members; the read of their
    names is audited."""
    from django.core.paginator import Paginator

    from refuge.registry.models import Household

    households = (
        Household.objects.visible_to(user)
        .filter(current_site=site)
        .prefetch_related("members")
        .order_by("registration_number")
    )
    page = Paginator(households, 50).get_page(page_number)
    audit.record(
        actor=user,
        action=audit.Action.VIEW,
        target=site,
        detail={
            "list": "households present",
            "page": page.number,
            "households": [h.pk for h in page],
        },
    )
    return page


def rooms_page(user, site: Site, page_number):
    """A page of the site's rooms, each with the registration numbers of who sleeps there."""
    from django.core.paginator import Paginator

    from refuge.sites.housing import rooms_with_free_beds
    from refuge.sites.models import BedAssignment

    page = Paginator(rooms_with_free_beds(site.pk), 100).get_page(page_number)
    sleepers: dict[int, set] = {}
    for room_id, number in (
        BedAssignment.objects.current()
        .filter(bed__room__in=[room.pk for room in page])
        .values_list("bed__room", "person__household__registration_number")
    ):
        sleepers.setdefault(room_id, set()).add(number)
    audit.record(actor=user, action=audit.Action.VIEW, target=site, detail={"list": "rooms"})
    return page, [(room, sorted(sleepers.get(room.pk, ()))) for room in page]


def occupancy(user, today: date) -> list[SiteOccupancy]:
    """One row per site the user may see, counting people in households staying there now."""
    sites = list(visible_sites(user))
    week_start = today - timedelta(days=6)
    present = dict(
        Person.objects.filter(household__current_site__in=sites, missing_since__isnull=True)
        .values_list("household__current_site")
        .annotate(n=Count("pk"))
    )
    households = dict(
        Stay.objects.current().filter(site__in=sites).values_list("site").annotate(n=Count("pk"))
    )
    arrivals = {
        row["site"]: row
        for row in Stay.objects.filter(
            site__in=sites, arrived_on__gte=week_start, arrived_on__lte=today
        )
        .values("site")
        .annotate(
            today=Count("household__members", filter=Q(arrived_on=today)),
            week=Count("household__members"),
        )
    }
    return [
        SiteOccupancy(
            site=site,
            people=present.get(site.pk, 0),
            households=households.get(site.pk, 0),
            arrivals_today=arrivals.get(site.pk, {}).get("today", 0),
            arrivals_week=arrivals.get(site.pk, {}).get("week", 0),
        )
        for site in sites
    ]


def capacity_outlook(site: Site, today: date) -> dict:
    """Tonight's count against capacity, and where planned transfers will take it."""
    from refuge.sites.models import Movement, MovementStatus, Passenger

    present = Person.objects.filter(
        household__current_site=site, missing_since__isnull=True
    ).count()
    planned = Passenger.objects.filter(
        movement__status__in=[MovementStatus.PLANNED, MovementStatus.DEPARTED]
    )
    incoming = planned.filter(movement__to_site=site).count()
    outgoing = planned.filter(
        movement__from_site=site, movement__status=MovementStatus.PLANNED
    ).count()
    projected = present + incoming - outgoing
    limit = site.capacity * site.alert_percent / 100
    return {
        "present": present,
        "incoming": incoming,
        "outgoing": outgoing,
        "projected": projected,
        "over_threshold": present > limit,
        "projected_over_threshold": projected > limit,
        "percent": round(100 * present / site.capacity) if site.capacity else 0,
        "next_movements": Movement.objects.filter(
            status=MovementStatus.PLANNED, planned_on__gte=today
        )
        .filter(Q(from_site=site) | Q(to_site=site))
        .select_related("from_site", "to_site")[:5],
    }


def occupancy_chart(site: Site, today: date, nights: int = 60) -> dict:
    """Points for an SVG line of people per night against capacity (nightly records)."""
    from refuge.sites.models import OccupancyRecord

    start = today - timedelta(days=nights - 1)
    records = list(OccupancyRecord.objects.filter(site=site, on__gte=start).order_by("on"))
    width, height, pad = 600, 160, 24
    top = max([site.capacity, *(r.people for r in records)], default=1) * 1.1 or 1

    def x(day):
        return pad + (day - start).days * (width - 2 * pad) / max(nights - 1, 1)

    def y(value):
        return height - pad - value * (height - 2 * pad) / top

    points = " ".join(f"{x(r.on):.1f},{y(r.people):.1f}" for r in records)
    return {
        "width": width,
        "height": height,
        "points": points,
        "capacity_y": y(site.capacity),
        "pad": pad,
        "records": records,
        "first": start,
        "last": today,
        "x_end": width - pad,
    }


def movements_for(user):
    from refuge.sites.models import Movement

    sites = visible_sites(user).values("pk")
    return Movement.objects.filter(Q(from_site__in=sites) | Q(to_site__in=sites)).select_related(
        "from_site", "to_site"
    )


def movement_for(user, pk: int):
    """A transfer from or to one of the user's sites (Movement.DoesNotExist otherwise)."""
    return movements_for(user).get(pk=pk)


def passengers_for(user, movement):
    """The passengers of a transfer whose names this user may read: everyone, for the staff
    of the site they leave and, once they have left, of the site they go to (who count them
    in); otherwise only households at the user's own sites. The manifest, the transfer page
    and the API read passengers only through here."""
    from refuge.registry.models import Household
    from refuge.sites.models import MovementStatus

    passengers = movement.passengers.all()
    if user.can_access_site(movement.from_site_id):
        return passengers
    if movement.status != MovementStatus.PLANNED and user.can_access_site(movement.to_site_id):
        return passengers
    return passengers.filter(household__in=Household.objects.visible_to(user))


def manifest(user, movement, *, action: str = audit.Action.VIEW) -> list:
    """The passengers this user may read, household by household, the read audited with
    whom it showed."""
    passengers = list(
        passengers_for(user, movement)
        .select_related("household", "person")
        .order_by("household__registration_number", "person_id")
    )
    audit.record(
        actor=user,
        action=action,
        target=movement,
        detail={
            "document": "manifest" if action == audit.Action.EXPORT else "",
            "people": [p.person_id for p in passengers],
        },
    )
    return passengers


def open_follow_ups(site: Site):
    from refuge.sites.models import FollowUp

    return FollowUp.objects.filter(movement__to_site=site, resolved_on__isnull=True).select_related(
        "person__household", "movement"
    )
