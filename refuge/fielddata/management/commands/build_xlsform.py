"""`refuge build_xlsform [--out PATH]`: write the household registration XLSForm from its
definition (refuge/fielddata/xlsform.py); by default over the shipped forms/ copy."""

from pathlib import Path

from django.core.management.base import BaseCommand

from refuge.fielddata.xlsform import SHIPPED_PATH, build_workbook


class Command(BaseCommand):
    help = "Write the household registration XLSForm for KoBoToolbox and ODK Collect."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=SHIPPED_PATH)

    def handle(self, *args, out: Path, **options):
        self.stdout.write(str(build_workbook(out)))
