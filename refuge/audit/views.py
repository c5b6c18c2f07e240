from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required
from refuge.accounts.roles import Capability
from refuge.audit.forms import DisclosureForm
from refuge.audit.models import Action, AuditEntry
from refuge.audit.services import disclose, may_disclose, record, verify_chain


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
            "may_disclose": may_disclose(request.user),
        },
    )


@capability_required(Capability.VIEW_AUDIT)
@require_http_methods(["GET", "POST"])
def entry_detail(request, seq):
    """One entry; its sealed detail is shown to the data protection officer, given a reason."""
    entry = get_object_or_404(AuditEntry, seq=seq)
    form = DisclosureForm(request.POST or None)
    disclosed = None
    if request.method == "POST" and form.is_valid():
        disclosed = disclose(entry=entry, reason=form.cleaned_data["reason"], by=request.user)
    return render(
        request,
        "audit/entry.html",
        {
            "entry": entry,
            "form": form,
            "disclosed": disclosed,
            "may_disclose": may_disclose(request.user),
        },
    )
