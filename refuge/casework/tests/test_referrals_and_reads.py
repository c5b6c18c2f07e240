"""Referrals, members who join later, the mixed-step guard on bulk updates, and the audit of
every list and fragment that shows a person's casework."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed
from refuge.casework.models import Note, Partner, Referral, StepProgress
from refuge.casework.rules import StepUpdate
from refuge.casework.services import BulkUpdateRefused, bulk_update_step, refer
from refuge.reception.services import add_member
from refuge.testing import member, register


@pytest.fixture
def household(world):
    return register(world.perm, world.user("clerk_perm"), consent=("sharing",))


@pytest.fixture
def clinic(db):
    return Partner.objects.create(name="City clinic No. 4", kind="clinic")


def test_a_referral_is_made_and_moved_on_through_the_pages_with_an_audit_trail(
    world, household, clinic, client
):
    person = household.members.get(relationship="head")
    client.force_login(world.user("caseworker"))

    client.post(reverse("casework:add_referral", args=[person.pk]), {"partner": clinic.pk})
    referral = Referral.objects.get()
    client.post(reverse("casework:referral_status", args=[referral.pk]), {"status": "accepted"})
    refused = client.post(
        reverse("casework:referral_status", args=[referral.pk]), {"status": "lost"}, follow=True
    )

    referral.refresh_from_db()
    assert (referral.person, referral.status) == (person, "accepted")
    assert "Select a valid choice" in refused.content.decode()
    entries = AuditEntry.objects.filter(object_type="casework.referral").order_by("seq")
    assert [e.action for e in entries] == ["create", "change"]
    assert unsealed(entries[1])["changes"] == {"status": ["sent", "accepted"]}


def test_a_partner_that_stopped_taking_referrals_is_refused(world, household, clinic):
    clinic.active = False
    clinic.save()

    with pytest.raises(ValidationError) as refused:
        refer(person=household.members.first(), partner=clinic, by=world.user("caseworker"))
    assert "partner" in refused.value.message_dict


def test_another_site_s_referral_cannot_be_changed(world, clinic, client):
    elsewhere = register(world.perm2, world.user("admin"), consent=("sharing",))
    referral = refer(person=elsewhere.members.first(), partner=clinic, by=world.user("admin"))
    client.force_login(world.user("caseworker"))

    response = client.post(
        reverse("casework:referral_status", args=[referral.pk]), {"status": "completed"}
    )

    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_member_who_joins_later_is_put_on_the_pathway(world, household):
    baby = add_member(
        household=household,
        member=member("سلمى", relationship="daughter", sex="f", birth_date=timezone.localdate()),
        by=world.user("clerk_perm"),
    )

    steps = set(StepProgress.objects.filter(case__person=baby).values_list("step__code", flat=True))
    assert "health_screening" in steps and "asylum_application" not in steps


def test_a_bulk_update_is_for_one_step_at_a_time(world, household):
    rows = list(
        StepProgress.objects.filter(
            case__person__household=household,
            step__code__in=["health_screening", "migration_registration"],
        ).values_list("pk", "version")
    )

    with pytest.raises(BulkUpdateRefused):
        bulk_update_step(rows=rows, update=StepUpdate(status="in_progress"), by=world.user("admin"))
    assert not StepProgress.objects.filter(status="in_progress").exists()


def test_worklists_and_step_fragments_record_whose_casework_was_shown(world, household, client):
    client.force_login(world.user("caseworker"))
    step = StepProgress.objects.filter(case__person__household=household).first()

    client.get(reverse("casework:worklist") + "?list=overdue")
    client.get(reverse("casework:worklist") + "?list=blocked")
    client.get(reverse("casework:step_edit", args=[step.pk]))

    lists = AuditEntry.objects.filter(object_type="casework.worklist").order_by("seq")
    assert [e.detail["list"] for e in lists] == ["overdue", "blocked"]
    assert lists[1].detail["people"] == []
    assert AuditEntry.objects.filter(
        object_type="casework.stepprogress", object_id=str(step.pk), action="view"
    ).exists()


def test_an_empty_note_says_so_and_another_site_cannot_write_one(world, household, client):
    person = household.members.first()
    elsewhere = register(world.perm2, world.user("admin")).members.first()
    client.force_login(world.user("caseworker"))

    page = client.post(
        reverse("casework:add_note", args=[person.pk]),
        {"domain": "social", "text": ""},
        follow=True,
    ).content.decode()
    other = client.post(
        reverse("casework:add_note", args=[elsewhere.pk]), {"domain": "social", "text": "x"}
    )

    assert "The note was not saved" in page
    assert other.status_code == 404
    assert not Note.objects.exists()


def _offered_updates(client, person) -> set[int]:
    page = client.get(reverse("casework:person", args=[person.pk])).content.decode()
    return {int(pk) for pk in re.findall(r'hx-get="/casework/steps/(\d+)/edit/"', page)}


def test_a_case_page_offers_update_only_on_the_steps_the_reader_s_role_writes(
    world, household, client
):
    head = household.members.get(relationship="head")
    medical = StepProgress.objects.get(case__person=head, step__code="medical_examination")
    social = StepProgress.objects.filter(case__person=head, step__owner_role="caseworker").first()

    client.force_login(world.user("caseworker"))
    offered = _offered_updates(client, head)
    assert social.pk in offered and medical.pk not in offered  # her Update would be refused
    assert client.get(reverse("casework:step_edit", args=[medical.pk])).status_code == 403

    client.force_login(world.user("medical"))
    assert medical.pk in _offered_updates(client, head)


def test_a_step_s_legal_basis_keeps_its_own_direction_on_the_case_page(world, household, client):
    """'109-FZ: notification within 7 working days' read in Arabic must not become
    'FZ: notification within-109 7 working days'."""
    head = household.members.get(relationship="head")
    step = StepProgress.objects.exclude(step__reference="").filter(case__person=head).first()
    client.force_login(world.user("caseworker"))

    page = client.get(reverse("casework:person", args=[head.pk])).content.decode()

    assert f"<dd><bdi>{escape(step.step.reference)}</bdi></dd>" in page
