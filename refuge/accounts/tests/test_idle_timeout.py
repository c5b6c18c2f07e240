import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone


@pytest.fixture
def clock(monkeypatch):
    """Move time on for the middleware (time.time) and the session store (timezone.now)."""
    real_time, real_now = time.time, timezone.now
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real_time() + offset[0])
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=offset[0]))

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


def _session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
    )


def test_an_idle_session_ends(world, client, clock, settings):
    client.force_login(world.user("clerk"))
    assert client.get(reverse("sites:overview")).status_code == 200

    clock(settings.SESSION_IDLE_SECONDS + 1)

    assert client.get(reverse("sites:overview")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_idle_session_ends_even_if_its_row_has_not_expired(world, client, clock, settings):
    client.force_login(world.user("clerk"))
    client.get(reverse("sites:overview"))
    session = client.session
    session.set_expiry(10 * settings.SESSION_IDLE_SECONDS)  # the row alone would let it through
    session.save()
    clock(settings.SESSION_IDLE_SECONDS + 1)

    response = client.get(reverse("sites:overview"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_clerk_who_keeps_working_stays_signed_in(world, client, clock, settings):
    client.force_login(world.user("clerk"))

    for _ in range(3 * settings.SESSION_IDLE_SECONDS // 50):
        assert client.get(reverse("sites:overview")).status_code == 200
        clock(50)


def test_requests_within_a_minute_do_not_rewrite_the_session(world, client, clock, settings):
    client.force_login(world.user("clerk"))
    client.get(reverse("sites:overview"))

    clock(settings.SESSION_ACTIVITY_RESOLUTION_SECONDS - 5)
    assert _session_writes(client, reverse("sites:overview")) == 0

    clock(10)
    assert _session_writes(client, reverse("sites:overview")) == 1
