"""An edited submission changes the right people: members are matched by who they are (their
own key, else their names and birth date), never by their place in the roster; and what the
edit changes in a member's document or specific needs is applied through the door too."""

import pytest
from django.core.exceptions import ValidationError

from refuge.audit.models import AuditEntry
from refuge.audit.services import unsealed
from refuge.fielddata import services
from refuge.fielddata.kobo import member_values, write_kobo_xlsx
from refuge.fielddata.models import EditStatus, FieldSubmission, SubmissionEdit
from refuge.fielddata.tests.factories import FAMILIES, exported, import_kobo
from refuge.registry.models import Document, Household, Person
from refuge.testing import member

pytestmark = pytest.mark.django_db


def _edited(world, tmp_path, household, edit):
    """The household imported, then edited as `edit` says and imported again: (the edit, the
    people registered by name, as {given_name_lat: Person})."""
    import_kobo(world, write_kobo_xlsx(tmp_path / "first.xlsx", [household]))
    submission = FieldSubmission.objects.get()
    people = {p.given_name_lat: p for p in Person.objects.filter(pk__in=submission.people)}
    edit(household)
    import_kobo(world, write_kobo_xlsx(tmp_path / "edited.xlsx", [household]))
    return SubmissionEdit.objects.get(), people


def _changed_people(changes) -> dict[str, dict]:
    return {m["name"]: m["fields"] for m in changes["members"]}


def _reloaded(people: dict[str, Person]) -> dict[str, Person]:
    return {name: Person.objects.get(pk=p.pk) for name, p in people.items()}


def test_a_reordered_roster_changes_only_the_member_whose_values_changed(world, tmp_path):
    def edit(household):
        head, spouse, son, daughter = household.members
        son["given_name_lat"] = "Aly"
        household.members[:] = [head, daughter, son, spouse]

    edit, people = _edited(world, tmp_path, exported(), edit)

    changes = services.edit_changes(edit)
    assert _changed_people(changes) == {"Ali Hassan": {"given_name_lat": ["Ali", "Aly"]}}
    assert (changes["added"], changes["removed"]) == (0, 0)
    assert edit.changes["members"] == changes["members"]

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    after = _reloaded(people)
    assert after["Ali"].given_name_lat == "Aly"
    assert after["Fatima"].given_name_lat == "Fatima"
    assert after["Maryam"].given_name_lat == "Maryam"
    assert after["Maryam"].birth_date == people["Maryam"].birth_date
    assert all(p.household_id == people["Mohammed"].household_id for p in after.values())
    # The submission's people follow the edit's order, so the next edit is matched right too.
    submission = FieldSubmission.objects.get()
    assert submission.people == [people[n].pk for n in ("Mohammed", "Maryam", "Ali", "Fatima")]


def test_a_member_removed_from_the_middle_is_the_one_who_leaves(world, tmp_path):
    edit, people = _edited(world, tmp_path, exported(), lambda h: h.members.pop(1))

    changes = services.edit_changes(edit)
    assert changes["members"] == []  # nobody after her is shown as changed into someone else
    assert [m["name"] for m in changes["removed_members"]] == ["Fatima Deeb"]

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    after = _reloaded(people)
    household = people["Mohammed"].household_id
    assert after["Fatima"].household_id != household  # her own household, record kept
    for name in ("Mohammed", "Ali", "Maryam"):
        assert after[name].household_id == household
        assert after[name].birth_date == people[name].birth_date
        assert after[name].given_name_lat == name
    assert not AuditEntry.objects.filter(
        object_type="registry.person",
        object_id__in=[str(people[n].pk) for n in ("Ali", "Maryam")],
        action="change",
    ).exists()


def test_a_member_added_in_the_middle_is_registered_and_nobody_else_changes(world, tmp_path):
    baby = member(
        "سارة",
        "حسن",
        father="محمد",
        relationship="daughter",
        sex="f",
        birth_date=None,
        latin=("Sara", "Mohammed", "Hassan"),
    )

    edit, people = _edited(
        world, tmp_path, exported(), lambda h: h.members.insert(1, member_values(baby))
    )

    changes = services.edit_changes(edit)
    assert changes["members"] == []
    assert [m["name"] for m in changes["added_members"]] == ["Sara Hassan"]

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    household = Household.objects.get(pk=people["Mohammed"].household_id)
    assert sorted(household.members.values_list("given_name_lat", flat=True)) == [
        "Ali",
        "Fatima",
        "Maryam",
        "Mohammed",
        "Sara",
    ]
    after = _reloaded(people)
    assert after["Fatima"].sex == "f" and after["Fatima"].relationship == "spouse"
    assert FieldSubmission.objects.get().people[2:] == [
        people[n].pk for n in ("Fatima", "Ali", "Maryam")
    ]


def test_the_members_own_key_matches_them_even_when_name_and_birth_date_change(world, tmp_path):
    household = exported()
    for number, values in enumerate(household.members):
        values["member_key"] = f"key-{number}"

    def edit(household):
        daughter = household.members[3]
        # Renamed and redated from scratch: nothing left for her names and birth date to match.
        daughter.update(given_name_lat="Layla", given_name_ar="ليلى", birth_date="2015-05-05")
        household.members.reverse()

    edit, people = _edited(world, tmp_path, household, edit)

    changes = services.edit_changes(edit)
    assert set(_changed_people(changes)) == {"Maryam Hassan"}
    assert (changes["added"], changes["removed"]) == (0, 0)
    services.accept_edit(edit=edit, by=world.user("site_manager"))
    daughter = Person.objects.get(pk=people["Maryam"].pk)
    assert (daughter.given_name_lat, daughter.birth_date.isoformat()) == ("Layla", "2015-05-05")


def test_an_old_export_without_member_keys_read_again_is_unchanged(world, tmp_path):
    path = write_kobo_xlsx(tmp_path / "first.xlsx", [exported()])
    import_kobo(world, path)
    assert "member_key" not in FieldSubmission.objects.get().content["members"][0]
    assert import_kobo(world, path).unchanged == 1


def _with_documents(household):
    household.members[0].update(document_type="passport", document_number="N0012345")
    return household


def test_a_corrected_document_number_is_applied_and_audited(world, tmp_path):
    def edit(household):
        head = household.members.pop(0)
        head["document_number"] = "N0012346"
        household.members.append(head)  # and moved: the document still goes to him

    edit, people = _edited(world, tmp_path, _with_documents(exported()), edit)

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    head = people["Mohammed"]
    assert [(d.doc_type, d.number) for d in head.documents.all()] == [("passport", "N0012346")]
    assert not Document.objects.exclude(person=head).exists()
    entry = AuditEntry.objects.filter(
        object_type="registry.person", object_id=str(head.pk), action="change"
    ).latest("seq")
    assert unsealed(entry)["changes"] == {"document": ["passport N0012345", "passport N0012346"]}
    assert "N0012346" not in str(entry.detail)  # the number is sealed in the trail


def test_a_document_added_and_one_removed_in_the_edit(world, tmp_path):
    def edit(household):
        household.members[0].update(document_type="", document_number="")
        household.members[1].update(document_type="national_id", document_number="SY-556677")

    edit, people = _edited(world, tmp_path, _with_documents(exported()), edit)

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    assert not people["Mohammed"].documents.exists()
    assert [(d.doc_type, d.number) for d in people["Fatima"].documents.all()] == [
        ("national_id", "SY-556677")
    ]


def test_specific_needs_added_and_removed_in_the_edit_are_applied(world, tmp_path):
    household = exported()
    household.members[2]["needs"] = "SC-SC DS"

    def edit(household):
        household.members[2]["needs"] = "DS"
        household.members[3]["needs"] = "SM-CI"
        household.members.reverse()

    edit, people = _edited(world, tmp_path, household, edit)

    services.accept_edit(edit=edit, by=world.user("site_manager"))

    assert sorted(people["Ali"].needs.values_list("code", flat=True)) == ["DS"]
    assert list(people["Maryam"].needs.values_list("code", flat=True)) == ["SM-CI"]
    assert not people["Fatima"].needs.exists()
    entry = AuditEntry.objects.filter(
        object_type="registry.person", object_id=str(people["Ali"].pk), action="change"
    ).latest("seq")
    assert unsealed(entry)["changes"] == {"needs": [["DS", "SC-SC"], ["DS"]]}


def test_a_document_number_held_by_someone_else_refuses_the_whole_edit(world, tmp_path):
    other = exported(FAMILIES[1])
    other.members[0].update(document_type="passport", document_number="N7654321")
    import_kobo(world, write_kobo_xlsx(tmp_path / "other.xlsx", [other]))
    FieldSubmission.objects.all().delete()  # only the family below is the edit's

    def edit(household):
        household.values["phone"] = "+79120000000"
        household.members[1]["given_name_lat"] = "Fatma"
        household.members[0]["document_number"] = "N7654321"

    edit, people = _edited(world, tmp_path, _with_documents(exported()), edit)

    with pytest.raises(ValidationError) as refused:
        services.accept_edit(edit=edit, by=world.user("site_manager"))

    message = " ".join(refused.value.messages)
    assert "Mohammed Hassan" in message and "Document number" in message
    assert "recorded for someone else" in message
    assert list(refused.value.message_dict) == ["members-0-document_number"]
    after = _reloaded(people)
    assert after["Fatima"].given_name_lat == "Fatima"  # nothing of the edit applied
    assert [d.number for d in after["Mohammed"].documents.all()] == ["N0012345"]
    assert Household.objects.get(pk=people["Mohammed"].household_id).phone == ""
    edit.refresh_from_db()
    assert edit.status == EditStatus.PENDING


def test_the_refusal_is_in_the_language_of_who_decides(world, tmp_path):
    from django.utils import translation

    edit, _people = _edited(
        world,
        tmp_path,
        exported(),
        lambda h: h.members[2].update(needs="NOT-A-NEED"),
    )
    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        services.accept_edit(edit=edit, by=world.user("site_manager"))
    message = " ".join(refused.value.messages)
    assert "Ali Hassan" in message
    with translation.override("ru"):
        assert str(services.LABELS["needs"]) in message
    assert "Not one of the form's choices." not in message


def test_erasing_a_member_blanks_them_in_a_reordered_edit_not_whoever_took_their_place(
    world, tmp_path
):
    def edit(household):
        household.members[3]["given_name_lat"] = "Mariam"
        household.members.reverse()

    edit, people = _edited(world, tmp_path, exported(), edit)
    daughter = people["Maryam"]

    services.forget_person(
        person_id=daughter.pk, household_id=daughter.household_id, household_emptied=False
    )

    edit.refresh_from_db()
    assert edit.content["members"][0] == {}  # she comes first in the edit
    assert [m["given_name_lat"] for m in edit.content["members"][1:]] == [
        "Ali",
        "Fatima",
        "Mohammed",
    ]
    assert services.edit_changes(edit)["members"] == []
    assert edit.changes["members"] == []
