from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    """A request to erase one person's personal data: asked for by staff with a reason, carried
    out only when the data protection officer approves. The row keeps no personal data."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the DPO")
        ERASED = "erased", _("erased")
        REFUSED = "refused", _("refused")

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self):
        return f"erasure of person {self.person_id} ({self.status})"

    @property
    def audit_site_id(self) -> int | None:
        return self.person.household.audit_site_id


class RetentionRule(models.Model):
    """How long one kind of record is kept once it reaches a status: the retention policy as
    data, applied by `refuge retention --apply` and reported by `refuge retention`."""

    class Kind(models.TextChoices):
        PERSON_DEPARTED = "person_departed", _("people whose household has left every site")
        SIGN_IN_RECORD = "sign_in_record", _("records of sign-in attempts")

    kind = models.CharField(_("kind of record"), max_length=32, choices=Kind.choices, unique=True)
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    note = models.CharField(_("why this long"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self):
        return f"{self.kind}: {self.keep_days} days"


class Correction(models.Model):
    """A correction made at the person's own request (the right to rectification): who asked
    for what to be corrected, and who corrected it. The values themselves are in the person's
    record and, old and new, in the sealed detail of the audit entry of the change; this row
    keeps only the names of the fields."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    fields = models.JSONField(_("fields corrected"), default=list)
    request = models.CharField(_("what the person asked for"), max_length=300)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"correction of person {self.person_id}"

    @property
    def audit_site_id(self) -> int | None:
        return self.person.household.audit_site_id
