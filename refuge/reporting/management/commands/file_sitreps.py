from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from refuge.reporting.documents import sitrep_document
from refuge.reporting.models import Sitrep
from refuge.reporting.periods import Period, week_label, week_start
from refuge.reporting.readers import PublicReader


class Command(BaseCommand):
    help = (
        "File last week's situation report as a PDF in every shipped language, under "
        "REFUGE_SITREP_DIR (weekly, from cron: 0 6 * * 1 refuge file_sitreps)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None)

    def handle(self, *args, dir, **options):
        folder = Path(dir or settings.REFUGE_SITREP_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        today = timezone.localdate()
        monday = week_start(today) - timedelta(weeks=1)
        period = Period.of_weeks(monday, monday)
        for code, _name in settings.LANGUAGES:
            path = folder / f"sitrep-{week_label(monday)}-{code}.pdf"
            path.write_bytes(
                sitrep_document(PublicReader(), period=period, today=today, language=code)
            )
            self.stdout.write(str(path))
        Sitrep.objects.update_or_create(week=monday, defaults={"filed_at": timezone.now()})
