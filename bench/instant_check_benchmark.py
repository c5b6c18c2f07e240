"""Instant "already registered?" latency against a large registry, on SQLite or PostgreSQL.

Loads synthetic registrations (bench/synthetic.py: realistic names, three scripts, clerks'
habits) into the registry, holding back a sample of registrations whose person is already in
it; then times the instant check for each held-back registration, as the registration form's
htmx request does it (the selector alone, and the whole request through Django's test client),
and reports how often the earlier registration was among the suggestions; for the queries where
it was not, why (no shared key, ranked out, vetoed or under the floor) and which clerks' habits
separate the query from the person's closest registration in the registry (bench/miss_report.py).

    .venv/bin/python bench/instant_check_benchmark.py --people 1000000
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/instant_check_benchmark.py

Uses its own database (var/bench/instant.sqlite3, or `refuge_bench_instant` on the server of
DATABASE_URL), recreated on each run.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SCRIPT_SUFFIX = {"arabic": "ar", "latin": "lat", "cyrillic": "cyr"}


from benchdb import (  # noqa: E402
    analyze_if_postgres,
    percentile,
    registry_benchmark_arguments,
    start_django_on_bench_database,
)


def _person_fields(record) -> dict:
    from refuge.matching.scripts import detect_script

    script = SCRIPT_SUFFIX.get(detect_script(record.given_name + record.family_name).value, "lat")
    return {
        f"given_name_{script}": record.given_name,
        f"father_name_{script}": record.father_name,
        f"family_name_{script}": record.family_name,
        f"mother_name_{script}": record.mother_name,
    }


def load(people: int, queries: int, seed: int, *, insert: bool = True):
    """Load about `people` registrations; return held-back (record, person_id) queries and the
    map from synthetic person to the registry rows that hold them."""
    from django.db import transaction
    from django.utils import timezone
    from synthetic import Generator

    from refuge.identity.models import PersonKey
    from refuge.identity.records import indexed_keys
    from refuge.matching.records import EXCHANGE_COLUMNS, PersonRecord
    from refuge.registry.dates import parse_birth_date
    from refuge.registry.models import Household, Person
    from refuge.sites.models import Site, SiteKind

    rng = random.Random(seed)
    gen = Generator(seed)
    sites: dict[str, Site] = {}
    seen_people: set[int] = set()
    held: list[tuple[PersonRecord, int]] = []
    loaded = 0
    batch: list[tuple[str, PersonRecord, int]] = []
    hold_rate = queries / people * 3
    pid_of: dict[int, int] = {}

    next_pk = [1]

    def flush(rows):
        if not insert:
            # Re-using a registry this script loaded before: the same seed draws the same rows
            # in the same order, and a fresh table numbered them 1, 2, 3...
            for _ref, _record, pid in rows:
                pid_of[next_pk[0]] = pid
                next_pk[0] += 1
            return
        households = {}
        for ref, record, _pid in rows:
            if ref not in households:
                code = record.site[:8].upper() or "X"
                if code not in sites:
                    sites[code] = Site.objects.create(
                        code=code,
                        name=record.site.title(),
                        kind=SiteKind.ACCOMMODATION,
                        region="—",
                        capacity=100_000,
                    )
                households[ref] = Household(
                    registration_number=ref,
                    registered_at=sites[code],
                    current_site=sites[code],
                    registered_on=timezone.localdate(),
                )
        with transaction.atomic():
            Household.objects.bulk_create(households.values(), batch_size=5000)
            persons = []
            for ref, record, _pid in rows:
                try:
                    birth, precision = parse_birth_date(record.birth_date)
                except ValueError:
                    birth, precision = None, "exact"
                persons.append(
                    Person(
                        household=households[ref],
                        relationship="head",
                        sex=record.sex or "m",
                        birth_date=birth,
                        birth_date_precision=precision,
                        **_person_fields(record),
                    )
                )
            Person.objects.bulk_create(persons, batch_size=5000)
            for person, (_ref, _record, pid) in zip(persons, rows, strict=True):
                pid_of[person.pk] = pid
            PersonKey.objects.bulk_create(
                (
                    PersonKey(person=person, key=key)
                    for person, (_ref, record, _pid) in zip(persons, rows, strict=True)
                    for key in indexed_keys([record])
                ),
                batch_size=10000,
            )

    started = time.perf_counter()
    while loaded < people:
        members = gen.household()
        for row, pid in gen.registrations(members):
            record = PersonRecord(**dict(zip(EXCHANGE_COLUMNS, row, strict=True)))
            if pid in seen_people and len(held) < queries and rng.random() < hold_rate:
                held.append((record, pid))
                continue
            seen_people.add(pid)
            batch.append((record.household_ref, record, pid))
            loaded += 1
        if len(batch) >= 20000:
            flush(batch)
            batch = []
            print(f"  {loaded} loaded, {time.perf_counter() - started:.0f} s", flush=True)
    if batch:
        flush(batch)
    return held, pid_of, loaded, time.perf_counter() - started


def measure(held, pid_of):
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.identity.selectors import instant_check

    # One clerk sends the 100 timed requests in a few seconds, far more than anyone typing names
    # (the per-minute limit is counted from the audit trail, and that count still runs).
    settings.REFUGE_INSTANT_CHECKS_PER_MINUTE = 10**6
    user, _ = User.objects.get_or_create(username="bench", role=Role.ADMIN, all_sites=True)
    client = Client()
    client.force_login(user)
    selector_ms, request_ms, hits, shown, missed = [], [], 0, 0, []
    # CPU time of this process beside the wall time: on a shared machine the wall time is mostly
    # waiting for a core (PostgreSQL's own work is not in it).
    selector_cpu, request_cpu = [], []
    for record, pid in held:
        t, c = time.perf_counter(), time.process_time()
        matches = instant_check(user, [record])
        selector_ms.append((time.perf_counter() - t) * 1000)
        selector_cpu.append((time.process_time() - c) * 1000)
        shown += bool(matches)
        # Found: one of the suggestions is an earlier registration of the same person.
        found = any(m.person is not None and pid_of.get(m.person.pk) == pid for m in matches)
        hits += found
        if not found:
            missed.append((record, pid))
    for record, _pid in held[:100]:
        data = {
            "prefix": "members-0",
            "members-0-sex": record.sex,
            "members-0-birth_date_text": record.birth_date,
            "members-0-document_number": record.document_number,
        }
        data.update({f"members-0-{k}": v for k, v in _person_fields(record).items()})
        t, c = time.perf_counter(), time.process_time()
        response = client.post(reverse("identity:instant_check"), data)
        request_ms.append((time.perf_counter() - t) * 1000)
        request_cpu.append((time.process_time() - c) * 1000)
        assert response.status_code == 200
    return selector_ms, request_ms, selector_cpu, request_cpu, shown, hits, missed


def why_missed(missed, pid_of, population: int):
    """Sort the missed queries by where the instant check lost the earlier registration and by
    the kinds of difference (bench/miss_report.py's) between the query and the closest earlier
    registration as the registry holds it (what the instant check compared)."""
    from collections import Counter

    from django.db.models import Count
    from miss_report import miss_kinds

    from refuge.identity.models import PersonKey
    from refuge.identity.records import person_records
    from refuge.identity.selectors import CANDIDATE_POOL, _is_suggested, _lookup_keys
    from refuge.matching.compare import PreparedRecord, compare_people
    from refuge.registry.models import Person

    pks_of: dict[int, list[int]] = {}
    wanted = {pid for _record, pid in missed}
    for pk, pid in pid_of.items():
        if pid in wanted:
            pks_of.setdefault(pid, []).append(pk)
    stages: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for record, pid in missed:
        keys = _lookup_keys([record])
        ranked = list(
            PersonKey.objects.filter(key__in=keys)
            .values("person_id")
            .annotate(shared=Count("pk"))
            .order_by("-shared", "person_id")
            .values_list("person_id", flat=True)
        )
        positions = [ranked.index(pk) for pk in pks_of.get(pid, []) if pk in ranked]
        ours = PreparedRecord(record)
        earlier = Person.objects.filter(pk__in=pks_of.get(pid, [])).select_related("origin")
        theirs = [
            PreparedRecord(r)
            for person in earlier.prefetch_related("documents")
            for r in person_records(person)
        ]
        best = max(
            theirs,
            key=lambda t: compare_people(ours, t, population=population).log_odds,
            default=None,
        )
        if not positions:
            stages["no key shared with an earlier registration"] += 1
        elif min(positions) >= CANDIDATE_POOL:
            stages[f"shares a key, ranked below the first {CANDIDATE_POOL} candidates"] += 1
        elif best is not None and not _is_suggested(
            compare_people(ours, best, population=population)
        ):
            stages["compared, vetoed or under the suggestion floor"] += 1
        else:
            stages["compared, outranked by other suggestions"] += 1
        if best is not None:
            kinds.update(miss_kinds(ours, best, population))
    return stages, kinds


def main() -> None:
    args = registry_benchmark_arguments(__doc__.splitlines()[0])
    vendor = start_django_on_bench_database("refuge_bench_instant", reuse=args.reuse)
    held, pid_of, loaded, seconds = load(
        args.people, args.queries, args.seed, insert=not args.reuse
    )
    analyze_if_postgres(vendor)
    print(f"loaded {loaded} registrations in {seconds:.0f} s; {len(held)} queries held back")
    selector_ms, request_ms, selector_cpu, request_cpu, shown, hits, missed = measure(held, pid_of)
    print(f"\n{vendor}, registry of {loaded} people\n")
    print("| what | n | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: | ---: |")
    for name, values in (
        ("instant check (selector)", selector_ms),
        ("instant check (whole htmx request)", request_ms),
        ("instant check (selector), CPU", selector_cpu),
        ("instant check (whole htmx request), CPU", request_cpu),
    ):
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 0.95):.1f} | {max(values):.1f} |"
        )
    print(
        f"\nqueries with at least one suggestion: {shown}/{len(held)}; "
        f"earlier registration of the same person suggested: {hits}/{len(held)}"
    )
    if missed:
        stages, kinds = why_missed(missed, pid_of, loaded)
        print("\nwhere the earlier registration was lost:")
        for stage, count in stages.most_common():
            print(f"  {stage}: {count}")
        print("kinds of difference from the closest earlier registration (a miss may be several):")
        for kind, count in kinds.most_common():
            print(f"  {kind}: {count}")


if __name__ == "__main__":
    main()
