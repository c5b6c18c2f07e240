from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from refuge.reporting.documents import sitrep_document
from refuge.reporting.periods import Period
from refuge.reporting.readers import PublicReader


class Command(BaseCommand):
    help = (
        "Print a week's situation report as a PDF: "
        "refuge sitrep --period 2026-W48 --lang ru --out sitrep.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="an ISO week, e.g. 2026-W48")
        parser.add_argument(
            "--lang", default="en", choices=[code for code, _n in settings.LANGUAGES]
        )
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, period, lang, out, **options):
        try:
            week = Period.parse(period)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if len(week.weeks) != 1:
            raise CommandError("A situation report covers one week: give --period 2026-W48.")
        out.write_bytes(
            sitrep_document(PublicReader(), period=week, today=timezone.localdate(), language=lang)
        )
        self.stdout.write(f"{out} ({period}, {lang})")
