"""Worklists, the bottleneck figures, and the pages that show them and change steps."""

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from refuge.casework.models import Pathway, StepProgress, StepStatus
from refuge.casework.selectors import Worklist, bottlenecks, worklist
from refuge.testing import register

TODAY = timezone.localdate()


def _screenings(site, world, n, registered_on):
    households = [
        register(site, world.user("admin"), registered_on=registered_on) for _ in range(n)
    ]
    return StepProgress.objects.filter(
        case__person__household__in=households, step__code="health_screening"
    )


def test_overdue_lists_only_ready_steps_past_due_at_the_user_s_sites(world):
    late = _screenings(world.perm, world, 1, TODAY - timedelta(days=10))
    _screenings(world.perm, world, 1, TODAY)  # due in three days
    _screenings(world.perm2, world, 1, TODAY - timedelta(days=10))  # not the caseworker's site

    rows = list(worklist(world.user("caseworker"), Worklist.OVERDUE, today=TODAY))

    assert {r.pk for r in rows if r.step.code == "health_screening"} == {p.pk for p in late}
    assert all(r.case.person.household.current_site == world.perm for r in rows)


def test_waiting_longer_than_n_days_and_blocked(world):
    steps = list(_screenings(world.perm, world, 1, TODAY))
    StepProgress.objects.filter(pk=steps[0].pk).update(
        status=StepStatus.WAITING, status_since=TODAY - timedelta(days=20)
    )
    StepProgress.objects.filter(pk=steps[1].pk).update(
        status=StepStatus.WAITING, status_since=TODAY - timedelta(days=2)
    )
    StepProgress.objects.filter(pk=steps[2].pk).update(
        status=StepStatus.BLOCKED, blocked_reason="clinic closed"
    )
    caseworker = world.user("caseworker")

    waiting = worklist(caseworker, Worklist.WAITING, today=TODAY, days=14)
    blocked = worklist(caseworker, Worklist.BLOCKED, today=TODAY)

    assert [p.pk for p in waiting] == [steps[0].pk]
    assert [p.pk for p in blocked] == [steps[2].pk]


def test_bottlenecks_count_people_and_their_waits(world):
    _screenings(world.perm, world, 1, TODAY - timedelta(days=10))  # 4 people, 10 days
    _screenings(world.perm, world, 1, TODAY - timedelta(days=2))  # 4 people, 2 days
    _screenings(world.perm2, world, 1, TODAY)

    loads = {
        load.code: load for load in bottlenecks(world.user("caseworker"), site=None, today=TODAY)
    }

    screening = loads["health_screening"]
    assert (screening.people, screening.median_days, screening.p90_days) == (8, 2, 10)
    assert screening.name == "Initial health screening"
    assert "reception_registration" not in loads  # done for everyone


def test_the_step_page_saves_over_htmx_and_reports_a_conflict(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    step = StepProgress.objects.get(
        case__person__household=household,
        case__person__relationship="head",
        step__code="migration_registration",
    )
    url = reverse("casework:step_edit", args=[step.pk])
    client.force_login(world.user("caseworker"))
    form = {
        "version": step.version,
        "status": "done",
        "outcome": "registered",
        "evidence_notification_date": "2026-11-20",
        "owner": "",
        "due_on": "",
        "blocked_reason": "",
    }

    saved = client.post(url, form, HTTP_HX_REQUEST="true")
    again = client.post(
        url, form | {"status": "blocked", "blocked_reason": "x"}, HTTP_HX_REQUEST="true"
    )

    assert "Saved" in saved.content.decode()
    assert "caseworker changed this step" in again.content.decode()
    step.refresh_from_db()
    assert (step.status, step.version) == ("done", 2)


def test_the_step_page_names_the_missing_prerequisite(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    step = StepProgress.objects.get(
        case__person__household=household,
        case__person__relationship="head",
        step__code="asylum_application",
    )
    client.force_login(world.user("caseworker"))

    page = client.post(
        reverse("casework:step_edit", args=[step.pk]),
        {"version": step.version, "status": "done", "outcome": "submitted"},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    assert "Migration registration at the place of stay" in page
    assert "Record the Application date to mark the step done." in page


def test_bulk_page_updates_the_ticked_people_only(world, client):
    screenings = list(_screenings(world.perm, world, 2, TODAY))
    ticked = screenings[:5]
    client.force_login(world.user("medical"))

    response = client.post(
        reverse("casework:bulk"),
        {
            "site": world.perm.pk,
            "step": "health_screening",
            "status": "done",
            "outcome": "fit_to_travel",
            "evidence_screened_on": TODAY.isoformat(),
            "rows": [f"{p.pk}:{p.version}" for p in ticked],
        },
    )

    assert response.status_code == 302
    done = set(
        StepProgress.objects.filter(step__code="health_screening", status="done").values_list(
            "pk", flat=True
        )
    )
    assert done == {p.pk for p in ticked}


def test_an_administrator_changes_the_pathway_as_a_new_version(world, client):
    client.force_login(world.user("admin"))
    url = reverse("casework:pathway_edit")
    current = Pathway.objects.get(is_current=True)

    refused = client.post(url, {"definition": '{"steps": [{"code": "a", "prerequisites": ["b"]}]}'})
    assert "the prerequisite “b” is not another step" in refused.content.decode()
    assert Pathway.objects.get(is_current=True) == current

    text = client.get(url).context["text"]
    data = json.loads(text)
    data["steps"][0]["target_days"] = 2
    client.post(url, {"definition": json.dumps(data)})

    new = Pathway.objects.get(is_current=True)
    assert new.version == current.version + 1
    assert new.steps.get(code="reception_registration").target_days == 2
