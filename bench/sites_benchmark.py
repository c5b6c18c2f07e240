"""A large site under load: 10,000 people in 2,000 rooms.

Times the site page (occupancy, chart, capacity outlook), the rooms page, the manifest PDF of
a 300-person transfer, and allocating beds to the households of a 300-person transfer, with a
signed-in site manager through Django's test client and the real services.

    .venv/bin/python bench/sites_benchmark.py
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/sites_benchmark.py

Uses its own database (var/bench/sites.sqlite3, or `refuge_bench_sites` on the server of
DATABASE_URL), recreated on each run.
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


def build(people: int, rooms: int, seed: int):
    """A centre full to `people` in `rooms` rooms of four to eight beds, and a transit point
    holding 300 more people waiting for a transfer; bulk inserts, as a migration from paper
    would."""
    from django.db import transaction

    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.demo.population import draw_household
    from refuge.registry.models import Household, Person
    from refuge.sites.models import Bed, BedAssignment, Building, OccupancyRecord, Room, Site, Stay

    rng = random.Random(seed)
    today = date.today()
    centre = Site.objects.create(
        code="BIG",
        name="Big centre",
        kind="accommodation",
        region="Perm Krai",
        capacity=people + people // 10,
    )
    transit = Site.objects.create(
        code="TRN", name="Transit", kind="transit", region="Moscow", capacity=1000
    )
    manager = User.objects.create(username="manager", role=Role.SITE_MANAGER)
    manager.sites.set([centre, transit])

    def households_at(site, count, prefix):
        made, rows = 0, []
        while made < count:
            members = draw_household(rng, today, ("ar", "lat"), None, "")
            rows.append(members)
            made += len(members)
        with transaction.atomic():
            hh = Household.objects.bulk_create(
                Household(
                    registration_number=f"{prefix}-{i:06d}",
                    registered_at=site,
                    current_site=site,
                    registered_on=today - timedelta(days=10),
                )
                for i, _ in enumerate(rows)
            )
            persons = Person.objects.bulk_create(
                (
                    Person(
                        household=h,
                        relationship=m.relationship,
                        sex=m.sex,
                        birth_date=m.birth_date,
                        **m.names,
                    )
                    for h, members in zip(hh, rows, strict=True)
                    for m in members
                ),
                batch_size=5000,
            )
            Stay.objects.bulk_create(
                Stay(household=h, site=site, arrived_on=h.registered_on) for h in hh
            )
        return hh, persons

    with transaction.atomic():
        blocks = [Building.objects.create(site=centre, name=f"Block {b}") for b in range(20)]
        room_rows = Room.objects.bulk_create(
            Room(
                building=blocks[i % 20],
                name=f"{i:04d}",
                accessible=i % 10 == 0,
                family_room=i % 2 == 0,
            )
            for i in range(rooms)
        )
        beds = Bed.objects.bulk_create(
            (
                Bed(room=r, label=str(b))
                for i, r in enumerate(room_rows)
                for b in range(1, (4, 6, 8, 4, 6)[i % 5] + 1)
            ),
            batch_size=5000,
        )
    households, persons = households_at(centre, people - 400, "BIG")
    with transaction.atomic():
        BedAssignment.objects.bulk_create(
            (
                BedAssignment(bed=bed, person=p, assigned_on=today, assigned_by=manager)
                for bed, p in zip(beds, persons, strict=False)
            ),
            batch_size=5000,
        )
        OccupancyRecord.objects.bulk_create(
            OccupancyRecord(
                site=centre,
                on=today - timedelta(days=d),
                people=len(persons) - d,
                households=len(households),
                beds=len(beds),
                beds_taken=len(persons),
                capacity=centre.capacity,
            )
            for d in range(60, 0, -1)
        )
    waiting, _ = households_at(transit, 300, "TRN")
    return centre, transit, manager, waiting


def _timed(call, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rooms", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    vendor = use_bench_database("refuge_bench_sites")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    os.environ["REFUGE_REQUIRE_2FA"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["testserver"]
    if vendor == "postgresql":
        recreate_postgres_database("refuge_bench_sites")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    centre, transit, manager, waiting = build(args.people, args.rooms, 5)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)

    from refuge.reception.services import arrive
    from refuge.registry.models import Household
    from refuge.sites.housing import allocate_arrivals
    from refuge.sites.models import BedAssignment
    from refuge.sites.movements import add_household, depart, plan_movement

    client = Client()
    client.force_login(manager)
    rows = []

    def page(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    rows.append(
        (
            "site page (occupancy, chart, outlook)",
            _timed(page(reverse("sites:site", args=[centre.pk])), args.repeat),
        )
    )
    rows.append(("sites overview", _timed(page(reverse("sites:overview")), args.repeat)))
    rows.append(
        (
            "rooms page (2,000 rooms)",
            _timed(page(reverse("sites:rooms", args=[centre.pk])), args.repeat),
        )
    )

    today = timezone.localdate()
    movement = plan_movement(
        from_site=transit, to_site=centre, planned_on=today, means="train", seats=400, by=manager
    )
    t = time.perf_counter()
    for household in waiting:
        add_household(movement=movement, household=household, by=manager)
    planning_s = time.perf_counter() - t
    passengers = movement.passengers.count()
    rows.append(
        (
            f"manifest PDF ({passengers} people)",
            _timed(page(reverse("sites:manifest", args=[movement.pk])), args.repeat),
        )
    )
    everyone = set(movement.passengers.values_list("person_id", flat=True))
    depart(movement=movement, boarded=everyone, on=today, by=manager)
    arrive(movement=movement, arrived=everyone, on=today, by=manager)
    arrived = list(
        Household.objects.filter(pk__in=[h.pk for h in waiting]).prefetch_related("members__needs")
    )
    t = time.perf_counter()
    placed = allocate_arrivals(households=arrived, by=manager)
    too_big = sum(1 for room in placed.values() if room is None)
    allocation_s = time.perf_counter() - t
    allocated = BedAssignment.objects.current().filter(person__household__in=waiting).count()

    print(f"\n{vendor}: {args.people} people in {args.rooms} rooms\n")
    print("| what | p50 ms | p95 ms |\n| --- | ---: | ---: |")
    for name, values in rows:
        print(f"| {name} | {statistics.median(values):.0f} | {percentile(values, 0.95):.0f} |")
    print(
        f"\nplanning a transfer of {passengers} people ({len(waiting)} households): "
        f"{planning_s:.2f} s"
    )
    print(
        f"allocating beds to the {allocated} people who arrived: {allocation_s:.2f} s "
        f"({too_big} households larger than any room left to split by hand)"
    )


if __name__ == "__main__":
    main()
