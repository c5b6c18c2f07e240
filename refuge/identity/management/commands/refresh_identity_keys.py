"""`refuge refresh_identity_keys`: recompute every person's blocking keys.

Run it once after upgrading the matching engine: keys are written when names are, so a change
in how names are normalised (Russian г read as h, French c before e and i as s) leaves the keys
of people registered earlier in the old form, and the instant check would miss them."""

from django.core.management.base import BaseCommand

from refuge.identity.services import refresh_person_keys
from refuge.registry.models import Person


class Command(BaseCommand):
    help = "Recompute the blocking keys of every person (after upgrading the matching engine)."

    def handle(self, *args, **options):
        people = Person.objects.select_related("origin").prefetch_related("documents")
        count = 0
        for person in people.iterator(chunk_size=2000):
            refresh_person_keys(person)
            count += 1
        self.stdout.write(f"{count} people re-keyed.")
