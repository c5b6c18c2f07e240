from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from refuge.audit.services import CheckpointError, load_checkpoint, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the keyed hash chain of the audit trail and report the first broken link; with "
        "--checkpoint, also prove that nothing up to each checkpoint was removed or changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="a checkpoint written by `refuge audit anchor` (may be given more than once)",
        )

    def handle(self, *args, **options):
        try:
            checkpoints = [load_checkpoint(Path(f).read_text()) for f in options["checkpoint"]]
        except (OSError, CheckpointError) as error:
            raise CommandError(f"Checkpoint refused: {error}") from error
        report = verify_chain(checkpoints=checkpoints)
        if not report.intact:
            raise CommandError(
                f"Audit chain broken at entry #{report.first_broken_seq}: {report.problem} "
                f"({report.checked} entries verified before it)."
            )
        proven = ""
        if checkpoints:
            proven = f" Checkpoints hold up to entry #{max(c['seq'] for c in checkpoints)}."
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.checked} entries.{proven}")
        )
