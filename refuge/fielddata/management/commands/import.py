"""`refuge import FILE [FILE ...] --site CODE --by USERNAME`: bring a KoBoToolbox or ODK export
(XLSX, CSV tables or a zip of them, OData JSON) or a person exchange CSV into the registry.

Each household lands whole or is reported; a rerun of the same file changes nothing, and lands
what a stopped run had not reached. The report (sheet, row, field, problem) goes to --report."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from refuge.accounts.models import User
from refuge.fielddata import services
from refuge.fielddata.models import ImportFormat
from refuge.fielddata.readers import UnreadableFile, detect_format, read_submissions
from refuge.fielddata.selectors import report_rows
from refuge.registry.vocabulary import ConsentScope
from refuge.sites.models import Site


class Command(BaseCommand):
    help = "Import field registrations (KoBoToolbox, ODK, person exchange CSV)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--site", required=True, help="code of the site they register at")
        parser.add_argument("--by", required=True, help="username of who imports")
        parser.add_argument("--format", choices=ImportFormat.values, default=None)
        parser.add_argument(
            "--consent",
            action="append",
            choices=ConsentScope.values,
            default=[],
            help="consent given, for files that do not record it (the exchange CSV)",
        )
        parser.add_argument("--report", type=Path, help="write the problems to this CSV file")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, files, site, by, format, consent, report, quiet, **options):
        try:
            site = Site.objects.get(code__iexact=site)
            user = User.objects.get(username=by, is_active=True)
        except (Site.DoesNotExist, User.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        for path in files:
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        fmt = format or detect_format(files)
        run = services.start_run(site=site, by=user, file_name=files[0].name, fmt=fmt)
        bar = tqdm(unit=" households", disable=quiet, file=self.stderr._out)
        try:
            submissions = read_submissions(files, fmt)
            run = services.run_import(
                run, submissions, default_consent=consent, progress=lambda _o: bar.update()
            )
        except UnreadableFile as error:
            run = services.fail_run(run, str(error))
        finally:
            bar.close()
        if report:
            with report.open("w", newline="", encoding="utf-8") as out:
                csv.writer(out).writerows(report_rows(run))
        self.stdout.write(
            f"run {run.pk}: {run.landed} registered, {run.unchanged} already imported, "
            f"{run.edits} edits to review, {run.failed} with problems"
        )
