"""One shared world of sites, staff and families for every test module (cf. hc/test.py).

Families are built through the registry's services, as a clerk would register them, so that the
rules and the audit trail run in every test that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import factory

from refuge.accounts.models import User
from refuge.accounts.roles import Role
from refuge.reception.services import register_household
from refuge.registry.services import DocumentData, MemberData
from refuge.registry.vocabulary import ConsentScope, Relationship
from refuge.sites.models import Site, SiteKind

PASSWORD = "correct-horse-battery-staple"
# The one Fernet key of the test suite (conftest.py), for worlds built before its fixtures run.
FIELD_KEY = "lMnHhwSW1JkGmAvDaZ5S2lYwq0cmzlmMxhG4ZtNqQSY="


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = SiteKind.ACCOMMODATION
    region = "Perm Krai"
    capacity = 150


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CLERK
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)
        self.save()


def member(
    given: str = "محمد",
    family: str = "حسن",
    *,
    father: str = "علي",
    relationship: str = Relationship.HEAD,
    sex: str = "m",
    birth_date: date | None = date(1983, 4, 17),
    latin: tuple[str, str, str] | None = None,
    cyrillic: tuple[str, str, str] | None = None,
    documents: list[DocumentData] | None = None,
    **extra,
) -> MemberData:
    """A person as the registration form hands them over; names default to Arabic script."""
    names = {"given_name_ar": given, "father_name_ar": father, "family_name_ar": family}
    for script, forms in (("lat", latin), ("cyr", cyrillic)):
        if forms:
            names.update(
                zip(
                    (f"given_name_{script}", f"father_name_{script}", f"family_name_{script}"),
                    forms,
                    strict=True,
                )
            )
    return MemberData(
        relationship=relationship,
        sex=sex,
        names=names,
        birth_date=birth_date,
        documents=documents or [],
        **extra,
    )


def family_of_four(family: str = "حسن", latin_family: str = "Hassan") -> list[MemberData]:
    return [
        member("محمد", family, latin=("Mohammed", "Ali", latin_family)),
        member(
            "فاطمة",
            "ديب",
            father="يوسف",
            relationship=Relationship.SPOUSE,
            sex="f",
            birth_date=date(1986, 1, 1),
            latin=("Fatima", "Youssef", "Deeb"),
        ),
        member(
            "علي",
            family,
            father="محمد",
            relationship=Relationship.SON,
            birth_date=date(2012, 9, 3),
            latin=("Ali", "Mohammed", latin_family),
        ),
        member(
            "مريم",
            family,
            father="محمد",
            relationship=Relationship.DAUGHTER,
            sex="f",
            birth_date=date(2016, 2, 20),
            latin=("Maryam", "Mohammed", latin_family),
        ),
    ]


def register(
    site: Site,
    by: User,
    members: list[MemberData] | None = None,
    *,
    consent: tuple[str, ...] = (),
    **kwargs,
):
    """A household registered through the door; its consent covers registration and the
    scopes in `consent` (ConsentScope values)."""
    return register_household(
        site=site,
        members=members or family_of_four(),
        by=by,
        consent_scopes=[ConsentScope.REGISTRATION, *consent],
        **kwargs,
    )


@dataclass
class World:
    shelter: Site
    perm: Site
    perm2: Site
    users: dict[str, User]

    def user(self, role_or_username: str) -> User:
        if role_or_username in self.users:
            return self.users[role_or_username]
        return next(u for u in self.users.values() if u.username == role_or_username)


def screen_for_travel(household, by: User, on: date | None = None) -> None:
    """Record everyone's initial health screening, as the medical officer would before a
    transfer (a household cannot leave without it)."""
    from refuge.casework.models import StepProgress, StepStatus
    from refuge.casework.rules import StepUpdate
    from refuge.casework.services import bulk_update_step

    rows = StepProgress.objects.filter(
        case__person__household=household, step__gates_travel=True
    ).values_list("pk", "version")
    bulk_update_step(
        rows=list(rows),
        update=StepUpdate(
            status=StepStatus.DONE,
            outcome="fit_to_travel",
            evidence={"screened_on": on or date.today()},
        ),
        by=by,
    )


def build_world() -> World:
    shelter = SiteFactory(
        code="HMM",
        name="Hmeimim shelter",
        kind=SiteKind.SHELTER,
        region="Latakia",
        country="SY",
        capacity=9000,
    )
    perm = SiteFactory(code="PRM1", name="Perm centre 1")
    perm2 = SiteFactory(code="PRM2", name="Perm centre 2")
    users = {
        Role.CLERK: UserFactory(username="clerk", role=Role.CLERK, sites=[shelter]),
        "clerk_perm": UserFactory(username="clerk.perm", role=Role.CLERK, sites=[perm]),
        Role.CASEWORKER: UserFactory(username="caseworker", role=Role.CASEWORKER, sites=[perm]),
        Role.MEDICAL: UserFactory(username="medical", role=Role.MEDICAL, sites=[perm]),
        Role.SITE_MANAGER: UserFactory(username="manager", role=Role.SITE_MANAGER, sites=[perm]),
        Role.COORDINATOR: UserFactory(
            username="coordinator", role=Role.COORDINATOR, sites=[perm, perm2]
        ),
        Role.DPO: UserFactory(username="dpo", role=Role.DPO, all_sites=True),
        Role.OBSERVER: UserFactory(username="observer", role=Role.OBSERVER, all_sites=True),
        Role.ADMIN: UserFactory(
            username="admin", role=Role.ADMIN, all_sites=True, is_staff=True, is_superuser=True
        ),
        Role.TRACING_OFFICER: UserFactory(
            username="tracer", role=Role.TRACING_OFFICER, sites=[perm]
        ),
        "tracer_shelter": UserFactory(
            username="tracer.shelter", role=Role.TRACING_OFFICER, sites=[shelter]
        ),
    }
    return World(shelter=shelter, perm=perm, perm2=perm2, users=users)
