"""Where a household stays: the sites app's part of moving households between sites.

These write the stay and the household's current site; refuge.reception.services composes
them with the casework worklists that follow the household. Pages and the API call those."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.registry.models import Household, Person
from refuge.sites.models import Bed, OccupancyRecord, Site, Stay


@transaction.atomic
def begin_stay(*, household, site: Site, on: date, by) -> Stay:
    """The household is now at `site`: close the stay where it was and open one here.

    Whoever records it must count people in at `site` (a registering clerk, the arrival desk
    of a transfer); reception.record_arrival also asks for the site the household leaves."""
    require(by, Capability.RECORD_HEADCOUNT, site.pk)
    current = Stay.objects.select_for_update().filter(household=household).current().first()
    if current is not None:
        if current.site_id == site.pk:
            raise ValidationError(
                {"site": _("This household is already at %(site)s.") % {"site": site.local_name}}
            )
        if on < current.arrived_on:
            raise ValidationError(
                {
                    "arrived_on": _("Arrival cannot be before the household reached %(site)s.")
                    % {"site": current.site.local_name}
                }
            )
        current.left_on = on
        current.save(update_fields=["left_on"])
    stay = Stay.objects.create(household=household, site=site, arrived_on=on, recorded_by=by)
    household.current_site = site
    household.save(update_fields=["current_site", "updated_at"])
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=stay,
        detail={
            "household": household.registration_number,
            "arrived_on": on,
            "from_site": current.site_id if current else None,
        },
    )
    return stay


@transaction.atomic
def begin_first_stays(*, households: list, site: Site, by) -> list[Stay]:
    """Households registered a moment ago at `site` (a chunk of an import) stay there from
    the day they were registered: begin_stay for households that have no stay yet, in a few
    statements for the chunk, with one audit entry a stay in one append."""
    require(by, Capability.RECORD_HEADCOUNT, site.pk)
    if Stay.objects.filter(household__in=households).exists():
        raise ValueError("begin_first_stays is for households that have never stayed anywhere")
    stays = Stay.objects.bulk_create(
        Stay(household=h, site=site, arrived_on=h.registered_on, recorded_by=by) for h in households
    )
    Household.objects.filter(pk__in=[h.pk for h in households]).update(
        current_site=site, updated_at=timezone.now()
    )
    for household in households:
        household.current_site = site
    audit.record_many(
        actor=by,
        action=audit.Action.CREATE,
        targets=stays,
        details=[
            {"household": h.registration_number, "arrived_on": h.registered_on, "from_site": None}
            for h in households
        ],
        site_id=site.pk,
    )
    return stays


@transaction.atomic
def end_stay(*, household, on: date, by) -> Stay:
    """The household left its current site without arriving anywhere we run (yet)."""
    stay = Stay.objects.select_for_update().filter(household=household).current().first()
    if stay is None:
        raise ValidationError(_("This household is not at any site."))
    require(by, Capability.RECORD_HEADCOUNT, stay.site_id)
    if on < stay.arrived_on:
        raise ValidationError({"left_on": _("Departure cannot be before arrival.")})
    stay.left_on = on
    stay.save(update_fields=["left_on"])
    household.current_site = None
    household.save(update_fields=["current_site", "updated_at"])
    audit.record(actor=by, action=audit.Action.CHANGE, target=stay, detail={"left_on": on})
    return stay


def record_nightly_occupancy(*, on: date) -> list[OccupancyRecord]:
    """Count every active site tonight (one row per site and night; a re-run updates it)."""
    records = []
    for site in Site.objects.filter(is_active=True):
        people = Person.objects.filter(household__current_site=site, missing_since__isnull=True)
        beds = Bed.objects.filter(room__building__site=site).aggregate(
            total=Count("pk", distinct=True),
            taken=Count("assignments", filter=Q(assignments__released_on=None), distinct=True),
        )
        record, _ = OccupancyRecord.objects.update_or_create(
            site=site,
            on=on,
            defaults={
                "people": people.count(),
                "households": people.values("household").distinct().count(),
                "beds": beds["total"],
                "beds_taken": beds["taken"],
                "capacity": site.capacity,
            },
        )
        records.append(record)
    return records
