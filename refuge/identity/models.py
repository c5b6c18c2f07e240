from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PersonKey(models.Model):
    """One blocking key of one person (refuge.matching.keys): the index behind the instant
    "already registered?" check, so that it never scans the registry."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=160)

    class Meta:
        indexes = [models.Index(fields=["key"], name="person_key_idx")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_key_per_person")]

    def __str__(self):
        return self.key


class PairStatus(models.TextChoices):
    OPEN = "open", _("To review")
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different people")
    UNSURE = "unsure", _("Unsure")


class CandidatePair(models.Model):
    """Two registrations that may be one person, waiting for a human decision.

    Nothing is merged automatically: a reviewer decides, and "same person" links the two.
    """

    person_a = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("probability"))
    # The engine's log-odds: probabilities of strong pairs all round to 1.00, their log-odds
    # still rank them (null for pairs queued before it was kept).
    log_odds = models.FloatField(_("log-odds"), null=True, blank=True)
    decision = models.CharField(_("engine's verdict"), max_length=12)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN
    )
    # Why a clerk registered someone as new although the instant check warned of this pair.
    clerk_reason = models.CharField(_("clerk's reason"), max_length=300, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_pair_per_two"),
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]

    def __str__(self):
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.status})"


class SamePersonLink(models.Model):
    """A reviewer's decision that two registrations are one person.

    Both registrations stay as they were; a person's identity is everything reachable through
    links that are not undone. Unmerging marks the link undone, so a merge is always reversible
    and its history stays.
    """

    person_a = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(CandidatePair, null=True, blank=True, on_delete=models.SET_NULL)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("same-person link")
        verbose_name_plural = _("same-person links")
        constraints = [
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                condition=Q(undone_at__isnull=True),
                name="one_live_link_per_two",
            ),
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="link_ordered"),
        ]

    def __str__(self):
        return f"{self.person_a_id} = {self.person_b_id}"


class MatchNotice(models.Model):
    """The instant check found, for a clerk at another site, a person they may not see: the
    clerk is told only that a match exists elsewhere, and the coordinators of the person's
    site are told who was found and by whom, so that they can follow it up."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="match_notices"
    )
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField(_("date"))
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("match notice")
        verbose_name_plural = _("match notices")
        constraints = [
            # A clerk typing a family's names checks many times: one notice a person a day.
            models.UniqueConstraint(
                fields=["person", "raised_by", "raised_on"], name="one_notice_a_day"
            )
        ]
        indexes = [models.Index(fields=["site", "-raised_at"])]

    def __str__(self):
        return f"{self.person_id} found by {self.raised_by_id}"
