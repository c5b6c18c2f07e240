"""`refuge export_people --site CODE --by USERNAME --layout people --format xlsx --out FILE`:
a site's people as the door lets this user export them (role, fields, consent), audited."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from refuge.accounts.models import User
from refuge.fielddata.exports import FORMATS, LAYOUTS, csv_chunks, export_people, xlsx_file
from refuge.sites.models import Site


class Command(BaseCommand):
    help = "Export a site's people (CSV or XLSX), audited."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True)
        parser.add_argument("--by", required=True)
        parser.add_argument("--layout", choices=list(LAYOUTS), default="people")
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, site, by, layout, format, out, **options):
        try:
            site = Site.objects.get(code__iexact=site)
            user = User.objects.get(username=by, is_active=True)
        except (Site.DoesNotExist, User.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        export = export_people(user=user, site=site, layout=layout, fmt=format)
        if format == "csv":
            with out.open("w", encoding="utf-8", newline="") as target:
                target.writelines(csv_chunks(export))
        else:
            with xlsx_file(export) as source, out.open("wb") as target:
                shutil.copyfileobj(source, target)
        self.stdout.write(f"{export.people} people in {export.households} households: {out}")
