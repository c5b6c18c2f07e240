from refuge.rights.services import DECIDING_ROLES


def rights(request):
    """Whether the signed-in user decides erasure requests (the menu shows them the list)."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {"decides_erasures": role in DECIDING_ROLES}
