from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from refuge.casework import encryption
from refuge.casework.models import Attachment, Note
from refuge.encryption import EncryptedCharField, EncryptedJSONField
from refuge.identity.services import refresh_person_keys
from refuge.registry.models import Document, Person, document_number_index

BATCH = 500


def encrypted_fields() -> dict:
    """Every column encrypted through refuge.encryption's fields, in every app (a column added
    later is rotated without being listed here), re-encrypted by a plain save; with the
    document number's blind index, recomputed beside it."""
    found = {}
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, (EncryptedCharField, EncryptedJSONField))
        ]
        if names:
            found[model] = names
    found[Document] = [*found.get(Document, []), "number_index"]
    return found


class Command(BaseCommand):
    help = (
        "Re-encrypt every case note, attachment, document number, phone, piece of step "
        "evidence and field submission copy with the first key of REFUGE_FIELD_KEYS, and "
        "recompute the blind indexes "
        "under REFUGE_BLIND_INDEX_KEY. Put a new key first, run this, then remove the old key. "
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
        for model, fields in encrypted_fields().items():
            counts[f"{model._meta.verbose_name_plural} ({', '.join(fields)})"] = self._resave(
                model, fields
            )
        # The instant check's document keys are blind indexes too.
        with_documents = Person.objects.filter(documents__isnull=False).distinct()
        for person in with_documents.prefetch_related("documents").iterator(chunk_size=BATCH):
            with transaction.atomic():
                refresh_person_keys(person)
        self.stdout.write(
            ", ".join(f"{count} {name}" for name, count in counts.items()) + " re-encrypted"
        )

    def _resave(self, model, fields: list[str]) -> int:
        """Read each row (any key decrypts) and write it back (the first key encrypts)."""
        done, last = 0, 0
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .only("pk", *fields)[:BATCH]
                )
                if not rows:
                    return done
                if model is Document:
                    for row in rows:
                        row.number_index = document_number_index(row.number)
                model.objects.bulk_update(rows, fields)
            done += len(rows)
            last = rows[-1].pk
