"""What field data leaves behind: each import run and its report, each submission once, and
the edits to a submission that wait for the site manager."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from refuge.encryption import EncryptedJSONField


class ImportFormat(models.TextChoices):
    KOBO_XLSX = "kobo_xlsx", _("KoBoToolbox XLSX export")
    CSV = "csv", _("KoBoToolbox or ODK CSV export")
    ODATA = "odata", _("ODK Central OData JSON")
    EXCHANGE = "exchange", _("Person exchange CSV")
    OPENROSA = "openrosa", _("ODK Collect submission")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Could not be read")


class ImportRun(models.Model):
    """One reading of one file. A run stopped half-way leaves every household it landed whole;
    reading the same file again lands the rest and changes nothing else."""

    site = models.ForeignKey("sites.Site", verbose_name=_("site"), on_delete=models.PROTECT)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT
    )
    file_name = models.CharField(_("file"), max_length=200)
    format = models.CharField(_("format"), max_length=16, choices=ImportFormat.choices)
    # The report's messages are written in the language of whoever started the run.
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total = models.PositiveIntegerField(_("submissions"), default=0)
    processed = models.PositiveIntegerField(default=0)
    landed = models.PositiveIntegerField(_("registered"), default=0)
    unchanged = models.PositiveIntegerField(_("already imported"), default=0)
    edits = models.PositiveIntegerField(_("edits to review"), default=0)
    failed = models.PositiveIntegerField(_("with problems"), default=0)
    # The uploaded file, kept only until a background run has read it.
    upload = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self):
        return self.file_name

    @property
    def audit_site_id(self) -> int:
        return self.site_id


class ImportProblem(models.Model):
    """A row that did not land, with where it is and what is wrong (no values: no names)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    sheet = models.CharField(_("sheet"), max_length=64)
    row = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=80, blank=True)
    message = models.CharField(_("problem"), max_length=500)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.sheet}:{self.row} {self.field}"


class FieldSubmission(models.Model):
    """A registration made in the field, once: its stable key (the form's instanceID, or
    KoBo's rootUuid, which survives edits) and a hash of what it said when it landed."""

    instance_id = models.CharField(_("instance ID"), max_length=100, unique=True)
    content_hash = models.CharField(max_length=64)
    # What the submission said, field by field: an edit is shown as a diff against it.
    # Encrypted at rest like the registry's own copy: it holds names, document numbers, phones.
    content = EncryptedJSONField()
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="field_submissions"
    )
    # The people registered from it, in the order of its members (an edit names members by place).
    people = models.JSONField(default=list)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=ImportFormat.choices)
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return self.instance_id

    @property
    def audit_site_id(self) -> int:
        return self.household.audit_site_id


class EditStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class SubmissionEdit(models.Model):
    """The same submission come back with other content: never applied silently, never a second
    household, but a diff the site manager accepts or rejects."""

    submission = models.ForeignKey(FieldSubmission, on_delete=models.CASCADE, related_name="edits")
    content_hash = models.CharField(max_length=64)
    content = EncryptedJSONField()
    changes = EncryptedJSONField()  # old and new values, as personal as the content
    status = models.CharField(
        _("status"), max_length=8, choices=EditStatus.choices, default=EditStatus.PENDING
    )
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "content_hash"], name="fielddata_edit_once_per_content"
            )
        ]

    def __str__(self):
        return f"{self.submission.instance_id} ({self.status})"

    @property
    def audit_site_id(self) -> int:
        return self.submission.audit_site_id


class Device(models.Model):
    """A phone running ODK Collect, with credentials of its own that submit to one site only.
    Registrations it sends are made in the name of the staff member who issued it, so the
    door checks that person's role at the site on every submission."""

    name = models.CharField(_("name"), max_length=80)
    site = models.ForeignKey("sites.Site", verbose_name=_("site"), on_delete=models.PROTECT)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT
    )
    username = models.CharField(_("username"), max_length=40, unique=True)
    # Only a digest of the secret is kept: the secret is shown once, when the device is made.
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field device")
        verbose_name_plural = _("field devices")

    def __str__(self):
        return self.name

    @property
    def audit_site_id(self) -> int:
        return self.site_id
