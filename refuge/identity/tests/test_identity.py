import os
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from refuge.audit.models import AuditEntry
from refuge.identity.batch import queue_registry_duplicates
from refuge.identity.models import CandidatePair, MatchNotice, PairStatus, PersonKey
from refuge.identity.records import person_records, records_from_names
from refuge.identity.selectors import check_registration, instant_check, other_registrations
from refuge.identity.services import decide, link_same_person, unlink
from refuge.matching.compare import PreparedRecord
from refuge.matching.places import OriginAgreement, compare_origins
from refuge.reception.services import update_person
from refuge.registry.models import Place
from refuge.registry.services import DocumentData
from refuge.registry.vocabulary import DocumentType, Relationship
from refuge.testing import member, register

ARABIC = dict(given="محمد", family="حسن", father="علي", birth_date=date(1983, 4, 17))


def _cyrillic_query(birth="1983"):
    return records_from_names(
        {"given_name_cyr": "Мухаммед", "father_name_cyr": "Али", "family_name_cyr": "Хасан"},
        record_id="new",
        sex="m",
        birth_date=birth,
    )


def test_keys_follow_the_persons_names(world):
    household = register(world.shelter, world.user("clerk"), [member(**ARABIC)])
    person = household.members.get()
    before = set(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    assert before

    update_person(person=person, changes={"given_name_ar": "أحمد"}, by=world.user("clerk"))

    after = set(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    assert after and after != before


def test_instant_check_finds_an_arabic_registration_from_a_cyrillic_entry(world):
    household = register(world.shelter, world.user("clerk"), [member(**ARABIC)])

    check = check_registration(world.user("clerk"), _cyrillic_query())

    assert [m.person for m in check.matches] == [household.members.get()]
    assert any("Given name" in reason for reason in check.matches[0].reasons)
    assert not check.elsewhere


def test_instant_check_tells_only_that_a_match_exists_elsewhere_and_tells_the_coordinator(
    world, client
):
    found = register(world.perm, world.user("clerk_perm"), [member(**ARABIC)]).members.get()

    check = check_registration(world.user("clerk"), _cyrillic_query())

    assert check.matches == [] and check.elsewhere
    notice = MatchNotice.objects.get()
    assert (notice.person, notice.site, notice.raised_by) == (
        found,
        world.perm,
        world.user("clerk"),
    )
    entry = AuditEntry.objects.filter(object_type="identity.instant_check").last()
    assert entry.detail == {"found": [found.pk], "shown": []}
    client.force_login(world.user("coordinator"))
    queue = client.get(reverse("identity:queue")).content.decode()
    assert found.household.registration_number in queue and "clerk" in queue


def test_the_page_names_no_site_of_a_match_the_clerk_may_not_see(world, client):
    register(world.perm, world.user("clerk_perm"), [member(**ARABIC)])
    client.force_login(world.user("clerk"))

    page = client.post(
        reverse("identity:instant_check"),
        {
            "prefix": "members-0",
            "members-0-given_name_cyr": "Мухаммед",
            "members-0-father_name_cyr": "Али",
            "members-0-family_name_cyr": "Хасан",
            "members-0-sex": "m",
            "members-0-birth_date_text": "1983",
        },
    ).content.decode()

    assert "A possible match exists elsewhere; the coordinator has been told." in page
    assert world.perm.name not in page and "PRM1" not in page


def test_the_instant_check_is_rate_limited_per_user(world, client, settings):
    settings.REFUGE_INSTANT_CHECKS_PER_MINUTE = 3
    client.force_login(world.user("clerk"))
    form = {"prefix": "members-0", "members-0-given_name_lat": "Mohamed"}

    answers = [client.post(reverse("identity:instant_check"), form).status_code for _ in range(4)]
    client.force_login(world.user("admin"))
    someone_else = client.post(reverse("identity:instant_check"), form).status_code

    assert answers == [200, 200, 200, 429] and someone_else == 200
    assert AuditEntry.objects.filter(
        object_type="identity.instant_check", action="denied", actor_username="clerk"
    ).exists()


def test_instant_check_does_not_offer_a_twin_or_the_father(world):
    register(
        world.shelter,
        world.user("clerk"),
        [
            member("حسن", "حسن", father="علي", birth_date=date(1983, 4, 17)),  # the twin
            member(
                "علي",
                "حسن",
                father="محمد",
                birth_date=date(1955, 1, 1),  # the grandfather
                relationship=Relationship.GRANDPARENT,
            ),
        ],
    )

    assert instant_check(world.user("clerk"), _cyrillic_query("1983-04-17")) == []


def test_the_instant_check_view_answers_the_registration_form(world, client):
    register(world.shelter, world.user("clerk"), [member(**ARABIC)])
    client.force_login(world.user("clerk"))

    response = client.post(
        reverse("identity:instant_check"),
        {
            "prefix": "members-2",
            "members-2-given_name_lat": "Mohamed",
            "members-2-father_name_lat": "Ali",
            "members-2-family_name_lat": "Hassan",
            "members-2-sex": "m",
            "members-2-birth_date_text": "17.04.1983",
        },
    )

    page = response.content.decode()
    assert "Possibly registered already" in page and "HMM-000001" in page
    assert AuditEntry.objects.filter(object_type="identity.instant_check").exists()


def _two_registrations_of_one_family(world):
    """The family registered in Arabic at Perm centre 1 and again in Latin at centre 2."""
    first = register(world.perm, world.user("clerk_perm"), [member(**ARABIC)])
    second = register(
        world.perm,
        world.user("admin"),
        [
            member(
                "", "", father="", birth_date=date(1983, 1, 1), latin=("Mohamed", "Ali", "Hassan")
            )
        ],
    )
    return first.members.get(), second.members.get()


def test_batch_dedupe_queues_the_pair_once(world):
    a, b = _two_registrations_of_one_family(world)

    assert queue_registry_duplicates(progress=False)["queued"] == 1
    assert queue_registry_duplicates(progress=False)["queued"] == 0
    pair = CandidatePair.objects.get()
    assert {pair.person_a, pair.person_b} == {a, b} and pair.status == PairStatus.OPEN


def test_merge_and_undo_keep_both_registrations_and_are_audited(world):
    a, b = _two_registrations_of_one_family(world)
    queue_registry_duplicates(progress=False)
    pair = CandidatePair.objects.get()
    coordinator = world.user("coordinator")

    decide(pair=pair, status=PairStatus.SAME, by=coordinator)

    assert [o for o, _ in other_registrations(coordinator, a)] == [b]
    merges = AuditEntry.objects.filter(action="merge")
    assert {e.object_id for e in merges} == {str(a.pk), str(b.pk)}

    link = other_registrations(coordinator, a)[0][1]
    unlink(link=link, by=coordinator)

    assert other_registrations(coordinator, a) == []
    assert AuditEntry.objects.filter(action="unmerge").count() == 2
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    a.refresh_from_db(), b.refresh_from_db()  # both registrations are still there


def test_a_clerk_may_not_merge(world):
    a, b = _two_registrations_of_one_family(world)

    with pytest.raises(PermissionDenied):
        link_same_person(person_a=a, person_b=b, by=world.user("clerk_perm"))


def test_review_page_decides_and_the_person_page_shows_the_other_registration(world, client):
    a, b = _two_registrations_of_one_family(world)
    queue_registry_duplicates(progress=False)
    pair = CandidatePair.objects.get()
    client.force_login(world.user("coordinator"))

    page = client.get(reverse("identity:pair", args=[pair.pk])).content.decode()
    assert "Given name" in page and "Mohamed" in page
    client.post(reverse("identity:pair", args=[pair.pk]), {"status": "same"})

    person_page = client.get(reverse("registry:person", args=[a.pk])).content.decode()
    assert "Also registered as" in person_page
    assert b.household.registration_number in person_page


def test_dedupe_command_writes_one_cluster_row_per_record(tmp_path: Path, db):
    source = tmp_path / "in.csv"
    source.write_text(
        "record_id,household_ref,given_name,father_name,family_name,mother_name,sex,"
        "birth_date,origin,document_number,site\n"
        "r1,h1,محمد,علي,حسن,فاطمة,m,1983-04-17,Latakia,,HMM\n"
        "r2,h2,Mohamed,Ali,Hassan,Fatima,m,1983,Lattakia,,MOW\n"
        "r3,h3,Мухаммед,Али,Хасан,Фатима,m,1983-01-01,Латакия,,PRM1\n"
        "r4,h4,حسن,علي,حسن,فاطمة,m,1983-04-17,Latakia,,HMM\n",
        encoding="utf-8",
    )
    out = tmp_path / "clusters.csv"

    call_command("dedupe", str(source), out=str(out), no_progress=True)

    rows = dict(line.split(",") for line in out.read_text().split()[1:])
    assert set(rows) == {"r1", "r2", "r3", "r4"}
    assert rows["r1"] == rows["r2"] == rows["r3"] != rows["r4"]


def test_only_a_personal_document_reaches_the_engine(world):
    booklet = DocumentData(doc_type=DocumentType.FAMILY_BOOKLET, number="FB-778812")
    passport = DocumentData(doc_type=DocumentType.PASSPORT, number="N0123456")
    household = register(
        world.shelter,
        world.user("clerk"),
        [
            member(**ARABIC, documents=[booklet]),
            member("حسن", "حسن", relationship=Relationship.SON, documents=[booklet, passport]),
        ],
    )
    father, son = household.members.order_by("pk")

    # A family booklet names the family; the engine would take it for one person's.
    assert {r.document_number for r in person_records(father)} == {""}
    assert {r.document_number for r in person_records(son)} == {"N0123456"}


def test_batch_dedupe_queues_a_mother_found_through_her_household(world):
    # In Perm she was written under her husband's family name and without a birth date: she
    # shares no blocking key with her first registration, but her husband and son vouch for her.
    register(
        world.shelter,
        world.user("clerk"),
        [
            member("علي", "سليمان", father="حسن", birth_date=date(1980, 4, 2)),
            member(
                "فاطمة",
                "ابراهيم",
                father="احمد",
                sex="f",
                relationship=Relationship.SPOUSE,
                birth_date=date(1984, 7, 19),
            ),
            member(
                "حسن",
                "سليمان",
                father="علي",
                relationship=Relationship.SON,
                birth_date=date(2008, 11, 30),
            ),
        ],
    )

    def cyrillic(given, father, family, **kw):
        return member("", "", father="", cyrillic=(given, father, family), **kw)

    register(
        world.perm,
        world.user("clerk_perm"),
        [
            cyrillic("Али", "Хасан", "Сулейман", birth_date=date(1980, 4, 2)),
            cyrillic(
                "Фатима",
                "Ахмад",
                "Сулейман",
                sex="f",
                relationship=Relationship.SPOUSE,
                birth_date=None,
            ),
            cyrillic(
                "Хасан",
                "Али",
                "Сулейман",
                relationship=Relationship.SON,
                birth_date=date(2008, 11, 30),
            ),
        ],
    )

    queue_registry_duplicates(progress=False)

    queued = {
        frozenset(
            (
                p.person_a.given_name_ar or p.person_a.given_name_cyr,
                p.person_b.given_name_ar or p.person_b.given_name_cyr,
            )
        )
        for p in CandidatePair.objects.select_related("person_a", "person_b")
    }
    assert frozenset(("فاطمة", "Фатима")) in queued
    assert frozenset(("علي", "Али")) in queued


def test_coded_origins_reach_the_engine_as_p_codes_compared_through_the_hierarchy(world):
    clerk = world.user("clerk")
    jableh, latakia, banyas = (Place.objects.get(pcode=c) for c in ("SY0602", "SY06", "SY1001"))
    people = [
        register(world.shelter, clerk, [member(origin=place)]).members.get()
        for place in (jableh, latakia, banyas)
    ]
    codes = [PreparedRecord(person_records(p)[0]).origin for p in people]
    assert codes == ["SY0602", "SY06", "SY1001"]
    # A district and its governorate agree; two coded places in two governorates do not.
    assert compare_origins(codes[0], codes[1]) is OriginAgreement.WITHIN
    assert compare_origins(codes[0], codes[2]) is OriginAgreement.DIFFERENT


def test_refresh_identity_keys_rewrites_keys_left_by_an_older_engine(world):
    household = register(world.shelter, world.user("clerk"), [member(**ARABIC)])
    person = household.members.get()
    fresh = set(PersonKey.objects.filter(person=person).values_list("key", flat=True))
    PersonKey.objects.filter(person=person).delete()
    PersonKey.objects.create(person=person, key="gff:old|form|key")
    call_command("refresh_identity_keys", stdout=open(os.devnull, "w"))
    assert set(PersonKey.objects.filter(person=person).values_list("key", flat=True)) == fresh
