from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from refuge.demo.field_export import load_field_sample
from refuge.demo.population import DEMO_PASSWORD, STAFF, populate
from refuge.sites.models import Site


class Command(BaseCommand):
    help = "Create the demo sites, staff and families (once), then optionally serve Refuge."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--serve",
            metavar="HOST:PORT",
            help="after loading, serve on this address (e.g. 127.0.0.1:8000)",
        )

    def handle(self, *args, households, seed, serve, **options):
        if settings.PRODUCTION:
            # The demo's staff share one published password; never in a real deployment.
            raise CommandError("refuge demo refuses to run in production mode (REFUGE_ENV).")
        call_command("migrate", interactive=False, verbosity=0)
        # Pages name the static files by their hashed names, which collectstatic writes.
        call_command("collectstatic", interactive=False, verbosity=0)
        if Site.objects.exists():
            self.stdout.write("The demo population is already loaded.")
        else:
            self.stdout.write(f"Registering {households} demo households...")
            people = populate(households=households, seed=seed)
            self.stdout.write(self.style.SUCCESS(f"{households} households, {people} people."))
            sample, _run = load_field_sample(settings.DATA_DIR / "demo")
            self.stdout.write(
                f"A KoBoToolbox export imported at Perm centre 1 (Imports page): {sample}"
            )
        address = serve or "127.0.0.1:8000"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Refuge: http://{address}/"))
        self.stdout.write(f"Sign in with any of these users, password '{DEMO_PASSWORD}':")
        for username, role, *_ in STAFF:
            self.stdout.write(f"  {username:<12} {role.label}")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        if serve:
            self.stdout.write("Press Ctrl+C to stop.")
            call_command("runserver", serve, "--noreload", skip_checks=True)
