from django.core.management.base import BaseCommand

from refuge.reporting.aggregates import refresh_figures


class Command(BaseCommand):
    help = (
        "Recount the dashboards' stored figures that may have changed: open periods and any "
        "period counted before the newest change (from cron: */10 * * * * refuge "
        "refresh_reporting)."
    )

    def handle(self, *args, **options):
        result = refresh_figures()
        self.stdout.write(f"computed {result.computed}, kept {result.kept}, pruned {result.pruned}")
