"""Importing field exports: households land whole and once, edits wait for a decision, bad
rows are reported where they are, and likely duplicates go to the review queue."""

import csv
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import translation

from refuge.audit.models import AuditEntry
from refuge.fielddata import services
from refuge.fielddata.kobo import write_kobo_xlsx
from refuge.fielddata.models import (
    EditStatus,
    FieldSubmission,
    ImportFormat,
    SubmissionEdit,
)
from refuge.fielddata.readers import read_submissions
from refuge.fielddata.tests.factories import FAMILIES, exported
from refuge.fielddata.xlsform import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from refuge.identity.models import CandidatePair
from refuge.registry.models import Household, Person
from refuge.testing import register

pytestmark = pytest.mark.django_db


def _import(world, paths, *, fmt=None, user="site_manager", default_consent=()):
    by = world.user(user)
    fmt = fmt or ImportFormat.KOBO_XLSX
    run = services.start_run(site=world.perm, by=by, file_name=paths[0].name, fmt=fmt)
    return services.run_import(run, read_submissions(paths, fmt), default_consent=default_consent)


def test_kobo_xlsx_with_its_roster_sheet_lands_every_household_with_its_members(world, tmp_path):
    households = [exported(FAMILIES[0]), exported(FAMILIES[1])]
    path = write_kobo_xlsx(tmp_path / "export.xlsx", households)

    run = _import(world, [path])

    assert (run.landed, run.failed) == (2, 0)
    for household in households:
        submission = FieldSubmission.objects.get(instance_id=household.root_uuid)
        registered = submission.household
        assert registered.current_site == world.perm
        people = [Person.objects.get(pk=pk) for pk in submission.people]
        assert [p.given_name_lat for p in people] == [
            m["given_name_lat"] for m in household.members
        ]
        assert people[0].consents_to("sharing")
    assert Person.objects.filter(household__registered_at=world.perm).count() == 8


def test_reimporting_the_same_file_changes_nothing(world, tmp_path):
    path = write_kobo_xlsx(tmp_path / "export.xlsx", [exported(f) for f in FAMILIES[:3]])
    _import(world, [path])
    people, households = Person.objects.count(), Household.objects.count()
    last_seq = AuditEntry.objects.latest("seq").seq

    again = _import(world, [path])

    assert (again.landed, again.unchanged, again.edits, again.failed) == (0, 3, 0, 0)
    assert (Person.objects.count(), Household.objects.count()) == (people, households)
    # The only new audit entry is the run itself: nobody was registered or changed.
    assert list(
        AuditEntry.objects.filter(seq__gt=last_seq).values_list("object_type", flat=True)
    ) == ["fielddata.importrun"]


def test_an_edited_submission_waits_as_a_diff_and_changes_the_person_once_accepted(world, tmp_path):
    household = exported()
    _import(world, [write_kobo_xlsx(tmp_path / "first.xlsx", [household])])
    household.members[2]["given_name_lat"] = "Aly"
    household.values["phone"] = "+79120000000"

    run = _import(world, [write_kobo_xlsx(tmp_path / "edited.xlsx", [household])])

    assert (run.landed, run.edits) == (0, 1)
    assert Household.objects.count() == 1
    edit = SubmissionEdit.objects.get()
    assert edit.status == EditStatus.PENDING
    assert edit.changes["members"] == [
        {
            "index": 2,
            "new_index": 2,
            "name": "Ali Hassan",
            "fields": {"given_name_lat": ["Ali", "Aly"]},
        }
    ]
    assert edit.changes["household"] == {"phone": ["", "+79120000000"]}
    son = Person.objects.get(pk=edit.submission.people[2])
    assert son.given_name_lat == "Ali"  # nothing applied before the manager decides

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    son.refresh_from_db()
    assert son.given_name_lat == "Aly"
    assert AuditEntry.objects.filter(
        object_type="registry.person", object_id=str(son.pk), action="change"
    ).exists()
    # The accepted content is now the submission's: the same file again changes nothing.
    again = _import(world, [write_kobo_xlsx(tmp_path / "edited2.xlsx", [household])])
    assert (again.unchanged, again.edits) == (1, 0)


def _edited(world, tmp_path, household, edit):
    _import(world, [write_kobo_xlsx(tmp_path / "first.xlsx", [household])])
    edit(household)
    _import(world, [write_kobo_xlsx(tmp_path / "edited.xlsx", [household])])
    return SubmissionEdit.objects.get()


def test_accepting_an_edit_applies_the_households_own_fields_audited(world, tmp_path):
    def edit(household):
        household.values["phone"] = "+79120000000"
        household.values["registered_on"] = "2026-03-01"

    edit = _edited(world, tmp_path, exported(), edit)
    registered = edit.submission.household

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    registered.refresh_from_db()
    assert (registered.phone, registered.registered_on.isoformat()) == (
        "+79120000000",
        "2026-03-01",
    )
    entry = AuditEntry.objects.filter(
        object_type="registry.household", object_id=str(registered.pk), action="change"
    ).get()
    assert "+79120000000" not in json.dumps(entry.detail)  # the phone is secret at rest too


def test_a_member_the_accepted_edit_no_longer_has_leaves_the_household_kept_whole(world, tmp_path):
    edit = _edited(world, tmp_path, exported(), lambda household: household.members.pop())
    registered = edit.submission.household
    daughter = Person.objects.get(pk=edit.submission.people[3])

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    assert registered.members.count() == 3
    daughter.refresh_from_db()
    assert daughter.household != registered  # not deleted: a household of her own
    assert daughter.household.current_site == world.perm
    assert daughter.relationship == "head"
    submission = FieldSubmission.objects.get()
    assert submission.people == edit.submission.people[:3]
    assert AuditEntry.objects.filter(
        object_type="registry.person", object_id=str(daughter.pk), action="change"
    ).exists()


def test_accepting_an_edit_gives_and_withdraws_the_consent_it_changes(world, tmp_path):
    def edit(household):
        household.values["consent"] = "registration tracing"

    edit = _edited(world, tmp_path, exported(), edit)

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    for person in edit.submission.household.members.all():
        assert person.consents_to("tracing")
        assert not person.consents_to("sharing")
        assert person.consents_to("registration")


def test_an_edit_that_fails_half_way_applies_nothing(world, tmp_path):
    def edit(household):
        household.values["phone"] = "+79120000000"
        household.members.pop()
        household.members[1]["birth_date"] = "not a date"

    edit = _edited(world, tmp_path, exported(), edit)
    registered = edit.submission.household

    with pytest.raises(ValidationError) as refused:
        services.accept_edit(edit=edit, by=world.user("site_manager"))

    assert "members-1-birth_date" in refused.value.message_dict
    registered.refresh_from_db()
    assert registered.phone == ""
    assert registered.members.count() == 4
    assert Household.objects.count() == 1
    edit.refresh_from_db()
    assert edit.status == EditStatus.PENDING


def test_a_rejected_edit_imported_again_is_not_queued_again(world, tmp_path):
    household = exported()
    _import(world, [write_kobo_xlsx(tmp_path / "first.xlsx", [household])])
    household.members[0]["family_name_lat"] = "Hasan"
    edited = write_kobo_xlsx(tmp_path / "edited.xlsx", [household])
    _import(world, [edited])
    services.reject_edit(edit=SubmissionEdit.objects.get(), by=world.user("site_manager"))

    again = _import(world, [edited])

    assert (again.edits, again.unchanged) == (0, 1)
    assert SubmissionEdit.objects.get().status == EditStatus.REJECTED
    head = Person.objects.get(pk=FieldSubmission.objects.get().people[0])
    assert head.family_name_lat == "Hassan"


def test_a_bad_row_is_reported_with_sheet_row_and_field_and_the_good_ones_land(world, tmp_path):
    good, bad = exported(FAMILIES[0]), exported(FAMILIES[1])
    bad.members[1]["sex"] = "x"
    bad.members[3]["birth_date"] = "2016-02-31"
    path = write_kobo_xlsx(tmp_path / "export.xlsx", [good, bad, exported(FAMILIES[2])])

    run = _import(world, [path])

    assert (run.landed, run.failed) == (2, 1)
    problems = list(run.problems.values_list("sheet", "row", "field"))
    # The second household's members are rows 6 to 9 of the roster sheet (row 1 is the header).
    assert problems == [("members", 7, "sex"), ("members", 9, "birth_date")]
    assert not FieldSubmission.objects.filter(instance_id=bad.root_uuid).exists()
    assert Household.objects.count() == 2


def test_the_report_is_written_in_the_language_of_who_imports(world, tmp_path):
    manager = world.user("site_manager")
    manager.preferred_language = "ru"
    manager.save()
    bad = exported()
    bad.members[0]["sex"] = "x"

    run = _import(world, [write_kobo_xlsx(tmp_path / "export.xlsx", [bad])])

    with translation.override("ru"):
        expected = services._not_a_choice()
    assert expected != "Not one of the form's choices."
    assert run.problems.get().message == expected


def test_the_doors_own_rules_are_reported_against_the_member(world, tmp_path):
    household = exported()
    household.members[1]["relationship"] = "head"  # two heads: the registry refuses

    run = _import(world, [write_kobo_xlsx(tmp_path / "export.xlsx", [household])])

    assert run.failed == 1
    assert run.problems.get().field == "members"
    assert Household.objects.count() == 0


def test_a_submission_without_consent_to_registration_does_not_land(world, tmp_path):
    household = exported(consent=("sharing",))

    run = _import(world, [write_kobo_xlsx(tmp_path / "export.xlsx", [household])])

    assert run.failed == 1
    assert run.problems.get().field == "consent"
    assert Person.objects.count() == 0


def test_imported_likely_duplicates_go_to_the_review_queue_never_merged(world, tmp_path):
    register(world.perm, world.user("clerk_perm"))  # the same family, registered at the desk

    run = _import(world, [write_kobo_xlsx(tmp_path / "export.xlsx", [exported()])])

    assert run.landed == 1
    assert Household.objects.count() == 2
    pairs = CandidatePair.objects.all()
    assert pairs.count() >= 4
    assert all(p.person_a.household_id != p.person_b.household_id for p in pairs)


def test_who_may_not_register_at_the_site_cannot_start_an_import(world):
    with pytest.raises(PermissionDenied):
        services.start_run(
            site=world.shelter, by=world.user("site_manager"), file_name="x.xlsx", fmt="kobo_xlsx"
        )
    with pytest.raises(PermissionDenied):
        services.start_run(site=world.perm, by=world.user("clerk_perm"), file_name="x", fmt="csv")


def _kobo_csv(households) -> tuple[str, str]:
    main = io.StringIO()
    roster = io.StringIO()
    m = csv.writer(main, delimiter=";")
    r = csv.writer(roster, delimiter=";")
    m.writerow(
        [*(f"household/{n}" for n in HOUSEHOLD_FIELDS), "meta/instanceID", "_uuid", "_index"]
    )
    r.writerow([*(f"members/{n}" for n in MEMBER_FIELDS), "_index", "_parent_index"])
    for index, household in enumerate(households, start=1):
        m.writerow(
            [
                *(household.values[n] for n in HOUSEHOLD_FIELDS),
                f"uuid:{household.root_uuid}",
                "x",
                index,
            ]
        )
        for member in household.members:
            r.writerow([*(member[n] for n in MEMBER_FIELDS), 0, index])
    return main.getvalue(), roster.getvalue()


def test_kobo_csv_tables_with_semicolons_land_like_the_xlsx(world, tmp_path):
    households = [exported(f) for f in FAMILIES[:2]]
    main, roster = _kobo_csv(households)
    (tmp_path / "registration.csv").write_text(main)
    (tmp_path / "registration-members.csv").write_text(roster)

    run = _import(
        world,
        [tmp_path / "registration.csv", tmp_path / "registration-members.csv"],
        fmt=ImportFormat.CSV,
    )

    assert run.landed == 2
    assert Person.objects.count() == 8


def test_odk_central_csv_zip_joined_by_key_and_parent_key(world, tmp_path):
    household = exported()
    main = io.StringIO()
    roster = io.StringIO()
    m, r = csv.writer(main), csv.writer(roster)
    m.writerow(
        ["SubmissionDate", *(f"household-{n}" for n in HOUSEHOLD_FIELDS), "meta-instanceID", "KEY"]
    )
    m.writerow(
        ["2026-03-02", *(household.values[n] for n in HOUSEHOLD_FIELDS), "uuid:abc", "uuid:abc"]
    )
    r.writerow([*MEMBER_FIELDS, "PARENT_KEY", "KEY"])
    for index, member in enumerate(household.members, start=1):
        r.writerow([*(member[n] for n in MEMBER_FIELDS), "uuid:abc", f"uuid:abc/members[{index}]"])
    archive = tmp_path / "central.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("refuge_household_registration.csv", main.getvalue())
        z.writestr("refuge_household_registration-members.csv", roster.getvalue())

    run = _import(world, [archive], fmt=ImportFormat.CSV)

    assert run.landed == 1
    assert FieldSubmission.objects.get().instance_id == "abc"
    assert FieldSubmission.objects.get().household.members.count() == 4


def test_odk_central_odata_json_with_the_roster_expanded(world, tmp_path):
    household = exported()
    payload = {
        "value": [
            {
                "__id": "uuid:central-1",
                "household": household.values,
                "members": household.members,
                "meta": {"instanceID": "uuid:central-1"},
                "__system": {"submitterName": "phone 3"},
            }
        ]
    }
    path = tmp_path / "Submissions.json"
    path.write_text(json.dumps(payload, ensure_ascii=False))

    first = _import(world, [path], fmt=ImportFormat.ODATA)
    again = _import(world, [path], fmt=ImportFormat.ODATA)

    assert (first.landed, again.unchanged) == (1, 1)
    assert Person.objects.count() == 4


def test_person_exchange_csv_lands_households_by_reference(world, tmp_path):
    path = tmp_path / "exchange.csv"
    path.write_text(
        "record_id,household_ref,given_name,father_name,family_name,mother_name,sex,birth_date,origin,document_number,site\n"
        "r1,h1,Mohammed,Ali,Hassan,,m,1983,Jableh,,PRM1\n"
        "r2,h1,فاطمة,يوسف,ديب,,f,1986-01,,,PRM1\n"
        "r3,h2,Юсуф,Ахмед,Исса,,m,1990-05-06,SY0602,N123,PRM1\n"
    )

    run = _import(world, [path], fmt=ImportFormat.EXCHANGE, default_consent=["registration"])

    assert (run.landed, run.failed) == (2, 0)
    first = FieldSubmission.objects.get(instance_id="exchange:h1")
    head, wife = (Person.objects.get(pk=pk) for pk in first.people)
    assert (head.given_name_lat, head.birth_date_precision, head.origin.pcode) == (
        "Mohammed",
        "year",
        "SY0602",
    )
    assert wife.given_name_ar == "فاطمة"
    assert Person.objects.get(given_name_cyr="Юсуф").documents.get().number == "N123"


def test_an_uploaded_file_is_told_apart_by_its_name_and_a_csv_by_its_header():
    from refuge.fielddata.readers import upload_format

    exchange = b"\xef\xbb\xbfrecord_id,household_ref,given_name\n1,h1,Ali\n"
    assert upload_format("people.csv", exchange) == ImportFormat.EXCHANGE
    assert upload_format("kobo.csv", b"household/registered_on;meta/instanceID\n") == "csv"
    assert upload_format("Kobo.XLSX", b"PK") == ImportFormat.KOBO_XLSX
    assert upload_format("central.json", b"{}") == ImportFormat.ODATA


def test_a_chunk_that_meets_a_row_written_meanwhile_lands_household_by_household(
    world, tmp_path, monkeypatch
):
    # Another run landing one of the chunk's rows at the same moment makes the chunk's insert
    # fail on a unique key; the chunk is then tried one household at a time, none lost.
    path = write_kobo_xlsx(tmp_path / "export.xlsx", [exported(f) for f in FAMILIES[:3]])
    real = services.register_households_as_new
    chunks = []

    def clashing(*, households, **kwargs):
        chunks.append(len(households))
        if len(chunks) == 1:
            real(households=households, **kwargs)  # written, then undone with the chunk
            raise IntegrityError("UNIQUE constraint failed: fielddata_fieldsubmission.instance_id")
        return real(households=households, **kwargs)

    monkeypatch.setattr(services, "register_households_as_new", clashing)

    run = _import(world, [path])

    assert chunks == [3, 1, 1, 1]
    assert (run.processed, run.landed, run.failed) == (3, 3, 0)
    assert FieldSubmission.objects.count() == 3
    assert Household.objects.filter(registered_at=world.perm).count() == 3
