from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from refuge.backup.archive import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `refuge backup` into an EMPTY database, then check the row "
        "counts, the audit triggers and the audit chain. Replay the erasure log afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file, **options):
        try:
            result = restore(Path(file))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        rows = sum(result.manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows from the backup of {result.manifest['created_at']} in "
                f"{result.seconds:.1f} s; row counts, audit triggers and audit chain verified; "
                f"{result.erasures_replayed} erasures replayed from the erasure log."
            )
        )
