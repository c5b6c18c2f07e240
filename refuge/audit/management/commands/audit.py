import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from refuge.audit.services import CheckpointError, make_checkpoint, verify_chain


class Command(BaseCommand):
    help = (
        "`refuge audit anchor [--out FILE]`: verify the trail, then print (or write) a signed "
        "checkpoint of its newest link to keep outside the database, for `verify_audit "
        "--checkpoint`. Run it from cron and ship the file elsewhere (mail, another server)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        anchor = sub.add_parser("anchor", help="write a signed checkpoint of the newest entry")
        anchor.add_argument("--out", metavar="FILE", help="write here (0600) instead of stdout")

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.intact:
            # A checkpoint of a broken trail would vouch for the break.
            raise CommandError(
                f"Not anchoring: the chain is broken at entry #{report.first_broken_seq} "
                f"({report.problem})."
            )
        try:
            checkpoint = make_checkpoint()
        except CheckpointError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(checkpoint, indent=2) + "\n"
        if options["out"]:
            path = Path(options["out"])
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(text)
            self.stderr.write(f"Checkpoint of entry #{checkpoint['seq']} written to {path}.")
        else:
            self.stdout.write(text, ending="")
