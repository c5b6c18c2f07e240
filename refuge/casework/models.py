"""Pathways as data: the services each person goes through, defined per host country.

A pathway is versioned: editing one makes a new version, and a case stays on the version it
was opened on, so changing a pathway never rewrites the history of cases already on it.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from refuge.formats.languages import NamedInLanguages


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


class Pathway(NamedInLanguages):
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
        return f"{self.local_name} v{self.version}"


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
    # {prerequisite code: [outcome codes]}: the step waits until that prerequisite is done
    # with one of these outcomes (no certificate of asylum after a refusal).
    prerequisite_outcomes = models.JSONField(
        _("outcomes required of prerequisites"), default=dict, blank=True
    )
    owner_role = models.CharField(_("owned by role"), max_length=20)
    # Set in the pathway definition on the step(s) a household must have closed before it
    # boards a transfer (the initial health screening in the default pathway).
    gates_travel = models.BooleanField(_("must be done before a transfer"), default=False)
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

    @property
    def evidence_items(self) -> list[dict]:
        """The evidence a step needs, with its label in the reader's language."""
        return [{**item, "text": _label(item)} for item in self.evidence]

    @property
    def outcome_choices(self) -> list[tuple[str, str]]:
        return [(item["code"], _label(item)) for item in self.outcomes]

    def outcome_label(self, code: str) -> str:
        return dict(self.outcome_choices).get(code, code)

    @property
    def owner_role_label(self) -> str:
        from refuge.accounts.roles import Role

        return Role(self.owner_role).label if self.owner_role in Role.values else self.owner_role


def _label(item: dict) -> str:
    """Labels in a pathway definition are data, written in each shipped language."""
    labels = item.get("label", {})
    return labels.get((get_language() or "en")[:2]) or labels.get("en") or item["code"]


class EvidenceKind(models.TextChoices):
    DATE = "date", _("Date")
    TEXT = "text", _("Text")


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on an outside office")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    BLOCKED = "blocked", _("Blocked")


CLOSED_STATUSES = (StepStatus.DONE, StepStatus.NOT_APPLICABLE)
# Lazy labels, translated when shown: StepStatus(value).label rebuilds the member list per call.
_STATUS_LABELS = dict(StepStatus.choices)
OPEN_STATUSES = tuple(s for s in StepStatus.values if s not in CLOSED_STATUSES)
# Open, and every prerequisite done: a step someone can work on now.
READY_AND_OPEN = Q(open=True, ready_since__isnull=False)


class StepProgressQuerySet(models.QuerySet):
    def overdue(self, today: date):
        """Steps someone could work on now (open, every prerequisite done) past their due date."""
        return self.filter(READY_AND_OPEN, due_on__lt=today)

    def with_overdue(self, today: date):
        """Each step with `is_overdue`, the same rule as `overdue`, for lists that mark them."""
        return self.annotate(
            is_overdue=models.ExpressionWrapper(
                READY_AND_OPEN & Q(due_on__lt=today), output_field=models.BooleanField()
            )
        )


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
    # The day every prerequisite was done: from then on the step can be worked on, and the
    # time it waits counts towards the bottleneck figures.
    ready_since = models.DateField(_("ready since"), null=True, blank=True)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    # Optimistic locking: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Where the person is now: a copy of their household's current site, kept in step by
    # casework.services.follow_household, so that worklists find a site's steps without
    # joining through case, person and household. Indexed by the composite indexes below.
    site = models.ForeignKey(
        "sites.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The database's own copy of `is_open`, for the partial indexes below: SQLite cannot
    # match a query's `status IN (?, ?)` (bound parameters) to an index's WHERE clause.
    open = models.GeneratedField(
        expression=~Q(status__in=CLOSED_STATUSES),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    objects = StepProgressQuerySet.as_manager()

    # Set by casework.selectors on a step whose outcome and evidence the reader's role may not
    # read (accounts.roles.CONFIDENTIAL_STEP_READERS): they were blanked in this copy.
    findings_withheld = False

    class Meta:
        ordering = ["case", "step__order"]
        verbose_name = _("step progress")
        verbose_name_plural = _("step progress")
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="step_once_a_case")]
        # One index per worklist, each in the order the list is read, so that a page is a
        # short walk along an index and never a sort of a whole site.
        indexes = [
            models.Index(
                fields=["site", "due_on", "id"], condition=READY_AND_OPEN, name="step_overdue"
            ),
            models.Index(
                fields=["site", "step", "due_on", "id"],
                condition=READY_AND_OPEN,
                name="step_overdue_by_step",
            ),
            # With case, so that the bulk page finds its people without reading step rows.
            models.Index(
                fields=["site", "step", "ready_since", "case"],
                condition=READY_AND_OPEN,
                name="step_waits",
            ),
            models.Index(
                fields=["owner", "due_on", "id"], condition=Q(open=True), name="step_owner_open"
            ),
            models.Index(fields=["site", "status", "status_since", "id"], name="step_status_since"),
        ]

    def __str__(self):
        return f"{self.case_id}: {self.step.code} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def status_label(self) -> str:
        """get_status_display without its per-call rebuilding of the choices: lists show
        hundreds of steps."""
        return _STATUS_LABELS.get(self.status, self.status)

    @property
    def evidence_shown(self) -> list[tuple[str, str]]:
        return [
            (item["text"], self.evidence.get(item["code"], ""))
            for item in self.step.evidence_items
            if self.evidence.get(item["code"])
        ]

    @property
    def outcome_label(self) -> str:
        return self.step.outcome_label(self.outcome) if self.outcome else ""

    @property
    def audit_site_id(self) -> int | None:
        return self.case.person.household.audit_site_id


class Domain(models.TextChoices):
    """Who may read a note or an attachment follows from its domain (see accounts.roles)."""

    SOCIAL = "social", _("Social")
    LEGAL = "legal", _("Legal")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    MEDICAL = "medical", _("Medical")


class Note(models.Model):
    """A caseworker's note. The text is stored encrypted; notes are never edited, only added."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="notes")
    step = models.ForeignKey(
        StepProgress, null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    ciphertext = models.BinaryField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["person", "domain"])]

    def __str__(self):
        return f"{self.get_domain_display()} note {self.pk}"

    @property
    def audit_site_id(self) -> int | None:
        return self.person.household.audit_site_id


class AttachmentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    CERTIFICATE = "certificate", _("Certificate")
    MEDICAL = "medical", _("Medical record")
    DIPLOMA = "diploma", _("Diploma or transcript")
    OTHER = "other", _("Other")


class Attachment(models.Model):
    """A scanned document, stored encrypted in the database so that it is backed up, moved
    and deleted with the record it belongs to."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="attachments"
    )
    step = models.ForeignKey(
        StepProgress, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    kind = models.CharField(_("document type"), max_length=16, choices=AttachmentKind.choices)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    ciphertext = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def audit_site_id(self) -> int | None:
        return self.person.household.audit_site_id


class PartnerKind(models.TextChoices):
    CLINIC = "clinic", _("Clinic or hospital")
    LEGAL_AID = "legal_aid", _("Legal aid")
    SCHOOL = "school", _("School")
    EMPLOYMENT = "employment", _("Employment centre")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    SOCIAL = "social", _("Social services")
    OTHER = "other", _("Other")


class Partner(NamedInLanguages):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class Referral(models.Model):
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="referrals"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    step = models.ForeignKey(
        StepProgress, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    referred_on = models.DateField(_("referred on"))
    status_since = models.DateField(_("status since"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-referred_on", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.partner} ({self.get_status_display()})"

    @property
    def audit_site_id(self) -> int | None:
        return self.person.household.audit_site_id
