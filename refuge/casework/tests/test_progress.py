"""Moving along the pathway: prerequisites, evidence, readiness, concurrent edits, bulk updates."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed, verify_chain
from refuge.casework.models import StepProgress, StepStatus
from refuge.casework.rules import StepUpdate
from refuge.casework.services import (
    BulkUpdateRefused,
    StepConflict,
    bulk_update_step,
    update_step,
)
from refuge.sites.movements import add_household, depart, plan_movement
from refuge.testing import register, screen_for_travel

TODAY = timezone.localdate()


def _step(person, code) -> StepProgress:
    return StepProgress.objects.select_related("step").get(case__person=person, step__code=code)


def _head(world):
    household = register(world.perm, world.user("clerk_perm"))
    return household.members.get(relationship="head")


def _save(progress, by, **update):
    return update_step(
        progress_id=progress.pk, version=progress.version, update=StepUpdate(**update), by=by
    )


def test_registration_opens_everyone_s_case_with_the_reception_step_done(world):
    household = register(world.perm, world.user("clerk_perm"))

    for person in household.members.all():
        reception = _step(person, "reception_registration")
        assert reception.status == StepStatus.DONE
        assert reception.evidence == {"registration_number": household.registration_number}
        screening = _step(person, "health_screening")
        assert screening.ready_since == TODAY
        assert screening.due_on == TODAY + timedelta(days=screening.step.target_days)
        assert _step(person, "migration_registration").ready_since == TODAY
    head = household.members.get(relationship="head")
    assert _step(head, "asylum_application").ready_since is None  # waits for migration


def test_a_step_cannot_be_done_while_a_prerequisite_is_open(world):
    head = _head(world)
    application = _step(head, "asylum_application")

    with pytest.raises(ValidationError) as refused:
        _save(
            application,
            world.user("caseworker"),
            status="done",
            outcome="submitted",
            evidence={"application_date": TODAY, "interview_date": TODAY},
        )

    assert "Migration registration at the place of stay" in refused.value.message_dict["status"][0]
    assert _step(head, "asylum_application").status == StepStatus.NOT_STARTED


def test_missing_evidence_and_outcome_are_named(world):
    head = _head(world)

    with pytest.raises(ValidationError) as refused:
        _save(_step(head, "migration_registration"), world.user("caseworker"), status="done")

    errors = refused.value.message_dict
    assert "Date of the arrival notification" in errors["evidence_notification_date"][0]
    assert "outcome" in errors


def test_done_step_makes_the_next_one_ready_and_due(world):
    head = _head(world)
    caseworker = world.user("caseworker")

    _save(
        _step(head, "migration_registration"),
        caseworker,
        status="done",
        outcome="registered",
        evidence={"notification_date": "2026-11-20"},
    )

    done = _step(head, "migration_registration")
    assert (done.done_on, done.owner, done.version) == (TODAY, caseworker, 2)
    assert done.evidence == {"notification_date": "2026-11-20"}
    application = _step(head, "asylum_application")
    assert application.ready_since == TODAY
    assert application.due_on == TODAY + timedelta(days=14)
    change = AuditEntry.objects.filter(object_type="casework.stepprogress", action="change").last()
    assert unsealed(change)["changes"]["status"] == ["not_started", "done"]


def test_a_blocked_step_needs_a_reason_and_a_bad_date_is_named(world):
    head = _head(world)

    with pytest.raises(ValidationError) as refused:
        _save(
            _step(head, "migration_registration"),
            world.user("caseworker"),
            status="blocked",
            evidence={"notification_date": "31.02.2026"},
        )

    assert set(refused.value.message_dict) == {"blocked_reason", "evidence_notification_date"}


def test_two_caseworkers_editing_the_same_step_do_not_overwrite_each_other(world):
    head = _head(world)
    seen_by_both = _step(head, "migration_registration")
    _save(seen_by_both, world.user("caseworker"), status="waiting")

    with pytest.raises(StepConflict) as conflict:
        _save(seen_by_both, world.user("manager"), status="blocked", blocked_reason="no form")

    assert "caseworker changed this step" in str(conflict.value)
    assert _step(head, "migration_registration").status == StepStatus.WAITING


def test_another_site_s_caseworker_may_not_update(world):
    household = register(world.perm2, world.user("admin"))

    with pytest.raises(PermissionDenied):
        _save(
            _step(household.members.first(), "health_screening"),
            world.user("caseworker"),
            status="in_progress",
        )


def _screening_rows(households):
    return [
        (p.pk, p.version)
        for p in StepProgress.objects.filter(
            case__person__household__in=households, step__code="health_screening"
        )
    ]


def test_bulk_update_saves_everyone_and_audits_each_person(world):
    households = [register(world.perm, world.user("clerk_perm")) for _ in range(3)]
    before = AuditEntry.objects.count()

    count = bulk_update_step(
        rows=_screening_rows(households),
        update=StepUpdate(status="done", outcome="fit_to_travel", evidence={"screened_on": TODAY}),
        by=world.user("medical"),
    )

    assert count == 12
    assert not StepProgress.objects.filter(step__code="health_screening").exclude(status="done")
    entries = AuditEntry.objects.filter(seq__gt=before)
    assert entries.count() == 12
    assert {e.detail["person"] for e in entries} == {
        pk for h in households for pk in h.members.values_list("pk", flat=True)
    }
    assert verify_chain().intact


def test_bulk_update_is_all_or_nothing(world):
    households = [register(world.perm, world.user("clerk_perm")) for _ in range(2)]
    rows = _screening_rows(households)
    stale_id = rows[0][0]
    _save(StepProgress.objects.get(pk=stale_id), world.user("medical"), status="in_progress")
    before = AuditEntry.objects.count()

    with pytest.raises(BulkUpdateRefused) as refused:
        bulk_update_step(
            rows=rows,
            update=StepUpdate(
                status="done", outcome="fit_to_travel", evidence={"screened_on": TODAY}
            ),
            by=world.user("medical"),
        )

    assert len(refused.value.messages) == 1
    assert "changed this step" in refused.value.messages[0]
    assert StepProgress.objects.filter(step__code="health_screening", status="done").count() == 0
    assert AuditEntry.objects.count() == before


def test_nobody_travels_before_the_health_screening(world):
    household = register(world.perm, world.user("clerk_perm"), registered_on=TODAY)
    movement = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=TODAY,
        means="bus",
        seats=10,
        by=world.user("coordinator"),
    )
    add_household(movement=movement, household=household, by=world.user("coordinator"))
    everyone = set(household.members.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as refused:
        depart(movement=movement, boarded=everyone, on=TODAY, by=world.user("coordinator"))
    assert "initial health screening" in refused.value.messages[0]

    screen_for_travel(household, world.user("medical"), on=date.today())
    depart(movement=movement, boarded=everyone, on=TODAY, by=world.user("coordinator"))


def _decision_ready(world):
    """An adult whose application has gone through, waiting for the decision."""
    head = _head(world)
    StepProgress.objects.filter(
        case__person=head, step__code__in=["application_certificate", "medical_examination"]
    ).update(status=StepStatus.DONE)
    StepProgress.objects.filter(case__person=head, step__code="asylum_decision").update(
        ready_since=TODAY
    )
    return head


def _decide(head, outcome, by):
    return _save(
        _step(head, "asylum_decision"),
        by,
        status="done",
        outcome=outcome,
        evidence={"decision_date": TODAY},
    )


CERTIFICATE = {
    "status": "done",
    "outcome": "issued",
    "evidence": {"certificate_number": "VUP-1", "valid_until": TODAY + timedelta(days=365)},
}


def test_a_refused_decision_does_not_lead_to_a_certificate(world):
    caseworker = world.user("caseworker")
    head = _decision_ready(world)

    _decide(head, "refused", caseworker)

    certificate = _step(head, "asylum_certificate")
    assert certificate.ready_since is None and certificate.due_on is None
    with pytest.raises(ValidationError) as refused:
        _save(certificate, caseworker, **CERTIFICATE)
    message = refused.value.message_dict["status"][0]
    assert "Decision on the application" in message
    assert "“Refused”" in message and "“Granted”" in message
    assert _step(head, "asylum_certificate").status == StepStatus.NOT_STARTED


def test_a_decision_granted_on_appeal_makes_the_certificate_ready(world):
    caseworker = world.user("caseworker")
    head = _decision_ready(world)
    _decide(head, "appealed", caseworker)
    assert _step(head, "asylum_certificate").ready_since is None

    _decide(head, "granted", caseworker)

    certificate = _step(head, "asylum_certificate")
    assert certificate.ready_since == TODAY
    _save(certificate, caseworker, **CERTIFICATE)
    assert _step(head, "asylum_certificate").status == StepStatus.DONE
    assert _step(head, "snils_inn_oms").ready_since == TODAY


def test_a_bulk_update_refuses_certificates_after_a_refusal(world):
    caseworker = world.user("caseworker")
    head = _decision_ready(world)
    _decide(head, "refused", caseworker)
    certificate = _step(head, "asylum_certificate")

    with pytest.raises(BulkUpdateRefused) as refused:
        bulk_update_step(
            rows=[(certificate.pk, certificate.version)],
            update=StepUpdate(**CERTIFICATE),
            by=caseworker,
        )

    assert "“Refused”" in " ".join(refused.value.messages)
