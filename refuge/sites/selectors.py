"""Where people are: occupancy and arrivals per site, scoped to the user."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q

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


def suppress_small(count: int) -> str:
    """Observers see "<5" instead of a count small enough to single out a family."""
    threshold = settings.REFUGE_SMALL_COUNT_THRESHOLD
    return f"<{threshold}" if 0 < count < threshold else str(count)


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


def open_follow_ups(site: Site):
    from refuge.sites.models import FollowUp

    return FollowUp.objects.filter(movement__to_site=site, resolved_on__isnull=True).select_related(
        "person__household", "movement"
    )
