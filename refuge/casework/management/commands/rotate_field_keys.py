from django.core.management.base import BaseCommand
from django.db import transaction

from refuge.casework import encryption
from refuge.casework.models import Attachment, Note


class Command(BaseCommand):
    help = (
        "Re-encrypt every case note and attachment with the first key of REFUGE_FIELD_KEYS. "
        "Put a new key first, run this, then remove the old key. "
        "--new-key prints a fresh key to put in front."
    )

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="print a new key and stop")

    def handle(self, *args, new_key=False, **options):
        if new_key:
            self.stdout.write(encryption.new_key())
            return
        counts = {}
        for model in (Note, Attachment):
            done = 0
            for pk in model.objects.values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    row = model.objects.select_for_update().only("ciphertext").get(pk=pk)
                    model.objects.filter(pk=pk).update(ciphertext=encryption.rotate(row.ciphertext))
                done += 1
            counts[model._meta.verbose_name_plural] = done
        self.stdout.write(
            ", ".join(f"{count} {name}" for name, count in counts.items()) + " re-encrypted"
        )
