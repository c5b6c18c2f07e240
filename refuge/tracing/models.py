"""Family tracing: an inquirer's request, the people they seek, the registrations that may be
them, and the sought person's answer before anything about them is told (the ICRC's Restoring
Family Links rule)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from refuge.encryption import EncryptedCharField
from refuge.registry.vocabulary import DatePrecision, Sex

NAME_MAX = 80


class TraceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    POSSIBLE_MATCH = "possible_match", _("Possible match")
    CONFIRMED = "confirmed", _("Match confirmed: waiting for the sought person's answer")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    FOUND = "found", _("Found")
    FOUND_DECEASED = "found_deceased", _("Found deceased")
    NOT_FOUND = "not_found", _("Not found")
    # Kept for the sought person's site only: the inquirer is told exactly what "not found"
    # tells them (see TracingRequest / selectors.inquirer_answer).
    REFUSED = "refused", _("The sought person did not agree to be found")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SoughtRelationship(models.TextChoices):
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    BROTHER = "brother", _("Brother")
    SISTER = "sister", _("Sister")
    HUSBAND = "husband", _("Husband")
    WIFE = "wife", _("Wife")
    OTHER = "other", _("Other relative")


class Share(models.TextChoices):
    """What a found person may agree to let the inquirer know."""

    SAFE = "safe", _("That they are alive and safe")
    REGION = "region", _("The region where they are")
    CONTACT = "contact", _("A contact arranged through the centre")


class TracingRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)


class TracingRequest(models.Model):
    """One inquirer asking for one or more relatives: a case of its own at the site where it
    was opened, owned by a tracing officer there, in their worklist until closed."""

    site = models.ForeignKey(
        "sites.Site", verbose_name=_("opened at"), on_delete=models.PROTECT, related_name="+"
    )
    # The inquirer may be registered here (then their record is the one to trace back) or not.
    inquirer_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("inquirer's registration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tracing_requests",
    )
    inquirer_given_name = models.CharField(_("inquirer's given name"), max_length=NAME_MAX)
    inquirer_father_name = models.CharField(
        _("inquirer's father's name"), max_length=NAME_MAX, blank=True
    )
    inquirer_family_name = models.CharField(
        _("inquirer's family name"), max_length=NAME_MAX, blank=True
    )
    inquirer_sex = models.CharField(_("inquirer's sex"), max_length=1, choices=Sex.choices)
    # Encrypted at rest (refuge.encryption), like the registry's phones: a phone or a room.
    inquirer_contact = EncryptedCharField(_("how to reach the inquirer"), max_length=200)
    consents_to_trace_back = models.BooleanField(
        _("the inquirer agrees that the sought person may be told who is looking for them"),
        default=False,
    )
    consents_to_partners = models.BooleanField(
        _("the inquirer agrees to the request being shared with other tracing partners"),
        default=False,
    )
    # None until a tracing officer takes it (a request opened from a need at registration).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_on = models.DateField(_("opened on"))
    due_on = models.DateField(_("next review due"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Set when a FU-TR need opened the request: the details are still to be taken down.
    from_need = models.BooleanField(_("opened from a tracing-required need"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TracingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("tracing request")
        verbose_name_plural = _("tracing requests")
        indexes = [models.Index(fields=["closed_on", "due_on"])]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"TR-{self.pk:06d}"

    @property
    def audit_site_id(self) -> int:
        return self.site_id

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def is_overdue(self, today: date) -> bool:
        return not self.is_closed and self.due_on < today

    @property
    def inquirer_name(self) -> str:
        parts = (self.inquirer_given_name, self.inquirer_father_name, self.inquirer_family_name)
        return " ".join(p for p in parts if p)


class SoughtPerson(models.Model):
    """One relative the inquirer is looking for, as the inquirer describes them: names in any
    script, an age or birth date that may be rough, where and when last seen. Each has its own
    trace through the statuses, and its own outcome."""

    request = models.ForeignKey(
        TracingRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="traces"
    )
    given_name = models.CharField(_("given name"), max_length=NAME_MAX)
    father_name = models.CharField(_("father's name"), max_length=NAME_MAX, blank=True)
    family_name = models.CharField(_("family name"), max_length=NAME_MAX, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=NAME_MAX, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.ESTIMATED,
    )
    relationship = models.CharField(
        _("relationship to the inquirer"), max_length=10, choices=SoughtRelationship.choices
    )
    last_seen_place = models.CharField(_("last seen where"), max_length=120, blank=True)
    last_seen_on = models.DateField(_("last seen when"), null=True, blank=True)
    # The family's story and what would recognise them: encrypted at rest, never searched.
    circumstances = EncryptedCharField(
        _("circumstances of separation"), max_length=1000, blank=True
    )
    distinguishing = EncryptedCharField(_("distinguishing details"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TraceStatus.choices, default=TraceStatus.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    # Found deceased: told in person, by a member of staff, with psychosocial support referred.
    told_in_person_by = models.CharField(_("told in person by"), max_length=120, blank=True)
    psychosocial_referral = models.CharField(
        _("psychosocial support referred to"), max_length=200, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["request", "pk"]
        verbose_name = _("sought person")
        verbose_name_plural = _("sought people")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        parts = (self.given_name, self.father_name, self.family_name)
        return " ".join(p for p in parts if p)

    @property
    def audit_site_id(self) -> int:
        return self.request.site_id


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Not the person sought")


class Candidate(models.Model):
    """A registration (or another request's inquirer) that may be the sought person, with the
    engine's probability and reasons: for the tracing officers of the candidate's site."""

    sought = models.ForeignKey(SoughtPerson, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Two relatives looking for each other: this request's inquirer is the one sought.
    other_request = models.ForeignKey(
        TracingRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The candidate's site: whose tracing officers review it and speak to the person.
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField(_("probability"))
    log_odds = models.FloatField(_("log-odds"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    found_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-log_odds", "pk"]
        verbose_name = _("tracing candidate")
        verbose_name_plural = _("tracing candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["sought", "person"],
                condition=models.Q(person__isnull=False),
                name="one_candidate_per_person",
            ),
            models.UniqueConstraint(
                fields=["sought", "other_request"],
                condition=models.Q(other_request__isnull=False),
                name="one_candidate_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(other_request__isnull=False),
                name="candidate_is_someone",
            ),
        ]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self):
        return f"{self.sought_id} ~ {self.person_id or self.other_request_id}"

    @property
    def audit_site_id(self) -> int:
        return self.site_id


class Answer(models.Model):
    """The sought person's answer, taken down by a tracing officer of their site after speaking
    to them (with their guardian or a caseworker if they are a child): whether they agree to
    the inquirer being told, and what may be told."""

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="answer")
    agreed = models.BooleanField(_("agrees to the inquirer being told"))
    shares = models.JSONField(_("what may be told"), default=list)
    spoke_on = models.DateField(_("spoke to them on"))
    with_whom = EncryptedCharField(_("guardian or caseworker present"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sought person's answer")
        verbose_name_plural = _("sought people's answers")

    def __str__(self):
        return f"{self.candidate_id}: {self.agreed}"

    @property
    def audit_site_id(self) -> int:
        return self.candidate.site_id


class TracingNote(models.Model):
    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedCharField(_("note"), max_length=1000)  # encrypted at rest, like case notes
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = _("tracing note")
        verbose_name_plural = _("tracing notes")

    def __str__(self):
        return f"{self.request_id} {self.written_at:%Y-%m-%d}"


class TracingKey(models.Model):
    """A blocking key (refuge.matching.keys) of a sought person or of an inquirer: the index
    that lets a new registration be checked against every open request without a scan."""

    class Side(models.TextChoices):
        SOUGHT = "sought"
        INQUIRER = "inquirer"

    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="+")
    sought = models.ForeignKey(
        SoughtPerson, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    side = models.CharField(max_length=8, choices=Side.choices)
    key = models.CharField(max_length=160)

    class Meta:
        indexes = [models.Index(fields=["key", "side"], name="tracing_key_idx")]

    def __str__(self):
        return self.key
