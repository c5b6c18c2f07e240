"""Worklists, the bottleneck figures, and the pages that show them and change steps."""

import json
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from refuge.casework import selectors
from refuge.casework.models import Pathway, StepProgress, StepStatus
from refuge.casework.selectors import Worklist, bottlenecks, worklist, worklist_page
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


def _overdue_households(world, n):
    return [
        register(world.perm, world.user("clerk_perm"), registered_on=TODAY - timedelta(days=10))
        for _ in range(n)
    ]


def test_the_worklist_pages_without_counting_the_list(world, client, monkeypatch):
    _overdue_households(world, 7)  # 8 overdue steps each: 56, a page of 50 and a page of 6
    monkeypatch.setattr(selectors, "COUNT_CAP", 20)
    client.force_login(world.user("caseworker"))
    url = reverse("casework:worklist") + "?list=overdue"

    with CaptureQueriesContext(connection) as queries:
        first = client.get(url)
    last = client.get(url + "&page=2")
    beyond = client.get(url + "&page=9")

    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    page = first.context["page"]
    assert (len(page.object_list), page.has_next, page.total) == (50, True, None)
    assert "More than 20 steps" in first.content.decode()
    assert "page=2" in first.content.decode()
    page = last.context["page"]
    assert (len(page.object_list), page.has_next, page.total) == (6, False, 56)
    assert "56 steps" in last.content.decode() and "Page 2 of 2" in last.content.decode()
    assert beyond.context["page"].number == 2
    shown = [p.pk for p in first.context["page"].object_list + page.object_list]
    assert shown == [
        p.pk for p in worklist(world.user("caseworker"), Worklist.OVERDUE, today=TODAY)
    ]


def test_a_short_worklist_says_how_long_it_is(world, client):
    _overdue_households(world, 1)
    client.force_login(world.user("caseworker"))

    page = client.get(reverse("casework:worklist") + "?list=overdue").content.decode()

    assert "8 steps" in page and "Next" not in page


def test_my_open_steps_include_the_unowned_ready_steps_of_my_role_at_my_sites(world):
    caseworker, medical = world.user("caseworker"), world.user("medical")
    household = register(world.perm, world.user("clerk_perm"))
    register(world.perm2, world.user("admin"))  # another site's steps
    steps = StepProgress.objects.filter(case__person__household=household)
    taken = steps.get(case__person__relationship="head", step__code="migration_registration")
    StepProgress.objects.filter(pk=taken.pk).update(owner=medical)
    mine = steps.get(case__person__relationship="spouse", step__code="asylum_application")
    StepProgress.objects.filter(pk=mine.pk).update(owner=caseworker)  # not ready, but mine

    rows = list(worklist(caseworker, Worklist.MINE, today=TODAY))

    expected = (
        steps.filter(owner__isnull=True, ready_since__isnull=False, step__owner_role="caseworker")
        .exclude(status__in=["done", "not_applicable"])
        .values_list("pk", flat=True)
    )
    assert {r.pk for r in rows} == {*expected, mine.pk}
    assert taken.pk not in {r.pk for r in rows}
    theirs = list(worklist(medical, Worklist.MINE, today=TODAY))
    assert taken.pk in {r.pk for r in theirs}
    assert "health_screening" in {r.step.code for r in theirs}
    assert all(r.owner == medical or r.step.owner_role == "medical" for r in theirs)


def test_my_open_steps_page_merges_mine_and_unowned_ones_by_due_date(world):
    caseworker = world.user("caseworker")
    household = register(world.perm, world.user("clerk_perm"))
    step = StepProgress.objects.get(
        case__person__household=household,
        case__person__relationship="head",
        step__code="psychosocial_support",
    )
    StepProgress.objects.filter(pk=step.pk).update(owner=caseworker, due_on=TODAY)

    page = worklist_page(caseworker, Worklist.MINE, number=1, today=TODAY)

    whole = list(worklist(caseworker, Worklist.MINE, today=TODAY))
    assert [p.pk for p in page.object_list] == [p.pk for p in whole]
    assert page.object_list[0].pk == step.pk  # due today, before the unowned ones
    assert len(whole) > 1 and page.total == len(whole)


def test_the_bulk_list_goes_family_by_family_in_the_order_they_registered(world):
    first, second, third = _overdue_households(world, 3)

    rows = selectors.bulk_candidates(
        world.user("caseworker"), site=world.perm, step_code="health_screening"
    )

    households = [p.case.person.household_id for p in rows]
    assert households == sorted(households, key=[first.pk, second.pk, third.pk].index)
    assert len(households) == sum(h.members.count() for h in (first, second, third))
