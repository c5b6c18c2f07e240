"""`refuge field_device --site CODE --by USERNAME --name "Phone 3"`: credentials for one phone
running ODK Collect, which submits to that site only. The secret is printed once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from refuge.accounts.models import User
from refuge.fielddata.openrosa import issue_device
from refuge.sites.models import Site


class Command(BaseCommand):
    help = "Issue ODK Collect credentials for one device at one site."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True)
        parser.add_argument("--by", required=True, help="the site manager who issues it")
        parser.add_argument("--name", required=True)

    def handle(self, *args, site, by, name, **options):
        try:
            site = Site.objects.get(code__iexact=site)
            user = User.objects.get(username=by, is_active=True)
            device, secret = issue_device(site=site, name=name, by=user)
        except (Site.DoesNotExist, User.DoesNotExist, ValidationError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"server: <Refuge address>/openrosa/\nusername: {device.username}")
        self.stdout.write(f"password: {secret}")
