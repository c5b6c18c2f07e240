from refuge.accounts.roles import Capability


def capabilities(request):
    user = getattr(request, "user", None)
    granted = set()
    if user is not None and user.is_authenticated:
        granted = {c.value for c in Capability if user.can(c)}
    return {"can": {c.value: c.value in granted for c in Capability}}
