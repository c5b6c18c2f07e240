"""The API goes through the same door as the pages: field, step and consent rules, the
instant check's discretion, and the trail of refusals."""

from refuge.api.tests.conftest import bearer
from refuge.audit.models import AuditEntry
from refuge.casework.models import StepProgress
from refuge.reception.services import register_household
from refuge.registry.vocabulary import ConsentScope
from refuge.testing import family_of_four, register, screen_for_travel


def _screening(household):
    return StepProgress.objects.get(
        case__person=household.members.order_by("pk").first(), step__code="health_screening"
    )


def test_caseworker_cannot_mark_the_health_screening_done_through_the_api(world):
    household = register(world.perm, world.user("clerk_perm"))
    step = _screening(household)
    body = {
        "version": step.version,
        "status": "done",
        "outcome": "fit_to_travel",
        "evidence": {"screened_on": "2026-11-30"},
    }

    response = bearer(world.user("caseworker")).patch(
        f"/api/v1/steps/{step.pk}/", body, format="json"
    )

    assert response.status_code == 403
    step.refresh_from_db()
    assert step.status != "done"
    assert AuditEntry.objects.filter(action="denied", object_type="request").exists()


def test_medical_findings_are_withheld_from_a_caseworker(world):
    household = register(world.perm, world.user("clerk_perm"))
    screen_for_travel(household, world.user("medical"))
    step = _screening(household)

    seen = bearer(world.user("caseworker")).get(f"/api/v1/steps/{step.pk}/").json()
    medical = bearer(world.user("medical")).get(f"/api/v1/steps/{step.pk}/").json()

    assert seen["status"] == "done"
    assert seen["outcome"] == "" and seen["evidence"] == {} and seen["findings_withheld"]
    assert medical["outcome"] == "fit_to_travel" and not medical["findings_withheld"]


def test_phone_is_shown_only_with_consent_to_contact(world):
    clerk = world.user("clerk_perm")
    without = register(world.perm, clerk, phone="+7 900 000-00-01")
    with_consent = register_household(
        site=world.perm,
        members=family_of_four(),
        consent_scopes=[ConsentScope.REGISTRATION, ConsentScope.CONTACT],
        by=clerk,
        phone="+7 900 000-00-02",
    )
    client = bearer(clerk)

    assert client.get(f"/api/v1/households/{without.pk}/").json()["phone"] is None
    assert client.get(f"/api/v1/households/{with_consent.pk}/").json()["phone"] == (
        "+7 900 000-00-02"
    )
    coordinator = bearer(world.user("coordinator"))
    assert coordinator.get(f"/api/v1/households/{with_consent.pk}/").json()["phone"] is None


def test_referral_needs_consent_to_sharing(world):
    from refuge.casework.models import Partner

    household = register(world.perm, world.user("clerk_perm"))  # registration consent only
    person = household.members.first()
    partner = Partner.objects.create(name="City clinic No. 4", kind="clinic")

    response = bearer(world.user("caseworker")).post(
        f"/api/v1/people/{person.pk}/referrals/", {"partner": partner.pk}, format="json"
    )

    assert response.status_code in (400, 403)
    assert not person.referrals.exists()


def test_instant_check_tells_a_clerk_elsewhere_only_that_a_match_exists(world):
    register(
        world.perm,
        world.user("clerk_perm"),
        members=family_of_four(),
    )
    body = {
        "given_name_ar": "محمد",
        "father_name_ar": "علي",
        "family_name_ar": "حسن",
        "given_name_lat": "Mohammed",
        "family_name_lat": "Hassan",
        "sex": "m",
        "birth_date": "1983-04-17",
    }

    elsewhere = bearer(world.user("clerk")).post("/api/v1/instant-check/", body, format="json")
    here = bearer(world.user("clerk_perm")).post("/api/v1/instant-check/", body, format="json")

    assert elsewhere.status_code == 200, elsewhere.content
    assert elsewhere.json() == {"matches": [], "elsewhere": True}
    assert here.json()["matches"] and here.json()["elsewhere"] is False


def test_reads_through_the_api_are_audited_with_their_purpose(world):
    household = register(world.perm, world.user("clerk_perm"))

    bearer(world.user("clerk_perm")).get(f"/api/v1/households/{household.pk}/")

    entry = AuditEntry.objects.filter(
        object_type="registry.household", object_id=str(household.pk), action="view"
    ).get()
    assert entry.detail == {"page": "api household"}


def test_lists_through_the_api_are_audited_with_whom_they_showed(world):
    household = register(world.perm, world.user("clerk_perm"))

    bearer(world.user("clerk_perm")).get("/api/v1/people/")

    entry = AuditEntry.objects.filter(object_type="registry.person", action="view").get()
    assert sorted(entry.detail["people"]) == sorted(household.members.values_list("pk", flat=True))
