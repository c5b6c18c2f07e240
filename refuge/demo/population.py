"""A demo world: the airbase shelter, a transit point, two centres in Perm, staff for every role
and a few hundred families, registered through the real services so the rules and audit run."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from django.db import transaction

from refuge.accounts.models import User
from refuge.accounts.roles import Role
from refuge.casework.models import Partner, PartnerKind, StepProgress, StepStatus
from refuge.casework.rules import StepUpdate
from refuge.casework.services import bulk_update_step, refer
from refuge.identity.batch import queue_registry_duplicates
from refuge.reception.services import record_arrival, register_household
from refuge.registry.lexicon import FAMILY, FEMALE_GIVEN, MALE_GIVEN, Name
from refuge.registry.models import Person, Place
from refuge.registry.services import DocumentData, MemberData
from refuge.registry.vocabulary import (
    ConsentScope,
    DatePrecision,
    DocumentType,
    Education,
    Relationship,
    SpecificNeed,
)
from refuge.sites.models import Site, SiteKind

DEMO_PASSWORD = "refuge-demo-2026"

# Names in Russian and Arabic, as an administrator enters them in /admin/.
LOCAL_NAMES = {
    "HMM": ("Убежище на авиабазе Хмеймим", "ملجأ قاعدة حميميم الجوية"),
    "MOW": ("Транзитный пункт в Москве", "نقطة العبور في موسكو"),
    "PRM1": ("Пункт временного размещения № 1, Пермь", "مركز الإيواء المؤقت رقم 1، بيرم"),
    "PRM2": ("Пункт временного размещения № 2, Пермь", "مركز الإيواء المؤقت رقم 2، بيرم"),
    "Perm City Clinical Hospital No. 4": (
        "Городская клиническая больница № 4, Пермь",
        "مستشفى بيرم السريري رقم 4",
    ),
    "Memorial legal aid, Perm office": (
        "Юридическая помощь «Мемориал», пермское отделение",
        "المساعدة القانونية «ميموريال»، مكتب بيرم",
    ),
    "School No. 9, Perm": ("Школа № 9, Пермь", "المدرسة رقم 9، بيرم"),
    "Perm Krai employment centre": (
        "Центр занятости Пермского края",
        "مركز التوظيف في إقليم بيرم",
    ),
}

SITES = [
    # code, name, kind, region, country, capacity
    ("HMM", "Hmeimim airbase shelter", SiteKind.SHELTER, "Latakia", "SY", 9000),
    ("MOW", "Moscow transit point", SiteKind.TRANSIT, "Moscow Oblast", "RU", 400),
    (
        "PRM1",
        "Perm temporary accommodation centre No. 1",
        SiteKind.ACCOMMODATION,
        "Perm Krai",
        "RU",
        150,
    ),
    (
        "PRM2",
        "Perm temporary accommodation centre No. 2",
        SiteKind.ACCOMMODATION,
        "Perm Krai",
        "RU",
        120,
    ),
]

STAFF = [
    # username, role, first, last, sites (None = all)
    ("clerk", Role.CLERK, "Layla", "Haddad", ["HMM"]),
    ("clerk.perm", Role.CLERK, "Olga", "Smirnova", ["PRM1", "PRM2"]),
    ("caseworker", Role.CASEWORKER, "Irina", "Volkova", ["PRM1"]),
    # Nobody stands in for the medical officer (accounts.roles.STEP_DEPUTIES): one for both.
    ("medical", Role.MEDICAL, "Sergei", "Orlov", ["PRM1", "PRM2"]),
    ("medical.mow", Role.MEDICAL, "Nadia", "Sokolova", ["MOW"]),
    ("manager", Role.SITE_MANAGER, "Anna", "Kuznetsova", ["PRM1"]),
    ("coordinator", Role.COORDINATOR, "Pavel", "Belov", ["MOW", "PRM1", "PRM2"]),
    ("dpo", Role.DPO, "Marina", "Lebedeva", None),
    ("observer", Role.OBSERVER, "Ombudsman", "Office", None),
    ("admin", Role.ADMIN, "System", "Administrator", None),
    ("tracer", Role.TRACING_OFFICER, "Rima", "Saleh", ["HMM"]),
    ("tracer.perm", Role.TRACING_OFFICER, "Elena", "Popova", ["PRM1", "PRM2"]),
]

VILLAGES = {
    "SY0602": ["Ain al-Sharqiya", "Baniyas road", "Bustan al-Basha", "Daliyeh"],
    "SY0600": ["Snobar", "Al-Mukhtariya", "Sheer al-Qalaa", "Al-Shilfatiyah"],
    "SY0603": ["Al-Qardaha", "Beit Yashout", "Bkamra"],
    "SY1001": ["Al-Qusour", "Al-Baida", "Hanadi", "Al-Bayda"],
    "SY0502": ["Al-Rusafa", "Tell Salhab"],
    "SY0405": ["Al-Hosn", "Al-Zara"],
}


def _pick(rng: random.Random, names: tuple[Name, ...]) -> Name:
    return rng.choices(names, weights=[n.weight for n in names])[0]


def _names(
    given: Name, father: Name, family: Name, mother: Name | None, scripts: tuple[str, ...]
) -> dict[str, str]:
    forms = {"ar": "arabic", "lat": "latin", "cyr": "cyrillic"}
    out = {}
    for script in scripts:
        attr = forms[script]
        out[f"given_name_{script}"] = getattr(given, attr)
        out[f"father_name_{script}"] = getattr(father, attr)
        out[f"family_name_{script}"] = getattr(family, attr)
        if mother is not None:
            out[f"mother_name_{script}"] = getattr(mother, attr)
    return out


def _birth(rng: random.Random, age: int, today: date) -> tuple[date, str]:
    year = today.year - age
    if rng.random() < 0.15:  # no document: the year is all anyone knows
        return date(year, 1, 1), DatePrecision.YEAR
    born = date(year, rng.randint(1, 12), rng.randint(1, 28))
    return min(born, today - timedelta(days=rng.randint(20, 300))), DatePrecision.EXACT


def _member(
    rng, today, *, relationship, sex, given, father, family, mother, age, scripts, origin, village
) -> MemberData:
    birth_date, precision = _birth(rng, age, today)
    documents = []
    if age >= 14 and rng.random() < 0.7:
        documents.append(
            DocumentData(DocumentType.NATIONAL_ID, f"{rng.randint(10_000_000_000, 99_999_999_999)}")
        )
    if age >= 18 and rng.random() < 0.2:
        documents.append(
            DocumentData(DocumentType.PASSPORT, f"N{rng.randint(1_000_000, 9_999_999)}")
        )
    needs = []
    if age >= 65 and rng.random() < 0.5:
        needs.append(SpecificNeed.ER)
    if rng.random() < 0.05:
        needs.append(rng.choice([SpecificNeed.SM_CI, SpecificNeed.DS, SpecificNeed.SM]))
    if rng.random() < 0.03:
        needs.append(SpecificNeed.FU_TR)
    profession, education = "", ""
    if age >= 22:
        profession = rng.choice(
            [
                "",
                "",
                "teacher",
                "doctor",
                "nurse",
                "farmer",
                "driver",
                "electrician",
                "fisherman",
                "engineer",
                "tailor",
                "pharmacist",
            ]
        )
        education = rng.choice([e.value for e in Education])
    return MemberData(
        relationship=relationship,
        sex=sex,
        names=_names(given, father, family, mother, scripts),
        birth_date=birth_date,
        birth_date_precision=precision,
        origin=origin,
        origin_village=village,
        languages=["ar"],
        profession=profession,
        education=education,
        documents=documents,
        needs=needs,
    )


def draw_household(
    rng: random.Random, today: date, scripts: tuple[str, ...], origin, village: str
) -> list[MemberData]:
    family = _pick(rng, FAMILY)
    grandfather = _pick(rng, MALE_GIVEN)
    head_given = _pick(rng, MALE_GIVEN)
    common = dict(scripts=scripts, origin=origin, village=village)
    kind = rng.random()
    members = []
    if kind < 0.12:  # a mother alone with her children; her husband is missing or dead
        mother_family, mother_father = _pick(rng, FAMILY), _pick(rng, MALE_GIVEN)
        head_age = rng.randint(24, 48)
        head = _member(
            rng,
            today,
            relationship=Relationship.HEAD,
            sex="f",
            given=_pick(rng, FEMALE_GIVEN),
            father=mother_father,
            family=mother_family,
            mother=_pick(rng, FEMALE_GIVEN),
            age=head_age,
            **common,
        )
        head.needs.append(SpecificNeed.SP)
        members.append(head)
        husband = head_given
        wife_given = None
    else:
        head_age = rng.randint(25, 70)
        members.append(
            _member(
                rng,
                today,
                relationship=Relationship.HEAD,
                sex="m",
                given=head_given,
                father=grandfather,
                family=family,
                mother=_pick(rng, FEMALE_GIVEN),
                age=head_age,
                **common,
            )
        )
        husband = head_given
        wife_given = _pick(rng, FEMALE_GIVEN)
        if rng.random() < 0.85:
            # A wife keeps her own father's family name.
            members.append(
                _member(
                    rng,
                    today,
                    relationship=Relationship.SPOUSE,
                    sex="f",
                    given=wife_given,
                    father=_pick(rng, MALE_GIVEN),
                    family=_pick(rng, FAMILY),
                    mother=_pick(rng, FEMALE_GIVEN),
                    age=max(18, head_age - rng.randint(0, 10)),
                    **common,
                )
            )
    children = rng.choices([0, 1, 2, 3, 4, 5, 6], weights=[8, 12, 20, 22, 18, 12, 8])[0]
    for i in range(children):
        sex = rng.choice("mf")
        if sex == "m":
            # The first son is often named after his grandfather.
            given = grandfather if i == 0 and rng.random() < 0.4 else _pick(rng, MALE_GIVEN)
        else:
            given = _pick(rng, FEMALE_GIVEN)
        members.append(
            _member(
                rng,
                today,
                relationship=Relationship.SON if sex == "m" else Relationship.DAUGHTER,
                sex=sex,
                given=given,
                father=husband,
                family=family,
                mother=wife_given,
                age=max(0, min(head_age - 18, rng.randint(0, 25))),
                **common,
            )
        )
    if head_age < 60 and rng.random() < 0.1:
        members.append(
            _member(
                rng,
                today,
                relationship=Relationship.GRANDPARENT,
                sex="f",
                given=_pick(rng, FEMALE_GIVEN),
                father=_pick(rng, MALE_GIVEN),
                family=_pick(rng, FAMILY),
                mother=None,
                age=head_age + rng.randint(20, 30),
                **common,
            )
        )
    return members


def create_sites_and_staff() -> dict[str, Site]:
    sites = {}
    for code, name, kind, region, country, capacity in SITES:
        sites[code], _ = Site.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_ru": LOCAL_NAMES.get(code, ("", ""))[0],
                "name_ar": LOCAL_NAMES.get(code, ("", ""))[1],
                "kind": kind,
                "region": region,
                "country": country,
                "capacity": capacity,
            },
        )
    for username, role, first, last, site_codes in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first,
                "last_name": last,
                "all_sites": site_codes is None,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
            user.sites.set([sites[c] for c in site_codes or []])
    return sites


@transaction.atomic
def populate(households: int = 300, seed: int = 2026, today: date | None = None) -> int:
    """Register `households` families at the shelter; move some on to transit and to Perm."""
    rng = random.Random(seed)
    today = today or date.today()
    sites = create_sites_and_staff()
    clerk_shelter = User.objects.get(username="clerk")
    coordinator = User.objects.get(username="admin")
    districts = {p.pcode: p for p in Place.objects.filter(pcode__in=VILLAGES)}
    people = 0
    for index in range(households):
        pcode = rng.choice(list(VILLAGES))
        origin, village = districts[pcode], rng.choice(VILLAGES[pcode])
        # At the shelter names are written in Arabic with a Latin form; Russian forms are
        # added later in Perm, as they are in practice.
        moved = rng.random() < 0.35
        scripts = ("ar", "lat", "cyr") if moved else ("ar", "lat")
        registered_on = today - timedelta(
            days=rng.choice([0, 0, 1, 2, 3, 5, 8] + list(range(10, 120, 7)))
        )
        # Ages are as on the day the family was registered: nobody is born after it.
        members = draw_household(rng, registered_on, scripts, origin, village)
        household = register_household(
            site=sites["HMM"],
            members=members,
            by=clerk_shelter,
            registered_on=registered_on,
            # Most families agree to referrals and calls; every fourth to registration and
            # tracing only, so that the consent rules have someone to refuse.
            consent_scopes=[ConsentScope.REGISTRATION, ConsentScope.TRACING]
            + ([ConsentScope.SHARING, ConsentScope.CONTACT] if index % 4 else []),
        )
        people += len(members)
        if moved and registered_on < today - timedelta(days=9):
            transit_on = registered_on + timedelta(days=rng.randint(3, 7))
            record_arrival(household=household, site=sites["MOW"], on=transit_on, by=coordinator)
            if rng.random() < 0.8:
                centre = sites["PRM1"] if rng.random() < 0.6 else sites["PRM2"]
                arrive = min(today, transit_on + timedelta(days=rng.randint(1, 4)))
                record_arrival(household=household, site=centre, on=arrive, by=coordinator)
                if rng.random() < 0.15:
                    people += _register_again_in_cyrillic(rng, members, centre, arrive)
    queue_registry_duplicates(progress=False)
    _transfers_and_departures(rng, sites, today)
    _furnish_perm_centres(rng, sites, today)
    _advance_casework(rng, sites, today)
    _trace_families(sites, today)
    return people


def _trace_families(sites, today) -> None:
    """Mothers at the shelter looking for sons who reached Perm, described in Russian as a
    relative there might write them: one candidate confirmed and waiting for the son's answer,
    one found (he agreed that she learns he is safe, and his region), and one still open."""
    from refuge.tracing import services as tracing
    from refuge.tracing.models import Candidate, Share

    tracer = User.objects.get(username="tracer")
    tracer_perm = User.objects.get(username="tracer.perm")
    sons = list(
        Person.objects.filter(
            household__current_site__in=[sites["PRM1"], sites["PRM2"]],
            relationship="son",
            birth_date__lte=today - timedelta(days=18 * 366),
        )
        .exclude(given_name_cyr="")
        .order_by("pk")[:2]
    )
    mothers = ("Самира", "Наджва")
    for index, son in enumerate(sons):
        request = tracing.open_request(
            site=sites["HMM"],
            inquirer=tracing.InquirerData(
                given_name=mothers[index], family_name=son.family_name_cyr, sex="f",
                contact="Shelter, block C", consents_to_trace_back=True,
            ),
            sought=[tracing.SoughtData(
                given_name=son.given_name_cyr, family_name=son.family_name_cyr,
                relationship="son", sex="m", birth_date=date(son.birth_date.year, 1, 1),
                last_seen_place="Jableh", circumstances="Separated at the checkpoint.",
            )],
            by=tracer,
        )  # fmt: skip
        found = Candidate.objects.filter(sought__request=request, person=son).first()
        if found is None:
            continue
        tracing.review_candidate(candidate=found, confirm=True, by=tracer_perm)
        if index == 1:
            tracing.record_answer(
                candidate=found, agreed=True, shares=[Share.SAFE, Share.REGION],
                spoke_on=today, by=tracer_perm,
            )  # fmt: skip
    tracing.open_request(
        site=sites["HMM"],
        inquirer=tracing.InquirerData(given_name="Huda", family_name="Khoury", sex="f",
                                      contact="Shelter, block A"),
        sought=[tracing.SoughtData(given_name="Yazan", family_name="Khoury",
                                   relationship="brother", sex="m", birth_date=date(1999, 1, 1))],
        by=tracer,
    )  # fmt: skip


def _transfers_and_departures(rng, sites, today) -> None:
    """Weeks of movement for the dashboards and the sitrep: a train from the transit point to
    Perm each of the last three weeks (screened, boarded, counted in), and families who left
    the Perm centres for housing of their own."""
    from refuge.reception.services import arrive, record_departure
    from refuge.registry.models import Household
    from refuge.sites.models import Stay
    from refuge.sites.movements import add_household, depart, plan_movement

    admin, medical = (User.objects.get(username=u) for u in ("admin", "medical.mow"))
    for weeks_ago in (3, 2, 1):
        leaves_on = today - timedelta(weeks=weeks_ago, days=rng.randint(0, 2))
        waiting = [
            stay.household
            for stay in Stay.objects.current()
            .filter(site=sites["MOW"], arrived_on__lt=leaves_on)
            .select_related("household")[:3]
        ]
        if not waiting:
            continue
        screening = StepProgress.objects.filter(
            case__person__household__in=waiting, step__gates_travel=True
        ).exclude(status=StepStatus.DONE)
        bulk_update_step(
            rows=list(screening.values_list("pk", "version")),
            update=StepUpdate(
                status=StepStatus.DONE, outcome="fit_to_travel", evidence={"screened_on": leaves_on}
            ),
            by=medical,
            on=leaves_on,
        )
        train = plan_movement(
            from_site=sites["MOW"], to_site=sites["PRM1"], planned_on=leaves_on, means="train",
            seats=40, by=admin,
        )  # fmt: skip
        for household in waiting:
            add_household(movement=train, household=household, by=admin)
        aboard = set(train.passengers.values_list("person_id", flat=True))
        depart(movement=train, boarded=aboard, on=leaves_on, by=admin)
        arrive(movement=train, arrived=aboard, on=leaves_on + timedelta(days=1), by=admin)
    settled = Household.objects.filter(
        current_site__in=[sites["PRM1"], sites["PRM2"]],
        stays__left_on__isnull=True,
        stays__arrived_on__lt=today - timedelta(days=21),
    ).order_by("pk")
    for household in settled[: max(1, settled.count() // 8)]:
        stay = household.stays.get(left_on__isnull=True)
        left_on = stay.arrived_on + timedelta(days=rng.randint(14, (today - stay.arrived_on).days))
        record_departure(household=household, on=left_on, by=admin)


# The road most people in Perm walk, with the evidence each step records in the demo.
_DEMO_ROAD = [
    ("health_screening", "medical", "fit_to_travel", {"screened_on": "{on}"}),
    ("migration_registration", "caseworker", "registered", {"notification_date": "{on}"}),
    (
        "asylum_application",
        "caseworker",
        "submitted",
        {"application_date": "{on}", "interview_date": "{on}"},
    ),
    ("fingerprints_photo", "caseworker", "done", {"fingerprinted_on": "{on}"}),
    ("medical_examination", "medical", "no_contraindications", {"certificate_number": "MZ-{n}"}),
    ("application_certificate", "caseworker", "issued", {"certificate_number": "VU-{n}"}),
    ("asylum_decision", "caseworker", "granted", {"decision_date": "{on}"}),
    (
        "asylum_certificate",
        "caseworker",
        "issued",
        {"certificate_number": "VUP-{n}", "valid_until": "{year}"},
    ),
]


def _advance_casework(rng, sites, today) -> None:
    """Walk the people in Perm some way along their pathway, a step at a time for everyone
    who has reached it, so that worklists and the bottleneck chart have something to show."""
    staff = {name: User.objects.get(username=name) for name in ("caseworker", "medical", "admin")}
    for name, kind in [
        ("Perm City Clinical Hospital No. 4", PartnerKind.CLINIC),
        ("Memorial legal aid, Perm office", PartnerKind.LEGAL_AID),
        ("School No. 9, Perm", PartnerKind.SCHOOL),
        ("Perm Krai employment centre", PartnerKind.EMPLOYMENT),
    ]:
        name_ru, name_ar = LOCAL_NAMES.get(name, ("", ""))
        Partner.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "region": "Perm Krai", "name_ru": name_ru, "name_ar": name_ar},
        )
    for code in ("PRM1", "PRM2"):
        people = list(Person.objects.filter(household__current_site=sites[code]).order_by("pk"))
        reach = {p.pk: rng.choice([0, 1, 2, 2, 3, 4, 5, 6, 7, 8]) for p in people}
        for index, (step, owner, outcome, evidence) in enumerate(_DEMO_ROAD):
            on = today - timedelta(days=3 * (len(_DEMO_ROAD) - index) + rng.randint(0, 2))
            rows = StepProgress.objects.filter(
                case__person__in=[p for p in people if reach[p.pk] > index],
                step__code=step,
                ready_since__isnull=False,
            ).exclude(status=StepStatus.DONE)
            if not rows:
                continue
            values = {
                k: v.format(on=on, n=rng.randint(1000, 9999), year=on.replace(year=on.year + 1))
                for k, v in evidence.items()
            }
            StepProgress.objects.filter(pk__in=[r.pk for r in rows]).update(ready_since=on)
            by = staff[owner] if code == "PRM1" or owner == "medical" else staff["admin"]
            bulk_update_step(
                rows=[(r.pk, r.version) for r in rows],
                update=StepUpdate(status=StepStatus.DONE, outcome=outcome, evidence=values),
                by=by,
                on=on,
            )
        waiting = list(
            StepProgress.objects.filter(
                case__person__in=people, step__code="asylum_decision", ready_since__isnull=False
            ).exclude(status=StepStatus.DONE)
        )
        if waiting:
            bulk_update_step(
                rows=[(r.pk, r.version) for r in waiting],
                update=StepUpdate(status=StepStatus.WAITING),
                by=staff["caseworker"] if code == "PRM1" else staff["admin"],
                on=today - timedelta(days=rng.randint(10, 30)),
            )
        sharing = [p for p in people if p.consents_to(ConsentScope.SHARING)]
        for person in rng.sample(sharing, k=min(5, len(sharing))):
            refer(
                person=person,
                partner=rng.choice(list(Partner.objects.all())),
                by=staff["caseworker"] if code == "PRM1" else staff["admin"],
                on=today - timedelta(days=rng.randint(0, 20)),
            )


def _furnish_perm_centres(rng, sites, today) -> None:
    """Buildings, rooms and beds in Perm, families in them, a month of nightly counts and one
    planned transfer, so the rooms, chart and transfer pages have something to show."""
    from refuge.registry.models import Household
    from refuge.sites.housing import allocate_household, create_room, suggest_rooms
    from refuge.sites.models import Building, OccupancyRecord
    from refuge.sites.movements import add_household, plan_movement

    manager = User.objects.get(username="admin")
    for code in ("PRM1", "PRM2"):
        site = sites[code]
        for floor in (1, 2):
            for number in range(1, 9):
                create_room(
                    site=site,
                    building=f"Block {floor}",
                    name=f"{floor}0{number}",
                    beds=rng.choice([4, 6, 6, 8]),
                    accessible=floor == 1 and number < 3,
                    family_room=number % 2 == 0,
                    women_only=floor == 2 and number == 8,
                    by=manager,
                )
            # What an administrator types in the other languages (the admin's building form).
            Building.objects.filter(site=site, name=f"Block {floor}").update(
                name_ru=f"Корпус {floor}", name_ar=f"المبنى {floor}"
            )
        for household in Household.objects.filter(current_site=site).prefetch_related(
            "members__needs"
        ):
            suggestions = suggest_rooms(household)
            if suggestions:
                allocate_household(household=household, room=suggestions[0].room, by=manager)
        present = household_count = 0
        for household in Household.objects.filter(current_site=site):
            household_count += 1
            present += household.members.count()
        for days_ago in range(30, 0, -1):
            drift = max(0, present - days_ago * rng.randint(0, 3))
            OccupancyRecord.objects.create(
                site=site,
                on=today - timedelta(days=days_ago),
                people=drift,
                households=household_count,
                beds=0,
                beds_taken=0,
                capacity=site.capacity,
            )
    transfer = plan_movement(
        from_site=sites["MOW"],
        to_site=sites["PRM2"],
        planned_on=today + timedelta(days=2),
        means="train",
        seats=60,
        by=manager,
    )
    for household in Household.objects.filter(current_site=sites["MOW"])[:4]:
        add_household(movement=transfer, household=household, by=manager)


def _register_again_in_cyrillic(rng, members, centre, arrive) -> int:
    """The mistake the instant check exists for: a family registered again on arrival in Perm,
    its names written only in Cyrillic, a birth date or two known only by the year."""
    again = []
    for member in members:
        if member.relationship != Relationship.HEAD and rng.random() < 0.2:
            continue  # not present at this registration
        names = {k: v for k, v in member.names.items() if k.endswith("_cyr")}
        birth, precision = member.birth_date, member.birth_date_precision
        if birth and rng.random() < 0.4:
            birth, precision = date(birth.year, 1, 1), DatePrecision.YEAR
        again.append(
            replace(
                member,
                names=names,
                birth_date=birth,
                birth_date_precision=precision,
                documents=[],
                needs=[],
            )
        )
    register_household(
        site=centre,
        members=again,
        by=User.objects.get(username="clerk.perm"),
        registered_on=arrive,
        consent_scopes=[ConsentScope.REGISTRATION],
    )
    return len(again)
