"""Reading the audit trail: it holds personal data too, so reading it leaves a trace of its own."""

from django.core.paginator import Paginator

from refuge.audit.models import Action, AuditEntry
from refuge.audit.services import ChainReport, record, verify_chain


def trail_page(
    user, *, page_number, action: str = "", actor: str = "", verify: bool = False
) -> tuple:
    """A page of the trail, newest first, filtered by action and actor's username; with
    `verify`, the whole chain is checked too. Returns (page, chain report or None)."""
    entries = AuditEntry.objects.all().order_by("-seq")
    if action in Action.values:
        entries = entries.filter(action=action)
    else:
        action = ""
    actor = actor.strip()[:150]
    if actor:
        entries = entries.filter(actor_username=actor)
    report: ChainReport | None = verify_chain() if verify else None
    page = Paginator(entries, 100).get_page(page_number)
    record(
        actor=user,
        action=Action.VIEW,
        object_type="audit.trail",
        detail={"page": page.number, "action": action, "actor": actor},
    )
    return page, report


def entry_detail(user, seq: int) -> AuditEntry:
    """One entry as the trail page shows it (its sealed part stays sealed); the read is audited."""
    from django.shortcuts import get_object_or_404

    entry = get_object_or_404(AuditEntry, seq=seq)
    record(actor=user, action=Action.VIEW, object_type="audit.entry", object_id=str(seq))
    return entry
