from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required
from refuge.accounts.roles import Capability
from refuge.audit.models import Action, AuditEntry
from refuge.audit.services import record, verify_chain


@capability_required(Capability.VIEW_AUDIT)
@require_http_methods(["GET", "POST"])
def trail(request):
    entries = AuditEntry.objects.all().order_by("-seq")
    action = request.GET.get("action", "")
    if action in Action.values:
        entries = entries.filter(action=action)
    actor = request.GET.get("actor", "").strip()
    if actor:
        entries = entries.filter(actor_username=actor)
    report = verify_chain() if request.method == "POST" else None
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    # The trail holds personal data too: reading it leaves a trace of its own.
    record(
        actor=request.user,
        action=Action.VIEW,
        object_type="audit.trail",
        detail={"page": page.number, "action": action, "actor": actor},
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
