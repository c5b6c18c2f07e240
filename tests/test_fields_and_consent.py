"""Field-level rules and consent, each with the page or read that would break without it."""

from django.urls import reverse
from django.utils import timezone

from refuge.audit.models import AuditEntry
from refuge.casework.selectors import person_cases
from refuge.registry.services import withdraw_consent
from refuge.sites.movements import add_household, depart, plan_movement
from refuge.testing import UserFactory, register, screen_for_travel

TODAY = timezone.localdate()


def test_medical_findings_are_read_by_medical_staff_only(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    screen_for_travel(household, world.user("medical"))
    head = household.members.get(relationship="head")

    def screening(user):
        steps = [p for case in person_cases(head, user) for p in case.steps.all()]
        return next(p for p in steps if p.step.code == "health_screening")

    assert screening(world.user("medical")).outcome == "fit_to_travel"
    for role in ("caseworker", "manager", "clerk_perm", "coordinator", "admin"):
        seen = screening(world.user(role))
        assert (seen.outcome, seen.evidence, seen.status) == ("", {}, "done"), role
        assert seen.findings_withheld
    client.force_login(world.user("caseworker"))
    page = client.get(reverse("casework:person", args=[head.pk])).content.decode()
    assert "Fit to travel" not in page and "medical staff only" in page
    client.force_login(world.user("medical"))
    page = client.get(reverse("casework:person", args=[head.pk])).content.decode()
    assert "Fit to travel" in page


def test_the_phone_is_shown_only_with_consent_to_contact(world, client):
    calls = register(world.perm, world.user("clerk_perm"), consent=("contact",), phone="+7 900")
    no_calls = register(world.perm, world.user("clerk_perm"), phone="+7 901")
    client.force_login(world.user("caseworker"))

    assert "+7 900" in client.get(reverse("registry:household", args=[calls.pk])).content.decode()
    assert (
        "+7 901"
        not in client.get(reverse("registry:household", args=[no_calls.pk])).content.decode()
    )
    for person in calls.members.all():
        withdraw_consent(person=person, scope="contact", by=world.user("caseworker"))
    assert (
        "+7 900" not in client.get(reverse("registry:household", args=[calls.pk])).content.decode()
    )


def test_consent_is_withdrawn_from_the_person_page(world, client):
    household = register(world.perm, world.user("clerk_perm"), consent=("sharing",))
    head = household.members.get(relationship="head")
    client.force_login(world.user("caseworker"))

    page = client.get(reverse("registry:person", args=[head.pk])).content.decode()
    client.post(reverse("registry:withdraw_consent", args=[head.pk]), {"scope": "sharing"})

    assert "Withdraw: Sharing with partner organisations" in page
    head.refresh_from_db()
    assert not head.consents_to("sharing")
    entry = AuditEntry.objects.filter(object_type="registry.person", action="change").last()
    assert entry.detail["consent_withdrawn"] == "sharing"


def test_the_manifest_lists_only_households_the_reader_may_see(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    screen_for_travel(household, world.user("medical"))
    movement = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=TODAY,
        means="bus",
        seats=9,
        by=world.user("admin"),
    )
    add_household(movement=movement, household=household, by=world.user("admin"))
    receiving = UserFactory(username="clerk.perm2", role="clerk", sites=[world.perm2])
    client.force_login(receiving)
    number = household.registration_number

    before = client.get(reverse("sites:movement", args=[movement.pk])).content.decode()
    depart(
        movement=movement,
        boarded={p.pk for p in household.members.all()},
        on=TODAY,
        by=world.user("admin"),
    )
    after = client.get(reverse("sites:movement", args=[movement.pk])).content.decode()

    assert number not in before  # planned: the family is at Perm centre 1, not theirs yet
    assert number in after  # on its way to them: they count it in
    entry = AuditEntry.objects.filter(object_type="sites.movement", action="view").first()
    assert entry.actor_username == "clerk.perm2" and entry.detail["people"] == []


def test_a_refusal_is_audited(world, client):
    client.force_login(world.user("caseworker"))

    response = client.get(reverse("registry:register"))

    assert response.status_code == 403
    denied = AuditEntry.objects.get(action="denied")
    assert denied.actor_username == "caseworker"
    assert denied.detail["path"] == reverse("registry:register")


def test_a_refusal_inside_a_use_case_is_audited_after_its_rollback(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    head = household.members.get(relationship="head")
    screening = head.cases.get().steps.get(step__code="health_screening")
    client.force_login(world.user("caseworker"))

    response = client.get(reverse("casework:step_edit", args=[screening.pk]))

    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="denied", actor_username="caseworker").exists()


def test_the_allocate_page_is_audited(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user("manager"))

    client.get(reverse("sites:allocate", args=[household.pk]))

    entry = AuditEntry.objects.filter(action="view", object_type="registry.household").last()
    assert (entry.actor_username, entry.detail) == ("manager", {"page": "allocate"})
