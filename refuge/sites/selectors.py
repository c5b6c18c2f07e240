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
        Person.objects.filter(household__current_site__in=sites)
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
