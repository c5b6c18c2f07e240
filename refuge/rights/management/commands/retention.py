from django.core.management.base import BaseCommand, CommandError

from refuge.accounts.models import User
from refuge.rights.retention import apply_retention, overdue_report


class Command(BaseCommand):
    help = (
        "Report what the retention policy says is overdue; with --apply --by DPO, remove it "
        "(people are erased as an approved erasure does, and logged for restores)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true")
        parser.add_argument("--by", help="the DPO's username (with --apply)")

    def handle(self, *args, apply, by, **options):
        for rule, count in overdue_report():
            self.stdout.write(f"{rule.kind}: kept {rule.keep_days} days, {count} overdue")
        if apply:
            try:
                done = apply_retention(by=User.objects.get(username=by or ""))
            except User.DoesNotExist as error:
                raise CommandError("--apply needs --by with the DPO's username.") from error
            except Exception as error:
                raise CommandError(f"Refused: {error.__class__.__name__}") from error
            for kind, count in done.items():
                self.stdout.write(self.style.SUCCESS(f"{kind}: {count} removed"))
