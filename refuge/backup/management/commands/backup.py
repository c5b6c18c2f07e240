from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from refuge.backup.archive import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back the whole database up into one file encrypted with REFUGE_BACKUP_KEYS (SQLite: "
        "online backup; PostgreSQL: pg_dump), then read it back and verify it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            metavar="FILE",
            help="where to write it (0600); default var/backups/refuge-<time>.backup",
        )

    def handle(self, *args, out, **options):
        from django.conf import settings

        if out is None:
            folder = Path(settings.DATA_DIR) / "backups"
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            out = folder / f"refuge-{timezone.now():%Y%m%dT%H%M%SZ}.backup"
        try:
            result = backup(Path(out))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(result.manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written and verified: {result.path} ({result.manifest['bytes']} bytes, "
                f"{rows} rows; written in {result.seconds:.1f} s, "
                f"verified in {result.verify_seconds:.1f} s)."
            )
        )
