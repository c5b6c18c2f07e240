"""What a reader may ask of a dashboard: which view and which weeks; nothing else is read."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from refuge.params import record_id
from refuge.reporting.models import HIGHLIGHTS_LIMIT, OVERVIEW_LIMIT, SITE_NOTE_LIMIT
from refuge.reporting.periods import Period, parse_week, week_start
from refuge.reporting.selectors import View

DEFAULT_WEEKS = 8


def parse_view(text: str) -> View:
    """programme, region:<name> or site:<id>."""
    text = (text or "programme")[:200]
    level, _sep, key = text.partition(":")
    if level == "programme" and not key:
        return View("programme")
    if level == "region" and key:
        return View("region", key)
    if level == "site" and record_id(key) is not None:
        return View("site", record_id(key))
    raise ValidationError({"view": _("Choose the whole programme, a region or a site.")})


def parse_request(params, today: date) -> tuple[View, Period]:
    """The view and period a dashboard request names; the last eight weeks by default."""
    view = parse_view(params.get("view", ""))
    first, last = params.get("from", ""), params.get("to", "")
    if not first and not last:
        return view, Period.weeks_ending(today, DEFAULT_WEEKS)
    last_week = parse_week(last, field="to") if last else week_start(today)
    first_week = parse_week(first, field="from") if first else last_week
    return view, Period.of_weeks(first_week, last_week)


class SitrepForm(forms.Form):
    """The coordinator's words for a week: highlights, overview, and a paragraph per site."""

    highlights = forms.CharField(
        label=_("Highlights"), required=False, max_length=HIGHLIGHTS_LIMIT, widget=forms.Textarea
    )
    overview = forms.CharField(
        label=_("Situation overview"),
        required=False,
        max_length=OVERVIEW_LIMIT,
        widget=forms.Textarea,
    )

    def __init__(self, *args, sites, week, **kwargs):
        from refuge.reporting.models import Sitrep, SitrepSiteNote

        words = Sitrep.objects.filter(week=week).first()
        notes = (
            dict(SitrepSiteNote.objects.filter(sitrep=words).values_list("site", "text"))
            if words
            else {}
        )
        initial = {"highlights": words.highlights, "overview": words.overview} if words else {}
        initial |= {f"site-{s.pk}": notes.get(s.pk, "") for s in sites}
        super().__init__(*args, initial=initial, **kwargs)
        self.sites = sites
        for site in sites:
            self.fields[f"site-{site.pk}"] = forms.CharField(
                label=site.local_name,
                required=False,
                max_length=SITE_NOTE_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def sitrep_words(self) -> dict:
        data = self.cleaned_data
        return {
            "highlights": data["highlights"],
            "overview": data["overview"],
            "site_notes": {s.pk: data[f"site-{s.pk}"] for s in self.sites},
        }

    def add_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
