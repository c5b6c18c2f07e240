from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    SHELTER = "shelter", _("Evacuation shelter")
    TRANSIT = "transit", _("Transit point")
    ACCOMMODATION = "accommodation", _("Temporary accommodation centre")


class Site(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Short code printed in registration numbers, e.g. PRM1."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    region = models.CharField(_("region"), max_length=120)
    country = models.CharField(_("country"), max_length=2, default="RU")
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    is_active = models.BooleanField(_("active"), default=True)
    last_registration_seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return self.name

    @property
    def audit_site_id(self) -> int:
        return self.pk


class StayQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_on__isnull=True)


class Stay(models.Model):
    """A household's time at one site: from arrival until it leaves (open while it is there)."""

    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="stays",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="stays"
    )
    arrived_on = models.DateField(_("arrived on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = StayQuerySet.as_manager()

    class Meta:
        ordering = ["-arrived_on", "-pk"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True),
                name="one_open_stay_per_household",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("arrived_on")),
                name="stay_leaves_after_arrival",
            ),
        ]
        indexes = [models.Index(fields=["site", "left_on", "arrived_on"])]

    def __str__(self):
        return f"{self.household_id} @ {self.site_id} {self.arrived_on}–{self.left_on or ''}"

    @property
    def audit_site_id(self) -> int:
        return self.site_id
