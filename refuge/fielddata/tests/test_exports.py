"""Exports: only the roles that export, only the fields the role reads, only people whose
consent covers the recipient, every export audited; CSV streamed and XLSX written row by row."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from refuge.audit.models import AuditEntry
from refuge.fielddata.exports import csv_chunks, export_people, xlsx_file
from refuge.registry.services import withdraw_consent
from refuge.testing import family_of_four, register

pytestmark = pytest.mark.django_db


def _rows(export):
    return list(csv.reader(io.StringIO("".join(csv_chunks(export)).lstrip("\ufeff"))))


@pytest.fixture
def perm_families(world):
    clerk = world.user("clerk_perm")
    sharing = register(world.perm, clerk, consent=("sharing", "contact"), phone="+79120001122")
    private = register(world.perm, clerk, family_of_four("ديب", "Deeb"))
    register(
        world.perm2,
        world.user("coordinator") and _perm2_clerk(world),
        family_of_four("عيسى", "Issa"),
    )
    return sharing, private


def _perm2_clerk(world):
    from refuge.testing import UserFactory

    return UserFactory(username="clerk.perm2", role="clerk", sites=[world.perm2])


def test_one_row_per_person_with_the_households_columns(world, perm_families):
    export = export_people(
        user=world.user("site_manager"), site=world.perm, layout="people", fmt="csv"
    )

    rows = _rows(export)
    header, body = rows[0], rows[1:]
    assert len(body) == 8 == export.people
    assert export.households == 2
    registration = header.index("registration_number")
    assert {r[registration] for r in body} == {h.registration_number for h in perm_families}
    # Perm centre 2's family is not in Perm centre 1's export.
    assert not any("Issa" in cell for r in body for cell in r)


def test_the_partner_list_holds_only_people_who_agreed_to_sharing(world, perm_families):
    sharing, _private = perm_families
    son = sharing.members.get(relationship="son")
    withdraw_consent(person=son, scope="sharing", by=world.user("clerk_perm"))

    export = export_people(
        user=world.user("site_manager"), site=world.perm, layout="partner", fmt="csv"
    )

    rows = _rows(export)
    assert {r[1] for r in rows[1:]} == {"Mohammed", "Fatima", "Maryam"}
    assert "phone" not in rows[0]


def test_the_phone_is_exported_only_to_roles_that_read_it_with_consent_to_contact(
    world, perm_families
):
    def phones(user):
        rows = _rows(export_people(user=user, site=world.perm, layout="people", fmt="csv"))
        column = rows[0].index("phone")
        return {r[column] for r in rows[1:]}

    assert phones(world.user("site_manager")) == {"+79120001122", ""}
    # A coordinator sees people but not phone numbers (accounts.roles.FIELD_READERS).
    assert phones(world.user("coordinator")) == {""}


def test_roles_that_do_not_export_and_other_sites_are_refused(world, perm_families):
    for user, site in (
        (world.user("clerk_perm"), world.perm),
        (world.user("caseworker"), world.perm),
        (world.user("observer"), world.perm),
        (world.user("site_manager"), world.shelter),
    ):
        with pytest.raises(PermissionDenied):
            export_people(user=user, site=site, layout="people", fmt="csv")


def test_every_export_is_audited_with_who_what_and_how_many(world, perm_families):
    manager = world.user("site_manager")

    export_people(user=manager, site=world.perm, layout="partner", fmt="xlsx")

    entry = AuditEntry.objects.filter(action="export").get()
    assert entry.actor == manager
    assert entry.site_id == world.perm.pk
    assert (entry.detail["kind"], entry.detail["via"]) == ("partner", "xlsx")
    assert entry.detail["scope"] == "sharing"
    assert (entry.detail["people"], entry.detail["households"]) == (4, 1)


def test_households_and_members_on_two_sheets(world, perm_families):
    export = export_people(
        user=world.user("coordinator"), site=world.perm, layout="households", fmt="xlsx"
    )

    workbook = load_workbook(xlsx_file(export), read_only=True)
    households = list(workbook["households"].iter_rows(values_only=True))
    members = list(workbook["members"].iter_rows(values_only=True))
    assert len(households) == 3 and len(members) == 9
    assert {row[0] for row in members[1:]} == {row[0] for row in households[1:]}
    assert households[0][-1] == "members" and {row[-1] for row in households[1:]} == {4}


def test_the_exchange_csv_has_the_exchange_columns(world, perm_families):
    export = export_people(
        user=world.user("site_manager"), site=world.perm, layout="exchange", fmt="csv"
    )

    rows = _rows(export)
    assert rows[0] == [
        "record_id", "household_ref", "given_name", "father_name", "family_name",
        "mother_name", "sex", "birth_date", "origin", "document_number", "site",
    ]  # fmt: skip
    head = next(r for r in rows if r[2] == "محمد")
    assert (head[6], head[7], head[10]) == ("m", "1983-04-17", "PRM1")


def test_the_export_page_streams_a_csv_and_refuses_a_clerk(world, client, perm_families):
    client.force_login(world.user("site_manager"))
    response = client.post(
        reverse("fielddata:export"), {"site": world.perm.pk, "layout": "people", "format": "csv"}
    )
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content).decode().count("\n") == 9

    client.force_login(world.user("clerk_perm"))
    refused = client.post(
        reverse("fielddata:export"), {"site": world.perm.pk, "layout": "people", "format": "csv"}
    )
    assert refused.status_code == 403
