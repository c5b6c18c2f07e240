"""Every API operation against every role, at the records' own site and at another one.

The records live at Perm centre 1. Each role is tried as the demo has it, plus three staff of
another site holding the same roles as staff who may: a caseworker at Perm centre 2, a site
manager and a clerk at the airbase shelter. Expected: 2xx where the pages let the role do the
same, 403 where the role may not, 404 for a record at a site the user does not work at (403 when
the site itself is what they named, as in registering). An unexpected 2xx or any 5xx fails.
"""

from dataclasses import dataclass
from datetime import date

import pytest

from refuge.accounts.roles import Role
from refuge.api.tests.conftest import bearer
from refuge.casework.models import Partner, StepProgress
from refuge.identity.batch import queue_registry_duplicates
from refuge.identity.models import CandidatePair
from refuge.registry.vocabulary import ConsentScope
from refuge.sites.movements import add_household, plan_movement
from refuge.testing import UserFactory, family_of_four, register

OK, CREATED, REFUSED, ELSEWHERE = 200, 201, 403, 404


@dataclass
class Records:
    household: int
    person: int
    step: int
    pair: int
    movement: int
    partner: int
    perm: int
    perm2: int
    tracing_request: int = 0
    candidate: int = 0
    confirmed: int = 0


def _tracing(world, household, again) -> tuple[int, int, int]:
    """A mother at Perm looking for her son: both registrations of him are candidates, one
    confirmed and waiting for his answer."""
    from refuge.tracing import services as tracing
    from refuge.tracing.models import Candidate

    tracer = world.user("tracer")
    request = tracing.open_request(
        site=world.perm,
        inquirer=tracing.InquirerData(given_name="Zainab", sex="f", contact="room 3"),
        sought=[tracing.SoughtData(given_name="Ali", family_name="Hassan", relationship="son",
                                   sex="m", birth_date=date(2012, 1, 1))],
        by=tracer,
    )  # fmt: skip
    confirmed = Candidate.objects.get(sought__request=request, person__household=household)
    tracing.review_candidate(candidate=confirmed, confirm=True, by=tracer)
    candidate = Candidate.objects.get(sought__request=request, person__household=again)
    return request.pk, candidate.pk, confirmed.pk


def _records(world) -> Records:
    clerk = world.user("clerk_perm")
    household = _register_sharing(world, clerk)
    again = register(world.perm, clerk, members=family_of_four())  # a pair to review
    queue_registry_duplicates(progress=False)
    movement = plan_movement(
        from_site=world.perm,
        to_site=world.perm2,
        planned_on=date.today(),
        means="bus",
        seats=10,
        by=world.user("admin"),
    )
    add_household(movement=movement, household=household, by=world.user("admin"))
    person = household.members.order_by("pk").first()
    step = StepProgress.objects.get(case__person=person, step__code="social_support")
    return Records(
        household=household.pk,
        person=person.pk,
        step=step.pk,
        pair=CandidatePair.objects.first().pk,
        movement=movement.pk,
        partner=Partner.objects.create(name="City clinic No. 4", kind="clinic").pk,
        perm=world.perm.pk,
        perm2=world.perm2.pk,
        **dict(zip(("tracing_request", "candidate", "confirmed"),
                   _tracing(world, household, again), strict=True)),
    )  # fmt: skip


def _register_sharing(world, clerk):
    from refuge.reception.services import register_household

    # Consent to sharing, so that a referral to a partner is the role's question alone.
    return register_household(
        site=world.perm,
        members=family_of_four(),
        consent_scopes=[ConsentScope.REGISTRATION, ConsentScope.SHARING],
        by=clerk,
    )


def _member():
    return {
        "relationship": "head",
        "sex": "f",
        "given_name_lat": "Rania",
        "family_name_lat": "Haddad",
        "birth_date": "1990-05-01",
    }


# name: (method, path, body)
def _operations(r: Records) -> dict:
    return {
        "households.list": ("get", "/api/v1/households/", None),
        "households.read": ("get", f"/api/v1/households/{r.household}/", None),
        "households.stays": ("get", f"/api/v1/households/{r.household}/stays/", None),
        "households.register": (
            "post",
            "/api/v1/households/",
            {"site": r.perm, "consent": ["registration"], "members": [_member()]},
        ),
        "people.list": ("get", "/api/v1/people/", None),
        "people.read": ("get", f"/api/v1/people/{r.person}/", None),
        "people.update": ("patch", f"/api/v1/people/{r.person}/", {"profession": "Teacher"}),
        "people.search": ("post", "/api/v1/people/search/", {"q": "Hassan"}),
        "people.documents": ("get", f"/api/v1/people/{r.person}/documents/", None),
        "people.needs": ("get", f"/api/v1/people/{r.person}/needs/", None),
        "people.consents": ("get", f"/api/v1/people/{r.person}/consents/", None),
        "people.cases": ("get", f"/api/v1/people/{r.person}/cases/", None),
        "people.notes": ("get", f"/api/v1/people/{r.person}/notes/", None),
        "people.add_note": (
            "post",
            f"/api/v1/people/{r.person}/notes/",
            {"domain": "social", "text": "Asked about school for the children."},
        ),
        "people.referrals": ("get", f"/api/v1/people/{r.person}/referrals/", None),
        "people.refer": ("post", f"/api/v1/people/{r.person}/referrals/", {"partner": r.partner}),
        "steps.read": ("get", f"/api/v1/steps/{r.step}/", None),
        "steps.update": (
            "patch",
            f"/api/v1/steps/{r.step}/",
            {"version": 1, "status": "in_progress"},
        ),
        "sites.list": ("get", "/api/v1/sites/", None),
        "sites.read": ("get", f"/api/v1/sites/{r.perm}/", None),
        "sites.rooms": ("get", f"/api/v1/sites/{r.perm}/rooms/", None),
        "transfers.list": ("get", "/api/v1/transfers/", None),
        "transfers.read": ("get", f"/api/v1/transfers/{r.movement}/", None),
        "partners.list": ("get", "/api/v1/partners/", None),
        "review.list": ("get", "/api/v1/review-pairs/", None),
        "review.read": ("get", f"/api/v1/review-pairs/{r.pair}/", None),
        "review.decide": (
            "post",
            f"/api/v1/review-pairs/{r.pair}/decision/",
            {"status": "unsure"},
        ),
        "instant_check": ("post", "/api/v1/instant-check/", {"given_name_lat": "Mohammed"}),
        "tracing.list": ("get", "/api/v1/tracing-requests/", None),
        "tracing.read": ("get", f"/api/v1/tracing-requests/{r.tracing_request}/", None),
        "tracing.open": (
            "post",
            "/api/v1/tracing-requests/",
            {
                "site": r.perm,
                "inquirer_given_name": "Huda",
                "inquirer_sex": "f",
                "inquirer_contact": "desk",
                "sought": [{"given_name": "Omar", "relationship": "brother"}],
            },
        ),  # fmt: skip
        "tracing.answer": ("get", f"/api/v1/tracing-requests/{r.tracing_request}/answer/", None),
        "tracing.candidate": ("get", f"/api/v1/tracing-candidates/{r.candidate}/", None),
        "tracing.decide": (
            "post",
            f"/api/v1/tracing-candidates/{r.candidate}/decision/",
            {"decision": "dismiss"},
        ),
        "tracing.consent": (
            "post",
            f"/api/v1/tracing-candidates/{r.confirmed}/consent/",
            {
                "agreed": True,
                "shares": ["safe"],
                "spoke_on": str(date.today()),
                "with_whom": "his aunt",
            },
        ),  # fmt: skip
    }


OPERATIONS = list(_operations(Records(*range(1, 9))))
R, C, X, E = OK, CREATED, REFUSED, ELSEWHERE
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
    "caseworker_elsewhere",
    "manager_elsewhere",
    "tracing_officer",
    "tracer_shelter",
]
# One row per role, one column per operation, in the order of _operations. Lists at another
# site are allowed (200) and empty of the Perm records: test_lists_hold_only_visible_rows.
# fmt: off
MATRIX = {
    #                        hh.l  hh.r  hh.s  hh.+  pp.l  pp.r  pp.u  pp.s  doc   need  cons  case  note  +note ref   +ref  st.r  st.u  si.l  si.r  room  tr.l  tr.r  part  rv.l  rv.r  rv.d  inst  tr.l  tr.r  tr.+  tr.a  cand  cand.d cons
    "clerk":                (R,    E,    E,    X,    R,    E,    E,    R,    E,    E,    E,    E,    E,    X,    E,    X,    E,    X,    R,    E,    E,    R,    E,    R,    X,    X,    X,    R,    X,    X,    X,    X,    X,    X,    X),
    "clerk_perm":           (R,    R,    R,    C,    R,    R,    R,    R,    R,    R,    R,    R,    R,    X,    R,    X,    R,    X,    R,    R,    R,    R,    R,    R,    X,    X,    X,    R,    X,    X,    X,    X,    X,    X,    X),
    "caseworker":           (R,    R,    R,    X,    R,    R,    R,    R,    R,    R,    R,    R,    R,    C,    R,    C,    R,    R,    R,    R,    R,    R,    R,    R,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X),
    "medical":              (R,    R,    R,    X,    R,    R,    X,    R,    R,    R,    R,    R,    R,    X,    R,    C,    R,    X,    R,    R,    R,    R,    R,    R,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X),
    "site_manager":         (R,    R,    R,    C,    R,    R,    R,    R,    R,    R,    R,    R,    R,    C,    R,    C,    R,    R,    R,    R,    R,    R,    R,    R,    R,    R,    R,    R,    X,    X,    X,    X,    X,    X,    X),
    "coordinator":          (R,    R,    R,    X,    R,    R,    X,    R,    R,    R,    R,    R,    R,    X,    R,    X,    R,    X,    R,    R,    R,    R,    R,    R,    R,    R,    R,    X,    X,    X,    X,    X,    X,    X,    X),
    "dpo":                  (X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    R,    R,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X),
    "observer":             (X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    R,    R,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X),
    "admin":                (R,    R,    R,    C,    R,    R,    R,    R,    R,    R,    R,    R,    R,    X,    R,    C,    R,    R,    R,    R,    R,    R,    R,    R,    R,    R,    R,    R,    X,    X,    X,    X,    X,    X,    X),
    "caseworker_elsewhere": (R,    E,    E,    X,    R,    E,    E,    R,    E,    E,    E,    E,    E,    E,    E,    E,    E,    E,    R,    E,    E,    R,    R,    R,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X,    X),
    "manager_elsewhere":    (R,    E,    E,    X,    R,    E,    E,    R,    E,    E,    E,    E,    E,    E,    E,    E,    E,    E,    R,    E,    E,    R,    E,    R,    R,    E,    E,    R,    X,    X,    X,    X,    X,    X,    X),
    "tracing_officer":      (R,    R,    R,    X,    R,    R,    X,    R,    R,    R,    R,    X,    X,    X,    X,    X,    X,    X,    R,    R,    R,    R,    R,    X,    X,    X,    X,    X,    R,    R,    C,    R,    R,    R,    C),
    "tracer_shelter":       (R,    E,    E,    X,    R,    E,    X,    R,    E,    E,    E,    X,    X,    X,    X,    X,    X,    X,    R,    E,    E,    R,    E,    X,    X,    X,    X,    X,    R,    E,    X,    E,    E,    E,    E),
}
# fmt: on
# Tracing is the tracing officers' alone (not even administrators'); the one at the shelter
# neither reads nor opens anything at Perm, where the request and its candidates are.
# The step updated is social support, the caseworker's: site managers and administrators stand
# in for caseworkers, medical officers do not (accounts.roles.STEP_DEPUTIES).
assert all(len(row) == len(OPERATIONS) for row in MATRIX.values())


def _user(world, role: str):
    if role == "caseworker_elsewhere":
        return UserFactory(username=role, role=Role.CASEWORKER, sites=[world.perm2])
    if role == "manager_elsewhere":
        return UserFactory(username=role, role=Role.SITE_MANAGER, sites=[world.shelter])
    return world.users[getattr(Role, role.upper(), role)]


@pytest.mark.parametrize("role", ROLES)
def test_api_role_matrix(world, role):
    """One world per role (the writes change it), every operation tried against it."""
    records = _records(world)
    client = bearer(_user(world, role))
    wrong = []
    for (name, (method, path, body)), expected in zip(
        _operations(records).items(), MATRIX[role], strict=True
    ):
        response = getattr(client, method)(path, body, format="json")
        if response.status_code != expected:
            wrong.append(
                f"{name}: {response.status_code}, expected {expected}: {response.content[:200]!r}"
            )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("role", "sees"), [("clerk_perm", True), ("clerk", False), ("caseworker_elsewhere", False)]
)
def test_lists_hold_only_visible_rows(world, role, sees):
    records = _records(world)
    client = bearer(_user(world, role))

    households = [row["id"] for row in client.get("/api/v1/households/").json()["results"]]
    people = [row["id"] for row in client.get("/api/v1/people/").json()["results"]]
    found = [
        row["id"]
        for row in client.post("/api/v1/people/search/", {"q": "Hassan"}, format="json").json()
    ]

    assert (records.household in households) is sees
    assert (records.person in people) is sees
    assert (records.person in found) is sees


def test_anonymous_gets_401_everywhere(world):
    from rest_framework.test import APIClient

    records = _records(world)
    client = APIClient()
    for name, (method, path, body) in _operations(records).items():
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 401, name
        assert response["Content-Type"] == "application/problem+json", name


# Field data (refuge.fielddata): imports at Perm centre 1 and the export of its people, on a
# matrix of their own (the upload is multipart, not JSON). Importing is the site managers'
# and administrators'; exporting also the coordinators'. A site manager at the shelter names
# Perm himself when importing or exporting there (403) and cannot see Perm's run (404).
A = 202
FIELD_OPERATIONS = ["imports.list", "imports.start", "imports.read", "imports.problems",
                    "exports.download"]  # fmt: skip
# fmt: off
FIELD_MATRIX = {
    #                        im.l  im.+  im.r  im.p  ex
    "clerk":                (X,    X,    X,    X,    X),
    "clerk_perm":           (X,    X,    X,    X,    X),
    "caseworker":           (X,    X,    X,    X,    X),
    "medical":              (X,    X,    X,    X,    X),
    "site_manager":         (R,    A,    R,    R,    R),
    "coordinator":          (X,    X,    X,    X,    R),
    "dpo":                  (X,    X,    X,    X,    X),
    "observer":             (X,    X,    X,    X,    X),
    "admin":                (R,    A,    R,    R,    R),
    "caseworker_elsewhere": (X,    X,    X,    X,    X),
    "manager_elsewhere":    (R,    X,    E,    E,    X),
    "tracing_officer":      (X,    X,    X,    X,    X),
    "tracer_shelter":       (X,    X,    X,    X,    X),
}
# fmt: on
assert set(FIELD_MATRIX) == set(ROLES)


def _field_request(client, name: str, run: int, perm: int, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from refuge.fielddata.kobo import write_kobo_xlsx
    from refuge.fielddata.tests.factories import exported

    if name == "imports.list":
        return client.get("/api/v1/imports/")
    if name == "imports.start":
        path = write_kobo_xlsx(tmp_path / "kobo.xlsx", [exported()])
        upload = SimpleUploadedFile("kobo.xlsx", path.read_bytes())
        return client.post("/api/v1/imports/", {"site": perm, "file": upload}, format="multipart")
    if name == "imports.read":
        return client.get(f"/api/v1/imports/{run}/")
    if name == "imports.problems":
        return client.get(f"/api/v1/imports/{run}/problems/")
    return client.get("/api/v1/exports/", {"site": perm, "layout": "people"})


@pytest.mark.parametrize("role", ROLES)
def test_api_field_data_role_matrix(world, role, tmp_path):
    from refuge.fielddata import services as fielddata

    register(world.perm, world.user("clerk_perm"))
    run = fielddata.start_run(
        site=world.perm, by=world.user("site_manager"), file_name="kobo.xlsx", fmt="kobo_xlsx"
    )
    fielddata.fail_run(run, "The file is too large.")
    client = bearer(_user(world, role))
    wrong = []
    for name, expected in zip(FIELD_OPERATIONS, FIELD_MATRIX[role], strict=True):
        response = _field_request(client, name, run.pk, world.perm.pk, tmp_path)
        if response.status_code != expected:
            wrong.append(f"{name}: {response.status_code}, expected {expected}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
