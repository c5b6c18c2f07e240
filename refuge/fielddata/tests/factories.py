"""Field exports as the tests hand them over: households made of the shared world's families."""

from __future__ import annotations

from datetime import date

from refuge.fielddata import services
from refuge.fielddata.kobo import (
    ExportedHousehold,
    household_values,
    member_values,
    write_kobo_xlsx,
)
from refuge.fielddata.models import ImportFormat
from refuge.fielddata.readers import read_submissions
from refuge.registry.vocabulary import ConsentScope
from refuge.testing import family_of_four

FAMILIES = [
    ("حسن", "Hassan"),
    ("ديب", "Deeb"),
    ("سليمان", "Suleiman"),
    ("عيسى", "Issa"),
    ("يونس", "Younes"),
    ("خضور", "Khaddour"),
]


def exported(
    family: tuple[str, str] = FAMILIES[0],
    *,
    consent=(ConsentScope.REGISTRATION, ConsentScope.SHARING),
    registered_on: date = date(2026, 3, 2),
) -> ExportedHousehold:
    members = [member_values(m) for m in family_of_four(*family)]
    return ExportedHousehold(values=household_values(registered_on, list(consent)), members=members)


def import_kobo(world, path):
    """A KoBo XLSX export imported at the Perm centre by its site manager, as the upload page
    does: the run, with its counts."""
    run = services.start_run(
        site=world.perm, by=world.user("site_manager"), file_name=path.name, fmt="kobo_xlsx"
    )
    return services.run_import(run, read_submissions([path], ImportFormat.KOBO_XLSX))


def land_kobo(world, folder, households: list[ExportedHousehold], name: str):
    """These households written as a KoBo XLSX export named `name` in `folder`, and imported."""
    return import_kobo(world, write_kobo_xlsx(folder / name, households))
