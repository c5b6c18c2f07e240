from django.core.management.base import BaseCommand
from django.utils import timezone

from refuge.sites.services import record_nightly_occupancy


class Command(BaseCommand):
    help = "Record tonight's occupancy of every active site (run nightly from cron)."

    def handle(self, *args, **options):
        records = record_nightly_occupancy(on=timezone.localdate())
        for record in records:
            self.stdout.write(
                f"{record.site.code}: {record.people}/{record.capacity} people, "
                f"{record.beds_taken}/{record.beds} beds"
            )
