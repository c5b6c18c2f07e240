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
