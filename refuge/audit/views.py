from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required
from refuge.accounts.roles import Capability
from refuge.audit.models import Action
from refuge.audit.selectors import trail_page


@capability_required(Capability.VIEW_AUDIT)
@require_http_methods(["GET", "POST"])
def trail(request):
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "").strip()
    page, report = trail_page(
        request.user,
        page_number=request.GET.get("page"),
        action=action,
        actor=actor,
        verify=request.method == "POST",
    )
    return render(
        request,
        "audit/trail.html",
        {
            "page": page,
            "report": report,
            "actions": Action.choices,
            "action": action,
            "actor": actor,
        },
    )
