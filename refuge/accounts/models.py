from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from refuge.accounts.roles import Capability, Role, capabilities_of, note_domains_of


class User(AbstractUser):
    """A member of staff: one role, scoped to the sites they work at (or to all of them)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OBSERVER)
    sites = models.ManyToManyField(
        "sites.Site", verbose_name=_("sites"), blank=True, related_name="staff"
    )
    all_sites = models.BooleanField(
        _("all sites"),
        default=False,
        help_text=_("National staff who work across every site."),
    )
    preferred_language = models.CharField(
        _("interface language"), max_length=8, blank=True, default=""
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def can(self, capability: Capability) -> bool:
        return self.is_active and capability in capabilities_of(self.role)

    @property
    def note_domains(self) -> frozenset[str]:
        """The domains of case notes and attachments this user may read and write."""
        return note_domains_of(self.role) if self.is_active else frozenset()

    @cached_property
    def site_ids(self) -> frozenset[int] | None:
        """The sites this user may see, or None for every site."""
        if self.all_sites:
            return None
        return frozenset(self.sites.values_list("pk", flat=True))

    def can_access_site(self, site_id: int | None) -> bool:
        if site_id is None:
            return False
        return self.site_ids is None or site_id in self.site_ids

    def scope(self, queryset, field: str = "site"):
        """Filter any queryset to the rows whose `field` is one of this user's sites."""
        if self.site_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.site_ids})
