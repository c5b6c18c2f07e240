import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from refuge.casework.pathways import DEFAULT_PATHWAY, load_pathway


class Command(BaseCommand):
    help = "Load a pathway definition (JSON); a changed definition becomes a new version."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATHWAY))

    def handle(self, *args, path, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{path}: {error}") from error
        try:
            pathway = load_pathway(data)
        except ValidationError as invalid:
            raise CommandError(f"{path}:\n" + "\n".join(invalid.messages)) from invalid
        self.stdout.write(f"{pathway}: {pathway.steps.count()} steps (current)")
