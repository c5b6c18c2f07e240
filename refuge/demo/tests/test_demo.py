from django.core.management import call_command

from refuge.accounts.models import User
from refuge.audit.services import verify_chain
from refuge.registry.models import Household, Person
from refuge.sites.models import Site


def test_demo_builds_sites_staff_and_families_through_the_services(db, capsys):
    call_command("demo", households=12)

    assert Site.objects.count() == 4
    assert set(User.objects.values_list("role", flat=True)) >= {
        "clerk",
        "caseworker",
        "medical",
        "site_manager",
        "coordinator",
        "dpo",
        "observer",
        "admin",
    }
    assert Household.objects.count() == 12
    assert Person.objects.exclude(given_name_ar="").count() == Person.objects.count()
    assert verify_chain().intact
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "refuge-demo-2026" in out


def test_running_the_demo_twice_adds_nothing(db):
    call_command("demo", households=3)
    call_command("demo", households=3)

    assert Household.objects.count() == 3
