from django.core.management import call_command

from refuge.accounts.models import User
from refuge.audit.services import verify_chain
from refuge.casework.models import StepProgress
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
    # The demo's own families at the shelter; the sample field import adds Perm's.
    assert Household.objects.filter(registered_at__code="HMM").count() == 12
    assert Person.objects.exclude(given_name_ar="").count() == Person.objects.count()
    assert verify_chain().intact
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "refuge-demo-2026" in out


def test_running_the_demo_twice_adds_nothing(db):
    call_command("demo", households=3)
    households = Household.objects.count()
    call_command("demo", households=3)

    assert Household.objects.count() == households
    assert Household.objects.filter(registered_at__code="HMM").count() == 3


def test_the_demo_ships_a_kobo_export_and_its_import_report(db):
    from refuge.demo.field_export import SAMPLE_HOUSEHOLDS
    from refuge.fielddata.models import ImportRun, SubmissionEdit

    call_command("demo", households=3)

    first, again = ImportRun.objects.order_by("pk")
    assert (first.landed, first.failed) == (SAMPLE_HOUSEHOLDS - 1, 1)
    assert first.problems.get().field == "birth_date"
    assert (again.landed, again.edits, again.unchanged) == (0, 1, SAMPLE_HOUSEHOLDS - 2)
    assert SubmissionEdit.objects.get().status == "pending"


def test_people_in_perm_are_part_way_along_their_pathway(db):
    call_command("demo", households=40)

    in_perm = Person.objects.filter(household__current_site__code__startswith="PRM")
    advanced = StepProgress.objects.filter(case__person__in=in_perm, status="done").exclude(
        step__code="reception_registration"
    )
    assert in_perm.exists() and advanced.exists()
    assert verify_chain().intact


def test_no_demo_member_is_born_after_the_family_was_registered(db):
    # Early in a year a baby known only by the year is "born" on 1 January, after a family
    # registered weeks before: the registry refuses that, and the demo must not draw it.
    from datetime import date

    from refuge.demo.population import populate

    populate(households=60, seed=7, today=date(2026, 1, 5))

    for household in Household.objects.prefetch_related("members"):
        for person in household.members.all():
            assert person.birth_date is None or person.birth_date <= household.registered_on


def test_the_demo_shows_the_tracing_flow(db):
    from refuge.tracing.models import Outcome, SoughtPerson, TraceStatus

    call_command("demo", households=120)

    statuses = set(SoughtPerson.objects.values_list("status", "outcome"))
    assert (TraceStatus.CONFIRMED, "") in statuses  # waiting for the son's answer
    assert (TraceStatus.CLOSED, Outcome.FOUND) in statuses
    assert SoughtPerson.objects.exclude(status=TraceStatus.CLOSED).count() >= 2
