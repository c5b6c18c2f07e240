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
        """The domains of case notes and attachments this user may read and write: the role's,
        and any opened for a while by break-the-glass access."""
        if not self.is_active:
            return frozenset()
        from django.utils import timezone

        emergency = self.emergency_accesses.filter(
            starts_at__lte=timezone.now(), ends_at__gt=timezone.now()
        ).values_list("domain", flat=True)
        return note_domains_of(self.role) | frozenset(emergency)

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


class RoleGrant(models.Model):
    """A role that reads case notes (medical, psychosocial...), asked for by one administrator
    and given only when a second administrator or the data protection officer approves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    requested_by = models.ForeignKey(
        User, verbose_name=_("asked for by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")

    def __str__(self):
        return f"{self.user} → {self.role} ({self.status})"


class EmergencyAccess(models.Model):
    """Break the glass: a member of staff reads a note domain their role does not, for a short
    time, with a reason the data protection officer is told of at once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    domain = models.CharField(_("domain"), max_length=16)
    reason = models.CharField(_("reason"), max_length=300)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["user", "ends_at"])]

    def __str__(self):
        return f"{self.user} {self.domain} until {self.ends_at:%Y-%m-%d %H:%M}"
