"""The API's gate, the same as the pages': signed in, holding the capability of the resource
(site, field and consent rules are the domain's). A read-only token reads and writes nothing."""

from rest_framework import permissions

from refuge.api.models import ApiToken, TokenScope


class HasCapability(permissions.BasePermission):
    """The view names `capability` (reads) and `write_capability` (writes) like the pages'
    `capability_required`; the services check again, with the site."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        token = request.auth if isinstance(request.auth, ApiToken) else None
        action = getattr(view, "action", None)
        # A search is sent by POST (names stay out of URLs and logs) and is still a read.
        writing = request.method not in permissions.SAFE_METHODS and action not in getattr(
            view, "read_actions", ()
        )
        if writing and token is not None and token.scope != TokenScope.WRITE:
            return False
        capability = getattr(view, "capabilities", {}).get(action)
        if capability is None:
            capability = getattr(view, "capability", None)
        return capability is None or user.can(capability)
