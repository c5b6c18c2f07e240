import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from refuge.accounts.models import User
from refuge.registry.models import Person
from refuge.rights.export import subject_export, subject_export_pdf


class Command(BaseCommand):
    help = (
        "A data subject's access request: write everything held on one person as JSON and as "
        "a PDF in their language (0600 files). Run as the DPO (--by); audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--person", type=int, required=True)
        parser.add_argument("--by", required=True, help="the DPO's username")
        parser.add_argument("--language", default="ar", choices=["ar", "ru", "en"])
        parser.add_argument("--out", required=True, help="folder to write into")

    def handle(self, *args, person, by, language, out, **options):
        try:
            subject = Person.objects.get(pk=person)
            dpo = User.objects.get(username=by)
            record = subject_export(person=subject, by=dpo)
        except (Person.DoesNotExist, User.DoesNotExist) as error:
            raise CommandError(str(error)) from error
        except Exception as error:  # PermissionDenied, said plainly
            raise CommandError(f"Refused: {error.__class__.__name__}") from error
        folder = Path(out)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, content in (
            (f"person-{person}.json", json.dumps(record, ensure_ascii=False, indent=2).encode()),
            (f"person-{person}.pdf", subject_export_pdf(record, language=language)),
        ):
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
        self.stdout.write(self.style.SUCCESS(f"Subject export written to {folder}."))
