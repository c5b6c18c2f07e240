"""Find across scripts against a large registry, on SQLite or PostgreSQL.

Loads synthetic registrations (bench/synthetic.py: realistic names, three scripts, clerks'
habits and typos) into the registry with their search tokens, holding back a sample of
registrations whose person is already in it. Each held-back registration's name, as that clerk
wrote it (often in another script than the earlier registration), is then typed into Find:
given and family name, and given, father's and family name. Find is timed as the selector
alone (as an administrator) and as the whole POST through Django's test client (as a clerk of
every site, so the site scope is applied); the share of queries whose person's earlier
registration is among the first five results is reported, overall and for queries in another
script than every earlier registration of that person.

    .venv/bin/python bench/find_benchmark.py --people 1000000
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/find_benchmark.py --people 1000000

Uses its own database (var/bench/refuge_bench_find.sqlite3, or `refuge_bench_find` on the
server of DATABASE_URL), recreated on each run unless --reuse.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


from benchdb import (  # noqa: E402
    analyze_if_postgres,
    percentile,
    registry_benchmark_arguments,
    start_django_on_bench_database,
)
from instant_check_benchmark import _person_fields  # noqa: E402


def load(people: int, queries: int, seed: int, *, insert: bool = True):
    """Load about `people` registrations; return the held-back records with their person, the
    map from registry row to synthetic person, and the scripts each person is registered in."""
    from django.db import connection, transaction
    from django.utils import timezone
    from synthetic import Generator

    from refuge.matching.records import EXCHANGE_COLUMNS, PersonRecord
    from refuge.matching.scripts import detect_script
    from refuge.registry.dates import parse_birth_date
    from refuge.registry.models import Household, Person, PersonNameToken
    from refuge.registry.search import person_search_tokens
    from refuge.sites.models import Site, SiteKind

    rng = random.Random(seed)
    gen = Generator(seed)
    sites: dict[str, Site] = {s.code: s for s in Site.objects.all()}
    scripts_of: dict[int, set[str]] = defaultdict(set)
    held: list[tuple[PersonRecord, int]] = []
    pid_of: dict[int, int] = {}
    batch: list[tuple[PersonRecord, int]] = []
    hold_rate = queries / people * 3
    loaded = 0
    next_pk = [1]

    def flush(rows):
        if not insert:
            # The same seed draws the same rows in the same order into a table numbered 1, 2...
            for _record, pid in rows:
                pid_of[next_pk[0]] = pid
                next_pk[0] += 1
            return
        households = {}
        for record, _pid in rows:
            if record.household_ref not in households:
                code = record.site[:8].upper() or "X"
                if code not in sites:
                    sites[code] = Site.objects.create(
                        code=code,
                        name=record.site.title(),
                        kind=SiteKind.ACCOMMODATION,
                        region="—",
                        capacity=100_000,
                    )
                households[record.household_ref] = Household(
                    registration_number=record.household_ref,
                    registered_at=sites[code],
                    current_site=sites[code],
                    registered_on=timezone.localdate(),
                )
        with transaction.atomic():
            Household.objects.bulk_create(households.values(), batch_size=5000)
            persons = []
            for record, _pid in rows:
                try:
                    birth, precision = parse_birth_date(record.birth_date)
                except ValueError:
                    birth, precision = None, "exact"
                persons.append(
                    Person(
                        household=households[record.household_ref],
                        relationship="head",
                        sex=record.sex or "m",
                        birth_date=birth,
                        birth_date_precision=precision,
                        **_person_fields(record),
                    )
                )
            Person.objects.bulk_create(persons, batch_size=5000)
            # Straight through the cursor: eight million model instances would cost more than
            # the rest of the load.
            table = connection.ops.quote_name(PersonNameToken._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (person_id, token) VALUES (%s, %s)",
                    [
                        (person.pk, token[:80])
                        for person, (record, _pid) in zip(persons, rows, strict=True)
                        for token in person_search_tokens(_person_fields(record))
                    ],
                )
            for person, (_record, pid) in zip(persons, rows, strict=True):
                pid_of[person.pk] = pid

    started = time.perf_counter()
    while loaded < people:
        for row, pid in gen.registrations(gen.household()):
            record = PersonRecord(**dict(zip(EXCHANGE_COLUMNS, row, strict=True)))
            if pid in scripts_of and len(held) < queries and rng.random() < hold_rate:
                held.append((record, pid))
                continue
            scripts_of[pid].add(detect_script(record.given_name + record.family_name).value)
            batch.append((record, pid))
            loaded += 1
        if len(batch) >= 20000:
            flush(batch)
            batch = []
            print(f"  {loaded} loaded, {time.perf_counter() - started:.0f} s", flush=True)
    if batch:
        flush(batch)
    return held, pid_of, scripts_of, loaded, time.perf_counter() - started


QUERY_KINDS = {
    "given + family": lambda r: f"{r.given_name} {r.family_name}",
    "given + father + family": lambda r: f"{r.given_name} {r.father_name} {r.family_name}",
}


def measure(held, pid_of, scripts_of):
    from django.test import Client
    from django.urls import reverse

    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.matching.scripts import detect_script
    from refuge.registry.selectors import find_people
    from refuge.sites.models import Site

    admin, _ = User.objects.get_or_create(username="bench", role=Role.ADMIN, all_sites=True)
    clerk, _ = User.objects.get_or_create(username="bench.clerk", role=Role.CLERK)
    clerk.sites.set(Site.objects.all())
    client = Client()
    client.force_login(clerk)
    # The first request imports the page's modules and compiles its templates: not Find's cost.
    client.post(reverse("registry:search"), {"q": "warm up"})
    results = {}
    for kind, typed in QUERY_KINDS.items():
        selector_ms, selector_cpu_ms, request_ms = [], [], []
        top5 = cross = cross_top5 = 0
        for record, pid in held:
            query = typed(record)
            t, cpu = time.perf_counter(), time.process_time()
            found = find_people(admin, query)
            selector_ms.append((time.perf_counter() - t) * 1000)
            selector_cpu_ms.append((time.process_time() - cpu) * 1000)
            hit = any(pid_of.get(f.person.pk) == pid for f in found[:5])
            top5 += hit
            if detect_script(query).value not in scripts_of[pid]:
                cross += 1
                cross_top5 += hit
        for record, _pid in held[:100]:
            t = time.perf_counter()
            response = client.post(reverse("registry:search"), {"q": typed(record)})
            request_ms.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        results[kind] = (selector_ms, selector_cpu_ms, request_ms, top5, cross, cross_top5)
    return results


def main() -> None:
    args = registry_benchmark_arguments(__doc__.splitlines()[0])
    vendor = start_django_on_bench_database("refuge_bench_find", reuse=args.reuse)
    held, pid_of, scripts_of, loaded, seconds = load(
        args.people, args.queries, args.seed, insert=not args.reuse
    )
    analyze_if_postgres(vendor)
    print(f"loaded {loaded} registrations in {seconds:.0f} s; {len(held)} queries held back")
    results = measure(held, pid_of, scripts_of)
    print(f"\n{vendor}, registry of {loaded} people\n")
    print("| query | what | n | p50 ms | p95 ms | max ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for kind, (selector_ms, selector_cpu_ms, request_ms, *_rest) in results.items():
        for name, values in (
            ("selector", selector_ms),
            # What the process itself spent: on a shared machine, near what an idle one takes.
            ("selector, CPU time", selector_cpu_ms),
            ("whole POST", request_ms),
        ):
            print(
                f"| {kind} | {name} | {len(values)} | {statistics.median(values):.1f} | "
                f"{percentile(values, 0.95):.1f} | {max(values):.1f} |"
            )
    print()
    for kind, (_s, _c, _r, top5, cross, cross_top5) in results.items():
        print(
            f"{kind}: person's earlier registration in the first 5 results for "
            f"{top5}/{len(held)} queries ({top5 / max(len(held), 1):.0%}); typed in a script "
            f"none of their registrations uses: {cross_top5}/{cross}"
        )


if __name__ == "__main__":
    main()
