"""How fast the registry's pages answer with a large population.

Builds N people (in households drawn like the demo's) straight into the database, then times
search by registration number, document number and name prefix in each script, and the
household and person pages, through Django's test client with a signed-in clerk.

    .venv/bin/python bench/registry_benchmark.py --people 100000
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/registry_benchmark.py

It uses its own database (a fresh SQLite file under var/bench, or a `refuge_bench` database on
the PostgreSQL server of DATABASE_URL) and prints p50 and p95 per page in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


from benchdb import percentile, recreate_postgres_database, use_bench_database  # noqa: E402


def build(people: int, seed: int) -> list:
    from datetime import date

    from django.utils import timezone

    from refuge.demo.population import VILLAGES, create_sites_and_staff, draw_household
    from refuge.registry.models import (
        NAME_PARTS,
        SCRIPTS,
        Document,
        Household,
        Person,
        PersonNameToken,
        Place,
    )
    from refuge.registry.search import normalise_document_number, person_search_tokens
    from refuge.sites.models import Stay

    rng = random.Random(seed)
    today = date.today()
    sites = create_sites_and_staff()
    shelter = sites["HMM"]
    places = {p.pcode: p for p in Place.objects.filter(pcode__in=VILLAGES)}
    made, seq, batch = 0, 0, []
    fields = [f"{p}_{s}" for p in NAME_PARTS for s in SCRIPTS]

    def flush(batch):
        households = Household.objects.bulk_create([h for h, _ in batch])
        persons, owners = [], []
        for household, members in zip(households, (m for _, m in batch), strict=True):
            for member in members:
                persons.append(
                    Person(
                        household=household,
                        relationship=member.relationship,
                        sex=member.sex,
                        birth_date=member.birth_date,
                        birth_date_precision=member.birth_date_precision,
                        origin=member.origin,
                        origin_village=member.origin_village,
                        **{f: member.names.get(f, "") for f in fields},
                    )
                )
                owners.append(member)
        persons = Person.objects.bulk_create(persons)
        tokens, documents = [], []
        for person, member in zip(persons, owners, strict=True):
            tokens += [
                PersonNameToken(person=person, token=t[:80])
                for t in person_search_tokens(member.names)
            ]
            documents += [
                Document(
                    person=person,
                    doc_type=d.doc_type,
                    number=d.number,
                    number_normalised=normalise_document_number(d.number),
                )
                for d in member.documents
            ]
        PersonNameToken.objects.bulk_create(tokens, batch_size=5000)
        Document.objects.bulk_create(documents, batch_size=5000)
        Stay.objects.bulk_create(
            Stay(household=h, site=shelter, arrived_on=h.registered_on) for h in households
        )
        return len(persons)

    samples = []
    while made < people:
        pcode = rng.choice(list(VILLAGES))
        members = draw_household(
            rng, today, ("ar", "lat", "cyr"), places[pcode], rng.choice(VILLAGES[pcode])
        )
        seq += 1
        household = Household(
            registration_number=f"HMM-{seq:06d}",
            registered_at=shelter,
            current_site=shelter,
            registered_on=today,
            created_at=timezone.now(),
        )
        batch.append((household, members))
        if rng.random() < 0.002:
            samples.append((household.registration_number, members[0]))
        if sum(len(m) for _, m in batch) >= 5000:
            made += flush(batch)
            batch = []
    if batch:
        made += flush(batch)
    shelter.last_registration_seq = seq
    shelter.save()
    print(f"built {made} people in {seq} households", flush=True)
    return samples


def measure(samples, repeat: int) -> list[tuple[str, float, float, int]]:
    from django.test import Client
    from django.urls import reverse

    from refuge.accounts.models import User
    from refuge.registry.models import Household, Person

    client = Client()
    client.force_login(User.objects.get(username="clerk"))
    rng = random.Random(1)
    picks = [rng.choice(samples) for _ in range(repeat)]
    households = {
        h.registration_number: h.pk
        for h in Household.objects.filter(registration_number__in=[p[0] for p in picks])
    }

    def doc(member):
        return member.documents[0].number if member.documents else "NOPE"

    cases = {
        "search: registration number": lambda p: client.post(
            reverse("registry:search"), {"q": p[0]}
        ),
        "search: document number": lambda p: client.post(
            reverse("registry:search"), {"q": doc(p[1])}
        ),
        "search: Arabic name prefix": lambda p: client.post(
            reverse("registry:search"),
            {"q": f"{p[1].names['given_name_ar'][:3]} {p[1].names['family_name_ar']}"},
        ),
        "search: Latin name prefix": lambda p: client.post(
            reverse("registry:search"),
            {"q": f"{p[1].names['given_name_lat'][:4]} {p[1].names['family_name_lat'][:4]}"},
        ),
        "search: Cyrillic name prefix": lambda p: client.post(
            reverse("registry:search"),
            {"q": f"{p[1].names['given_name_cyr'][:4]} {p[1].names['family_name_cyr'][:4]}"},
        ),
        "household page": lambda p: client.get(
            reverse("registry:household", args=[households[p[0]]])
        ),
        "person page": lambda p: client.get(
            reverse(
                "registry:person",
                args=[
                    Person.objects.filter(household_id=households[p[0]])
                    .values_list("pk", flat=True)
                    .first()
                ],
            )
        ),
        "site overview": lambda p: client.get(reverse("sites:overview")),
    }
    rows = []
    for name, call in cases.items():
        timings = []
        for pick in picks:
            started = time.perf_counter()
            response = call(pick)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        timings.sort()
        rows.append(
            (
                name,
                statistics.median(timings),
                percentile(timings, 0.95),
                len(timings),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    vendor = use_bench_database("refuge_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    os.environ["REFUGE_REQUIRE_2FA"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    if vendor == "postgresql":
        recreate_postgres_database("refuge_bench")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    samples = build(args.people, args.seed)
    print(f"load: {time.perf_counter() - started:.0f} s", flush=True)
    rows = measure(samples, args.repeat)
    print(f"\n{vendor}, {args.people} people, {args.repeat} requests per page\n")
    print("| page | p50 ms | p95 ms |\n| --- | ---: | ---: |")
    for name, p50, p95, _ in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
