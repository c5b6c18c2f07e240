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
    if not by.can(capability) or not all(by.can_access_site(site_id) for site_id in site_ids):
        raise PermissionDenied


def visible_or_404(request, model, load, pk):
    """Load a record through the user's scope; a refused attempt is itself audited."""
    try:
        return load(request.user, pk)
    except model.DoesNotExist:
        if model.objects.filter(pk=pk).exists():
            audit.record(
                actor=request.user,
                action=audit.Action.DENIED,
                object_type=model._meta.label_lower,
                object_id=str(pk),
            )
        raise Http404 from None
