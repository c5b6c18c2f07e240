from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from refuge.accounts.access import capability_required
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.registry.models import Household
from refuge.sites.models import Site
from refuge.sites.selectors import occupancy, suppress_small, visible_sites


@capability_required(Capability.VIEW_OVERVIEW)
def overview(request):
    rows = occupancy(request.user, timezone.localdate())
    names_allowed = request.user.can(Capability.VIEW_PEOPLE)
    # Aggregates only for those who may not see people: small numbers would single a family out.
    show = str if names_allowed else suppress_small
    table = [
        {
            "site": row.site,
            "people": show(row.people),
            "households": show(row.households),
            "arrivals_today": show(row.arrivals_today),
            "arrivals_week": show(row.arrivals_week),
            "free": show(row.free),
            "percent": row.percent,
        }
        for row in rows
    ]
    return render(
        request,
        "sites/overview.html",
        {
            "rows": table,
            "names_allowed": names_allowed,
            "threshold": settings.REFUGE_SMALL_COUNT_THRESHOLD,
        },
    )


@capability_required(Capability.VIEW_PEOPLE)
def site_detail(request, pk):
    site = visible_sites(request.user).filter(pk=pk).first()
    if site is None:
        if Site.objects.filter(pk=pk).exists():
            audit.record(
                actor=request.user,
                action=audit.Action.DENIED,
                object_type="sites.site",
                object_id=str(pk),
            )
        raise Http404
    households = (
        Household.objects.visible_to(request.user)
        .filter(current_site=site)
        .prefetch_related("members")
        .order_by("registration_number")
    )
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        target=site,
        detail={"list": "households present", "page": page.number},
    )
    return render(request, "sites/site_detail.html", {"site": site, "page": page})
