"""Names that administrators type (sites, buildings, pathways, partners), in each language.

The `name` field is the one every record has; the Russian and Arabic forms are optional and
an empty one falls back to it, so a page in Arabic never shows a blank where a name belongs."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedInLanguages(models.Model):
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the reader's language when an administrator gave one."""
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", "") or self.name
