from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Identity resolution: the registry's side of refuge.matching (keys, review, merges)."""

    name = "refuge.identity"
    verbose_name = _("Identity resolution")
