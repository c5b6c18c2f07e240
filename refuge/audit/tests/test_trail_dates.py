from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from refuge.audit.models import AuditEntry
from refuge.testing import register


@pytest.mark.parametrize(("language", "expected"), [("ar", "17\u200f/04"), ("ru", "17.04")])
def test_date_times_are_day_first_like_the_languages_dates(language, expected):
    moment = datetime(2026, 4, 17, 9, 5)
    with translation.override(language):
        assert date_format(moment, "SHORT_DATETIME_FORMAT").startswith(expected)
        assert date_format(moment.date(), "SHORT_DATE_FORMAT").startswith(expected)


def test_the_arabic_audit_trail_shows_day_first_date_times(world, client):
    register(world.shelter, world.user("clerk"))
    at = timezone.localtime(AuditEntry.objects.order_by("-seq").first().at)
    client.force_login(world.user("dpo"))
    client.cookies["django_language"] = "ar"

    html = client.get(reverse("audit:trail")).content.decode()

    assert f"{at:%d}\u200f/{at:%m}\u200f/{at:%Y}" in html
