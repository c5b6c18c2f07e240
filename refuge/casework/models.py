"""Pathways as data: the services each person goes through, defined per host country.

A pathway is versioned: editing one makes a new version, and a case stays on the version it
was opened on, so changing a pathway never rewrites the history of cases already on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class AppliesTo(models.TextChoices):
    EVERYONE = "everyone", _("Each person")
    HOUSEHOLD = "household", _("The household (once, on its head)")
    ADULTS = "adults", _("Adults only")
    SCHOOL_AGE = "school_age", _("Children of school age")
    REGULATED_PROFESSION = "regulated_profession", _("People with a regulated profession")
    SPECIFIC_NEED = "specific_need", _("People with a specific need")


class Source(models.TextChoices):
    OFFICIAL = "official", _("Official procedure")
    PRACTICE = "practice", _("Practice")


class Pathway(models.Model):
    country = models.CharField(_("host country"), max_length=2)
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "code", "-version"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_pathway_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="one_current_version"
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class StepDefinition(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    applies_to = models.CharField(_("applies to"), max_length=24, choices=AppliesTo.choices)
    # For SPECIFIC_NEED: which UNHCR codes; for REGULATED_PROFESSION: which professions.
    applies_when = models.JSONField(_("condition"), default=list, blank=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks"
    )
    owner_role = models.CharField(_("owned by role"), max_length=20)
    target_days = models.PositiveSmallIntegerField(_("target (days)"))
    evidence = models.JSONField(_("evidence needed"), default=list, blank=True)
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True)

    class Meta:
        ordering = ["pathway", "order"]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "code"], name="step_code_per_pathway")
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", "") or self.name_en


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on an outside office")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    BLOCKED = "blocked", _("Blocked")


class Case(models.Model):
    """One person on one version of a pathway."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="cases")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["person", "pathway"], name="one_case_per_pathway")
        ]

    def __str__(self):
        return f"{self.person_id} on {self.pathway}"


class StepProgress(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(StepDefinition, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    blocked_reason = models.CharField(_("why blocked"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    # Optimistic locking: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "step__order"]
        verbose_name = _("step progress")
        verbose_name_plural = _("step progress")
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="step_once_a_case")]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.case_id}: {self.step.code} {self.status}"
