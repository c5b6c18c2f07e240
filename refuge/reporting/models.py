from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

HIGHLIGHTS_LIMIT = 2000
OVERVIEW_LIMIT = 4000
SITE_NOTE_LIMIT = 2000


class Sitrep(models.Model):
    """A week's situation report: the words the coordinator writes. Its figures are not
    stored: they are read from the data, through the dashboard's selectors, when it is shown
    or printed."""

    week = models.DateField(_("week"), unique=True)  # the Monday of the ISO week
    highlights = models.TextField(_("highlights"), max_length=HIGHLIGHTS_LIMIT, blank=True)
    overview = models.TextField(_("situation overview"), max_length=OVERVIEW_LIMIT, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # When the weekly run (refuge file_sitreps) last filed its PDFs.
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week"]
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")

    def __str__(self):
        return self.week.isoformat()


class SitrepSiteNote(models.Model):
    """The coordinator's paragraph on one site for the week."""

    sitrep = models.ForeignKey(Sitrep, on_delete=models.CASCADE, related_name="site_notes")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("situation at the site"), max_length=SITE_NOTE_LIMIT, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sitrep", "site"], name="one_note_per_site_a_week")
        ]

    def __str__(self):
        return f"{self.sitrep} {self.site_id}"

    @property
    def audit_site_id(self) -> int:
        return self.site_id


class StoredFigures(models.Model):
    """A dashboard's disclosed figures for one period, as `selectors.refresh_figures` last
    computed them, so that a page reads them instead of counting a million people on every
    request. One row per audience (the sites a reader sees and whether they see exact
    counts: the figures differ for each) and period; the page says when it was computed."""

    audience = models.CharField(max_length=80)  # "exact:" or "suppressed:" + a digest of site_ids
    site_ids = models.JSONField()
    exact = models.BooleanField()
    period_start = models.DateField()
    period_end = models.DateField()
    as_of = models.DateField()  # the day the snapshot figures were counted on
    computed_at = models.DateTimeField(db_index=True)
    # The change count (changes.change_count) when computed: a past period is recomputed only
    # when something changed after it.
    watermark = models.BigIntegerField(default=0)
    # The last day a page read it: a set nobody has read for a while is pruned by the refresh
    # rather than recounted on every change forever (aggregates.UNREAD_KEPT_FOR).
    read_on = models.DateField(null=True, db_index=True)
    # The pickled figures (CrossFigure with lazy labels, so each reader sees their language).
    # Written only by refresh_figures from the database's own counts, never from input, and
    # sealed with an HMAC under SECRET_KEY (aggregates._seal): an unsealed row is never loaded.
    figures = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "period_start", "period_end"],
                name="one_figure_set_per_audience_and_period",
            )
        ]

    def __str__(self):
        return f"{self.audience} {self.period_start}..{self.period_end}"
