"""Every page against every role: who gets in, who is refused, who is sent to sign in.

A new page joins this table, or it is not done. Expected outcomes: 200 (allowed), 403 (the
role lacks the capability), 404 (the record is at a site the user does not work at).
"""

import pytest
from django.urls import reverse

from refuge.accounts.roles import Role
from refuge.casework.models import StepProgress
from refuge.casework.services import add_attachment
from refuge.identity.batch import queue_registry_duplicates
from refuge.identity.models import CandidatePair
from refuge.sites.movements import add_household, plan_movement
from refuge.testing import register

ROLES = [
    "clerk",
    "clerk_perm",
    "caseworker",
    "medical",
    "site_manager",
    "coordinator",
    "dpo",
    "observer",
    "admin",
]


def _pages(world):
    """(name, url, method, data) for every page; records live at the Perm centre."""
    household = register(world.perm, world.user("clerk_perm"))
    register(world.perm, world.user("clerk_perm"))  # the same family again: a pair to review
    queue_registry_duplicates(progress=False)
    pair = CandidatePair.objects.first()
    person = household.members.first()
    movement = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=household.registered_on,
        means="bus",
        seats=10,
        by=world.user("admin"),
    )
    add_household(movement=movement, household=household, by=world.user("admin"))
    scan = add_attachment(
        person=person,
        domain="social",
        kind="certificate",
        filename="certificate.pdf",
        content=b"%PDF-1.4 a scanned certificate",
        by=world.user("caseworker"),
    )
    step = StepProgress.objects.filter(case__person=person).first()
    return {
        "overview": (reverse("sites:overview"), "get", None),
        "site": (reverse("sites:site", args=[world.perm.pk]), "get", None),
        "register": (reverse("registry:register"), "get", None),
        "member_row": (reverse("registry:member_row") + "?index=1", "get", None),
        "search": (reverse("registry:search"), "post", {"q": "محمد"}),
        "household": (reverse("registry:household", args=[household.pk]), "get", None),
        "person": (reverse("registry:person", args=[person.pk]), "get", None),
        "person_edit": (reverse("registry:person_edit", args=[person.pk]), "get", None),
        "audit": (reverse("audit:trail"), "get", None),
        "instant_check": (reverse("identity:instant_check"), "post", {"prefix": "members-0"}),
        "review_queue": (reverse("identity:queue"), "get", None),
        "review_pair": (reverse("identity:pair", args=[pair.pk]), "get", None),
        "rooms": (reverse("sites:rooms", args=[world.perm.pk]), "get", None),
        "allocate": (reverse("sites:allocate", args=[household.pk]), "get", None),
        "movements": (reverse("sites:movements"), "get", None),
        "movement_new": (reverse("sites:movement_new"), "get", None),
        "movement": (reverse("sites:movement", args=[movement.pk]), "get", None),
        "manifest": (reverse("sites:manifest", args=[movement.pk]), "get", None),
        "slip": (reverse("sites:slip", args=[household.pk]), "get", None),
        "worklist": (reverse("casework:worklist"), "get", None),
        "bottlenecks": (reverse("casework:bottlenecks"), "get", None),
        "bulk": (reverse("casework:bulk"), "get", None),
        "pathway_edit": (reverse("casework:pathway_edit"), "get", None),
        "person_case": (reverse("casework:person", args=[person.pk]), "get", None),
        "household_case": (reverse("casework:household", args=[household.pk]), "get", None),
        "step_edit": (reverse("casework:step_edit", args=[step.pk]), "get", None),
        "attachment": (reverse("casework:attachment", args=[scan.pk]), "get", None),
    }


# role -> page -> expected status
ALLOWED, REFUSED, ELSEWHERE = 200, 403, 404
PAGES = [
    "overview",
    "site",
    "register",
    "member_row",
    "search",
    "household",
    "person",
    "person_edit",
    "audit",
    "instant_check",
    "review_queue",
    "review_pair",
    "rooms",
    "allocate",
    "movements",
    "movement_new",
    "movement",
    "manifest",
    "slip",
]
# fmt: off
MATRIX = {
    "clerk":        (ALLOWED, ELSEWHERE, ALLOWED, ALLOWED, ALLOWED, ELSEWHERE, ELSEWHERE, ELSEWHERE, REFUSED, ALLOWED, REFUSED, REFUSED, ELSEWHERE, REFUSED, ALLOWED, REFUSED, ELSEWHERE, ELSEWHERE, ELSEWHERE),
    "clerk_perm":   (ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, REFUSED, ALLOWED, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED),
    "caseworker":   (ALLOWED, ALLOWED, REFUSED, REFUSED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED),
    "medical":      (ALLOWED, ALLOWED, REFUSED, REFUSED, ALLOWED, ALLOWED, ALLOWED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED, REFUSED, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED),
    "site_manager": (ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    "coordinator":  (ALLOWED, ALLOWED, REFUSED, REFUSED, ALLOWED, ALLOWED, ALLOWED, REFUSED, REFUSED, REFUSED, ALLOWED, ALLOWED, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    "dpo":          (ALLOWED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, ALLOWED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
    "observer":     (ALLOWED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
    "admin":        (ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
}
# fmt: on
assert all(len(row) == len(PAGES) for row in MATRIX.values())
CASES = [(role, page, MATRIX[role][i]) for role in ROLES for i, page in enumerate(PAGES)]

# Casework: the attachment is a social-domain scan, which medical staff and administrators
# may not open even on their own site.
CASEWORK_PAGES = [
    "worklist",
    "bottlenecks",
    "bulk",
    "pathway_edit",
    "person_case",
    "household_case",
    "step_edit",
    "attachment",
]
# fmt: off
CASEWORK_MATRIX = {
    "clerk":        (ALLOWED, ALLOWED, REFUSED, REFUSED, ELSEWHERE, ELSEWHERE, REFUSED, ELSEWHERE),
    "clerk_perm":   (ALLOWED, ALLOWED, REFUSED, REFUSED, ALLOWED, ALLOWED, REFUSED, REFUSED),
    "caseworker":   (ALLOWED, ALLOWED, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    "medical":      (ALLOWED, ALLOWED, ALLOWED, REFUSED, ALLOWED, ALLOWED, REFUSED, REFUSED),
    "site_manager": (ALLOWED, ALLOWED, ALLOWED, REFUSED, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    "coordinator":  (ALLOWED, ALLOWED, REFUSED, REFUSED, ALLOWED, ALLOWED, REFUSED, REFUSED),
    "dpo":          (REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
    "observer":     (REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
    "admin":        (ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, REFUSED),
}
# fmt: on
assert all(len(row) == len(CASEWORK_PAGES) for row in CASEWORK_MATRIX.values())
CASES += [
    (role, page, CASEWORK_MATRIX[role][i])
    for role in ROLES
    for i, page in enumerate(CASEWORK_PAGES)
]


def _user(world, role):
    return world.users[getattr(Role, role.upper(), role)]


@pytest.mark.parametrize(("role", "page", "expected"), CASES)
def test_role_page_matrix(world, client, role, page, expected):
    url, method, data = _pages(world)[page]
    client.force_login(_user(world, role))

    response = getattr(client, method)(url, data or {})

    assert response.status_code == expected, f"{role} on {page}"


@pytest.mark.parametrize("page", PAGES + CASEWORK_PAGES)
def test_anonymous_is_sent_to_sign_in(world, client, page):
    url, method, data = _pages(world)[page]

    response = getattr(client, method)(url, data or {})

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_observer_overview_shows_no_names_and_suppresses_small_counts(world, client):
    register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user(Role.OBSERVER))

    page = client.get(reverse("sites:overview")).content.decode()

    assert "محمد" not in page and "Mohammed" not in page
    assert "&lt;5" in page  # one family of four at Perm centre 1
    assert reverse("sites:site", args=[world.perm.pk]) not in page


def test_personal_pages_are_never_cached(world, client):
    household = register(world.perm, world.user("clerk_perm"))
    client.force_login(world.user("clerk_perm"))

    response = client.get(reverse("registry:household", args=[household.pk]))

    assert "no-store" in response["Cache-Control"]
