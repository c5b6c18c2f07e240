"""The one gate every view passes: signed in, holding the capability, and (for a record) on site."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from refuge.accounts.roles import Capability
from refuge.audit import services as audit


def capability_required(capability: Capability):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def require(by, capability: Capability, *site_ids: int | None) -> None:
    """The same door for services (imports, the API, bulk actions): the capability, and every
    site the change touches. Views check first; this is the second lock."""
    if not by.can(capability):
        raise PermissionDenied(capability.value)
    if not all(by.can_access_site(site_id) for site_id in site_ids):
        raise PermissionDenied("site")


def require_any(by, capabilities: tuple[Capability, ...], *site_ids: int | None) -> None:
    """Like `require`, for a use case more than one capability may start (a case is opened by
    whoever registers the person, adds them to a household, or runs their casework)."""
    if not any(by.can(c) for c in capabilities):
        raise PermissionDenied(capabilities[0].value)
    if not all(by.can_access_site(site_id) for site_id in site_ids):
        raise PermissionDenied("site")


def record_refusal(*, by, path: str, method: str, reason: str = "") -> None:
    """A refused request (403) leaves a trace. Called once the refused use case has rolled
    back, from the edge that turns the refusal into a response (pages: RefusalAuditMiddleware;
    the API: its exception handler), so the entry is not rolled back with it."""
    audit.record(
        actor=by,
        action=audit.Action.DENIED,
        object_type="request",
        object_id=path[:64],
        detail={"method": method, "path": path[:300], "reason": reason[:100]},
    )


def visible_or_404(request, model, load, pk, **options):
    """Load a record through the user's scope (`load` is a selector, which audits the read);
    a refused attempt is itself audited."""
    try:
        return load(request.user, pk, **options)
    except model.DoesNotExist:
        if model.objects.filter(pk=pk).exists():
            audit.record(
                actor=request.user,
                action=audit.Action.DENIED,
                object_type=model._meta.label_lower,
                object_id=str(pk),
            )
        raise Http404 from None
