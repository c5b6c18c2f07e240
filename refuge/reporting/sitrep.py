"""The weekly situation report, in OCHA's order: period covered and the next report's date;
highlights; key figures; the situation at each site; a section per sector (shelter, health,
protection, documentation, education, work); needs and gaps.

The coordinator writes the highlights and the overview (`write_sitrep`); every number comes
from the dashboard's selectors for that one week, suppressed as for the public whoever prints
it, so the sitrep, the dashboard and the HXL file agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refuge.accounts.access import require
from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.reporting.disclosure import PROGRAMME, Figure, withheld
from refuge.reporting.models import Sitrep, SitrepSiteNote
from refuge.reporting.periods import Period, week_label
from refuge.reporting.selectors import Dashboard, View, dashboard

# Which pathway steps and which specific needs each sector reports on.
SECTORS: tuple[tuple[str, object, tuple[str, ...], tuple[str, ...]], ...] = (
    ("shelter", gettext_lazy("Shelter"), ("housing_placement",), ()),
    ("health", gettext_lazy("Health"), ("health_screening", "medical_examination"), ("SM", "DS")),
    (
        "protection",
        gettext_lazy("Protection"),
        ("social_support", "legal_counselling", "psychosocial_support"),
        ("CR", "SC", "WR", "ER", "SP", "FU", "LP", "TR", "SV"),
    ),
    (
        "documentation",
        gettext_lazy("Documentation"),
        (
            "migration_registration",
            "asylum_application",
            "application_certificate",
            "asylum_certificate",
            "snils_inn_oms",
            "personal_sim",
        ),
        (),
    ),
    ("education", gettext_lazy("Education"), ("school_enrolment", "credential_recognition"), ()),
    ("work", gettext_lazy("Work"), ("employment_referral", "professional_admission"), ()),
)


@dataclass
class SiteSituation:
    name: str
    people: Figure
    capacity: int
    percent: Figure
    arrivals: Figure
    departures: Figure
    note: str


@dataclass
class Sector:
    key: str
    title: str
    rows: list[tuple[str, Figure, Figure]]  # step: done, overdue
    needs: list[tuple[str, Figure]]


@dataclass
class SitrepContent:
    period: Period
    next_report_on: date
    highlights: str
    overview: str
    key_figures: list[tuple[str, Figure]]
    sites: list[SiteSituation]
    sectors: list[Sector]
    gaps: list[tuple[str, Figure]]
    board: Dashboard
    threshold: int = 5
    notes: dict = field(default_factory=dict)

    @property
    def week(self) -> str:
        return week_label(self.period.start)


def _figure(value: int) -> Figure:
    return Figure(value, str(value))


def sitrep_for(user, *, period: Period, today: date) -> SitrepContent:
    """The week's sitrep as the reader's sites give it (the whole programme for observers
    and the weekly run); figures suppressed as for the public."""
    from django.conf import settings

    board = dashboard(user, view=View("programme"), period=period, today=today, public=True)
    words = Sitrep.objects.filter(week=period.start).first()
    notes = (
        dict(SitrepSiteNote.objects.filter(sitrep=words).values_list("site", "text"))
        if words
        else {}
    )
    occupancy, funnel, overdue = (board.figure(k) for k in ("occupancy", "funnel", "overdue"))
    needs, arrivals, departures = (board.figure(k) for k in ("needs", "arrivals", "departures"))
    transfers, duplicates = board.figure("transfers"), board.figure("duplicates")
    main = PROGRAMME
    key_figures = [
        (_("People present"), occupancy.cell("people", main)),
        (_("Households present"), occupancy.cell("households", main)),
        (_("Arrivals this week"), arrivals.window_total(main)),
        (_("Departures this week"), departures.window_total(main)),
        (_("People who arrived on a transfer"), transfers.cell("completed", main)),
        (_("Steps overdue"), overdue.total(main)),
        (_("People sought by family tracing"), board.figure("tracing").total(main)),
    ]
    from refuge.sites.selectors import visible_sites

    sites = [
        SiteSituation(
            name=site.local_name,
            people=occupancy.cell("people", ("site", site.pk)),
            capacity=site.capacity,
            percent=occupancy.percent_of_capacity(("site", site.pk)),
            arrivals=arrivals.window_total(("site", site.pk)),
            departures=departures.window_total(("site", site.pk)),
            note=notes.get(site.pk, ""),
        )
        for site in visible_sites(user)
    ]
    step_names = dict(funnel.rows)
    need_names = dict(needs.rows)
    sectors = [
        Sector(
            key=key,
            title=str(title),
            rows=[
                (str(step_names[code]), funnel.cell(code, main), overdue.cell(code, main))
                for code in codes
                if code in step_names
            ],
            needs=[(str(need_names[c]), needs.cell(c, main)) for c in need_codes],
        )
        for key, title, codes, need_codes in SECTORS
    ]
    late = sorted(
        (
            (str(label), overdue.cell(code, main))
            for code, label in overdue.rows
            if not overdue.cell(code, main).suppressed and overdue.cell(code, main).value
        ),
        key=lambda item: -item[1].value,
    )[:5]
    gaps = [
        *((_("Overdue: %(step)s") % {"step": label}, figure) for label, figure in late),
        (_("Possible duplicates waiting for review"), duplicates.total(main) or withheld()),
    ]
    return SitrepContent(
        period=period,
        next_report_on=period.next_report_on,
        highlights=words.highlights if words else "",
        overview=words.overview if words else "",
        key_figures=key_figures,
        sites=sites,
        sectors=sectors,
        gaps=gaps,
        board=board,
        threshold=settings.REFUGE_SMALL_COUNT_THRESHOLD,
    )


@transaction.atomic
def write_sitrep(
    *, week: date, highlights: str, overview: str, site_notes: dict[int, str], by
) -> Sitrep:
    """The coordinator's words for the week: highlights, overview and a note per site (only
    sites they work at). Checked whole before anything is saved; audited with what changed."""
    require(by, Capability.WRITE_REPORTS, *site_notes)
    sitrep, _created = Sitrep.objects.select_for_update().get_or_create(week=week)
    before = {"highlights": sitrep.highlights, "overview": sitrep.overview}
    sitrep.highlights, sitrep.overview, sitrep.written_by = highlights, overview, by
    sitrep.full_clean(exclude=["written_by"])
    notes = []
    for site_id, text in site_notes.items():
        note = SitrepSiteNote.objects.filter(sitrep=sitrep, site_id=site_id).first()
        note = note or SitrepSiteNote(sitrep=sitrep, site_id=site_id)
        note.text = text
        try:
            note.full_clean(exclude=["sitrep"])
        except ValidationError as error:
            raise ValidationError({f"site-{site_id}": error.messages}) from None
        notes.append(note)
    sitrep.save()
    for note in notes:
        note.sitrep = sitrep
        note.save()
    audit.record(
        actor=by,
        action=audit.Action.CHANGE,
        target=sitrep,
        detail={
            "week": week_label(week),
            "changed": [k for k, v in before.items() if v != getattr(sitrep, k)],
            "site_notes": sorted(site_notes),
        },
    )
    return sitrep
