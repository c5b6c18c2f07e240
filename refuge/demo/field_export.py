"""A sample KoBoToolbox export of the registration form, drawn like the demo's families: the
file a field team hands over, for the demo's import and the import benchmark."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from pathlib import Path

from refuge.demo.population import VILLAGES, draw_household
from refuge.fielddata.kobo import (
    ExportedHousehold,
    household_values,
    member_values,
    write_kobo_xlsx,
)
from refuge.registry.vocabulary import ConsentScope


class _Place:
    """What draw_household needs of an origin (its p-code), without the database."""

    def __init__(self, pcode: str):
        self.pcode = pcode


def sample_households(count: int, *, seed: int = 13, today: date | None = None):
    rng = random.Random(seed)
    today = today or date.today()
    for _index in range(count):
        pcode = rng.choice(list(VILLAGES))
        registered_on = today - timedelta(days=rng.randint(1, 60))
        members = draw_household(
            rng, registered_on, ("ar", "lat"), _Place(pcode), rng.choice(VILLAGES[pcode])
        )
        consent = [ConsentScope.REGISTRATION, ConsentScope.TRACING]
        if rng.random() < 0.75:
            consent += [ConsentScope.SHARING]
        yield ExportedHousehold(
            values=household_values(registered_on, consent),
            members=[member_values(m) for m in members],
            root_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )


def write_sample_export(path: Path, count: int, *, seed: int = 13) -> Path:
    return write_kobo_xlsx(path, sample_households(count, seed=seed))


SAMPLE_HOUSEHOLDS = 12


def load_field_sample(folder: Path) -> tuple[Path, object]:
    """The demo's field data: a KoBoToolbox export of 12 households for Perm centre 1 (one
    with an impossible birth date, for the report to show), imported by the site manager, then
    the same export with one household edited, imported again: its edit waits on the page."""
    from refuge.accounts.models import User
    from refuge.fielddata import services
    from refuge.fielddata.readers import read_submissions
    from refuge.sites.models import Site

    households = list(sample_households(SAMPLE_HOUSEHOLDS, seed=2026))
    households[7].members[-1]["birth_date"] = "2019-02-30"
    first = write_kobo_xlsx(folder / "kobo-sample-export.xlsx", households)
    households[3].members[0]["given_name_lat"] += "h"
    edited = write_kobo_xlsx(folder / "kobo-sample-export-edited.xlsx", households)
    site = Site.objects.get(code="PRM1")
    manager = User.objects.get(username="manager")
    run = None
    for path in (first, edited):
        run = services.start_run(site=site, by=manager, file_name=path.name, fmt="kobo_xlsx")
        run = services.run_import(run, read_submissions([path], "kobo_xlsx"))
    return first, run
