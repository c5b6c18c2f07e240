"""Every browser date picker carries an ISO value, whatever the reader's language.

A date input given "01.12.2026" (Russian) shows an empty box and submits nothing, so a Russian
clerk could not register a family or plan a transfer."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from refuge.casework.models import StepProgress
from refuge.testing import register

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_INPUT = re.compile(r"<input[^>]*type=\"date\"[^>]*>")
VALUE = re.compile(r"value=\"([^\"]*)\"")


def _date_values(html: str) -> list[str]:
    inputs = DATE_INPUT.findall(html)
    assert inputs, "no date input on the page"
    return [m.group(1) if (m := VALUE.search(tag)) else "" for tag in inputs]


def _signed_in(client, user, language):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", ["ru", "ar", "en"])
def test_registration_form_dates_are_iso_in_every_language(client, world, language):
    response = _signed_in(client, world.user("clerk"), language).get(reverse("registry:register"))
    assert response.headers["Content-Language"] == language
    values = _date_values(response.content.decode())
    assert all(ISO.match(v) for v in values), values


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_transfer_planning_form_date_is_iso(client, world, language):
    response = _signed_in(client, world.user("manager"), language).get(
        reverse("sites:movement_new")
    )
    values = _date_values(response.content.decode())
    assert values and all(ISO.match(v) for v in values), values


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_casework_step_form_dates_are_iso(client, world, language):
    household = register(world.perm, world.user("clerk_perm"))
    progress = StepProgress.objects.filter(case__person__household=household).first()
    StepProgress.objects.filter(pk=progress.pk).update(due_on=date(2026, 3, 9))
    response = _signed_in(client, world.user("caseworker"), language).get(
        reverse("casework:step_edit", args=[progress.pk])
    )
    values = _date_values(response.content.decode())
    assert "2026-03-09" in values
    assert all(ISO.match(v) or v == "" for v in values), values
