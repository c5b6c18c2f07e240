"""Background work of field data: an uploaded file is imported by a worker (`refuge
db_worker`), not in the request, and the page follows its progress from the run's counters."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django_tasks import task

from refuge.fielddata import services
from refuge.fielddata.models import ImportFormat, ImportRun
from refuge.fielddata.readers import UnreadableFile, read_submissions

SUFFIX = {
    ImportFormat.KOBO_XLSX: ".xlsx",
    ImportFormat.ODATA: ".json",
    ImportFormat.EXCHANGE: ".csv",
}


@task()
def import_upload(run_id: int, default_consent: list[str]) -> int:
    """Read the run's uploaded file into the registry; returns how many households landed."""
    run = ImportRun.objects.select_related("site", "started_by").get(pk=run_id)
    name = Path(run.file_name)
    suffix = SUFFIX.get(run.format) or (name.suffix.lower() if name.suffix else ".csv")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(bytes(run.upload or b""))
        try:
            # Read whole first, so the page can show "n of N" as the households land.
            submissions = list(read_submissions([path], run.format))
            services.set_total(run, len(submissions))
            run = services.run_import(run, submissions, default_consent=default_consent)
        except UnreadableFile as error:
            run = services.fail_run(run, str(error))
    services.forget_upload(run)
    return run.landed
