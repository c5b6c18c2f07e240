from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required
from refuge.accounts.roles import Capability
from refuge.audit.forms import DisclosureForm
from refuge.audit.models import Action
from refuge.audit.selectors import entry_detail as load_entry
from refuge.audit.selectors import trail_page
from refuge.audit.services import disclose, may_disclose


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
            "may_disclose": may_disclose(request.user),
        },
    )


@capability_required(Capability.VIEW_AUDIT)
@require_http_methods(["GET", "POST"])
def entry_detail(request, seq):
    """One entry; its sealed detail is shown to the data protection officer, given a reason."""
    entry = load_entry(request.user, seq)
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
