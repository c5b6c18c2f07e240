"""Casework at 100,000 people: worklists, the bottleneck view and a bulk update of 500.

Everyone is on the reception pathway, some way along it (about 1.2 million step rows); three
centres hold 50%, 30% and 20% of the people. Pages are timed through Django's test client as
a signed-in caseworker of the largest centre (and a coordinator of all three for the
all-sites bottleneck view); the bulk update goes through the service the bulk page calls.

    .venv/bin/python bench/casework_benchmark.py
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/casework_benchmark.py

Uses its own database (var/bench/casework.sqlite3, or `refuge_bench_casework` on the server of
DATABASE_URL), recreated on each run unless --reuse.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import percentile, recreate_postgres_database, use_bench_database  # noqa: E402

ROAD = [
    "health_screening",
    "migration_registration",
    "asylum_application",
    "fingerprints_photo",
    "medical_examination",
    "application_certificate",
    "asylum_decision",
    "asylum_certificate",
    "snils_inn_oms",
    "personal_sim",
    "social_support",
    "legal_counselling",
    "psychosocial_support",
    "school_enrolment",
]


def build(people: int, seed: int):
    """Households, people, cases and step rows by bulk insert (as a migration from paper
    would), with each case's readiness worked out by the same rule the services use."""
    from django.db import transaction

    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.casework.models import Case, StepProgress, StepStatus
    from refuge.casework.pathways import applies, current_pathway, prerequisites_of
    from refuge.casework.rules import refresh_readiness
    from refuge.demo.population import draw_household
    from refuge.registry.models import Household, Person
    from refuge.sites.models import Site, Stay

    rng = random.Random(seed)
    today = date.today()
    pathway = current_pathway()
    steps = list(pathway.steps.order_by("order"))
    prerequisites = prerequisites_of([pathway.pk])
    sites = [
        Site.objects.create(
            code=f"C{i}",
            name=f"Centre {i}",
            kind="accommodation",
            region="Perm Krai",
            capacity=people,
        )
        for i in range(3)
    ]
    admin = User.objects.create(username="admin", role=Role.ADMIN, all_sites=True)
    caseworkers = [User.objects.create(username=f"cw{i}", role=Role.CASEWORKER) for i in range(20)]
    for user in caseworkers:
        user.sites.set([sites[0]])
    coordinator = User.objects.create(username="coordinator", role=Role.COORDINATOR)
    coordinator.sites.set(sites)

    made = 0
    number = 0
    while made < people:
        batch = []
        while made < people and len(batch) < 2000:
            members = draw_household(rng, today, ("ar", "lat"), None, "")
            batch.append(members)
            made += len(members)
        with transaction.atomic():
            households = []
            for _members in batch:
                site = sites[0 if rng.random() < 0.5 else 1 if rng.random() < 0.6 else 2]
                number += 1
                households.append(
                    Household(
                        registration_number=f"{site.code}-{number:06d}",
                        registered_at=site,
                        current_site=site,
                        registered_on=today - timedelta(days=rng.randint(1, 200)),
                    )
                )
            households = Household.objects.bulk_create(households)
            Stay.objects.bulk_create(
                Stay(household=h, site=h.current_site, arrived_on=h.registered_on)
                for h in households
            )
            persons = Person.objects.bulk_create(
                Person(
                    household=h,
                    relationship=m.relationship,
                    sex=m.sex,
                    birth_date=m.birth_date,
                    profession=rng.choice(["", "", "", "driver", "teacher", "doctor", "farmer"])
                    if m.relationship == "head"
                    else "",
                    **m.names,
                )
                for h, members in zip(households, batch, strict=True)
                for m in members
            )
            cases = Case.objects.bulk_create(
                Case(
                    person=p, pathway=pathway, opened_on=p.household.registered_on, opened_by=admin
                )
                for p in persons
            )
            rows = []
            for case, person in zip(cases, persons, strict=True):
                opened = person.household.registered_on
                mine = [
                    StepProgress(
                        case=case,
                        step=s,
                        status_since=opened,
                        site_id=person.household.current_site_id,
                    )
                    for s in steps
                    if applies(s, person, opened)
                ]
                reach = rng.choice([0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 10])
                elapsed = (today - opened).days
                by_code = {p.step.code: p for p in mine}
                by_code["reception_registration"].status = StepStatus.DONE
                by_code["reception_registration"].done_on = opened
                refresh_readiness(mine, prerequisites, opened)
                for index, code in enumerate(ROAD[:reach]):
                    progress = by_code.get(code)
                    if progress is None or progress.ready_since is None:
                        continue
                    on = min(today, opened + timedelta(days=(index + 1) * elapsed // 12))
                    progress.status, progress.done_on, progress.status_since = "done", on, on
                    progress.owner = rng.choice(caseworkers)
                    refresh_readiness(mine, prerequisites, on)
                for progress in mine:
                    if progress.status != "done" and progress.ready_since is not None:
                        roll = rng.random()
                        if roll < 0.10:
                            progress.status = StepStatus.WAITING
                            progress.status_since = today - timedelta(days=rng.randint(0, 60))
                        elif roll < 0.13:
                            progress.status = StepStatus.BLOCKED
                            progress.blocked_reason = "office closed"
                        elif roll < 0.35:
                            progress.status = StepStatus.IN_PROGRESS
                        if roll < 0.5:
                            progress.owner = rng.choice(caseworkers)
                rows.extend(mine)
            StepProgress.objects.bulk_create(rows, batch_size=5000)
    return sites, caseworkers[0], coordinator


def _timed(call, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    args = parser.parse_args()
    vendor = use_bench_database("refuge_bench_casework", keep=args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    os.environ["REFUGE_REQUIRE_2FA"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from refuge.accounts.models import User
    from refuge.casework.models import StepProgress
    from refuge.casework.rules import StepUpdate
    from refuge.casework.services import bulk_update_step
    from refuge.sites.models import Site

    settings.ALLOWED_HOSTS = ["testserver"]
    if vendor == "postgresql" and not args.reuse:
        recreate_postgres_database("refuge_bench_casework")
    call_command("migrate", verbosity=0)
    if not Site.objects.exists():
        started = time.perf_counter()
        build(args.people, 11)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    site = Site.objects.get(code="C0")
    caseworker = User.objects.get(username="cw0")
    coordinator = User.objects.get(username="coordinator")
    steps = StepProgress.objects.count()

    client = Client()
    rows = []

    def page(url, user):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        client.force_login(user)
        return _timed(call, args.repeat)

    worklist = reverse("casework:worklist")
    for name, query in [
        ("my open steps", "?list=mine"),
        ("overdue at my site", f"?list=overdue&site={site.pk}"),
        ("overdue, page 20", "?list=overdue&page=20"),
        ("overdue, one step", "?list=overdue&step=migration_registration"),
        ("blocked", "?list=blocked"),
        ("waiting > 14 days", "?list=waiting&days=14"),
    ]:
        rows.append((f"worklist: {name}", page(worklist + query, caseworker)))
    rows.append(
        (
            "bottlenecks: my site",
            page(reverse("casework:bottlenecks") + f"?site={site.pk}", caseworker),
        )
    )
    rows.append(("bottlenecks: three sites", page(reverse("casework:bottlenecks"), coordinator)))
    bulk_page = reverse("casework:bulk") + f"?site={site.pk}&step=medical_examination"
    rows.append(("bulk page: list of 500", page(bulk_page, caseworker)))

    candidates = list(
        StepProgress.objects.filter(
            case__person__household__current_site=site,
            step__code="health_screening",
            ready_since__isnull=False,
        )
        .exclude(status="done")
        .values_list("pk", "version")[:500]
    )
    t = time.perf_counter()
    saved = bulk_update_step(
        rows=candidates,
        update=StepUpdate(
            status="done", outcome="fit_to_travel", evidence={"screened_on": date.today()}
        ),
        by=caseworker,
    )
    bulk_s = time.perf_counter() - t

    print(
        f"\n{vendor}: {StepProgress.objects.values('case__person').distinct().count()} people, "
        f"{steps} step rows\n"
    )
    print("| what | p50 ms | p95 ms |\n| --- | ---: | ---: |")
    for name, values in rows:
        print(f"| {name} | {statistics.median(values):.0f} | {percentile(values, 0.95):.0f} |")
    print(f"\nbulk update of {saved} people (health screening done): {bulk_s:.2f} s")


if __name__ == "__main__":
    main()
