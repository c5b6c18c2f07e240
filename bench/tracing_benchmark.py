"""Family tracing against a large registry: matching one sought person, checking a new
registration against the open requests, and how well relatives' descriptions find people.

Loads synthetic registrations as bench/instant_check_benchmark.py does (realistic names in
three scripts, clerks' habits), then:

* a tracing test set: registrations held back from the load whose person IS in the registry,
  described as a relative would (given and family name always, the father's name half the
  time, no mother's name, the birth year only and up to two years off), in whatever script
  the held-back registration was written; plus as many people who are NOT in the registry
  (another seed's families). For each, the time to match it against every registration
  (tracing.matching.registry_candidates), whether the person is among the top 5 candidates,
  and, for those absent, whether any candidate was offered at all (a false alarm) and
  whether one was offered as a likely match (probability >= 0.85);
* 10,000 open requests (their sought people indexed), and the time to check a new
  registration against them as it lands (tracing.matching.sought_by_open_requests).

    .venv/bin/python bench/tracing_benchmark.py --people 1000000
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/tracing_benchmark.py

Uses its own database (var/bench/refuge_bench_tracing.sqlite3, or `refuge_bench_tracing` on
the server of DATABASE_URL), recreated on each run unless --reuse.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date
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

OPEN_REQUESTS = 10_000
TOP = 5
LIKELY = 0.85


def _year(text: str) -> int | None:
    return int(text[:4]) if text[:4].isdigit() else None


def _described(rng: random.Random, record):
    """A registration as a relative describes the person: partial, the age approximate."""
    from refuge.tracing.services import SoughtData

    year = _year(record.birth_date)
    return SoughtData(
        given_name=record.given_name[:80],
        father_name=record.father_name[:80] if rng.random() < 0.5 else "",
        family_name=record.family_name[:80],
        sex=record.sex if record.sex in ("m", "f") else "",
        relationship=rng.choice(["son", "brother", "husband", "daughter", "sister"]),
        birth_date=date(year + rng.choice([-2, -1, 0, 0, 0, 1, 2]), 1, 1) if year else None,
        birth_date_precision="estimated",
    )


def _absent(seed: int, n: int):
    """Registrations of people from another seed's families: not in the registry."""
    from synthetic import Generator

    from refuge.matching.records import EXCHANGE_COLUMNS, PersonRecord

    gen = Generator(seed + 7919)
    out = []
    while len(out) < n:
        for row, _pid in gen.registrations(gen.household()):
            out.append(PersonRecord(**dict(zip(EXCHANGE_COLUMNS, row, strict=True))))
            break
    return out


def _requests(site, user, described: list) -> list:
    """Open requests whose sought people are `described`, keyed as the service keys them
    (written in bulk: opening 10,000 requests one by one would also match each of them)."""
    from django.db import transaction
    from django.utils import timezone

    from refuge.tracing import matching
    from refuge.tracing.models import SoughtPerson, TracingKey, TracingRequest

    today = timezone.localdate()
    with transaction.atomic():
        requests = TracingRequest.objects.bulk_create(
            [
                TracingRequest(
                    site=site,
                    inquirer_given_name="Bench",
                    inquirer_sex="f",
                    inquirer_contact="desk",
                    owner=user,
                    opened_on=today,
                    due_on=today,
                )  # fmt: skip
                for _ in described
            ],
            batch_size=5000,
        )
        sought = SoughtPerson.objects.bulk_create(
            [
                SoughtPerson(
                    request=request,
                    given_name=d.given_name,
                    father_name=d.father_name,
                    family_name=d.family_name,
                    sex=d.sex,
                    relationship=d.relationship,
                    birth_date=d.birth_date,
                    birth_date_precision=d.birth_date_precision,
                )  # fmt: skip
                for request, d in zip(requests, described, strict=True)
            ],
            batch_size=5000,
        )
        keys = []
        for one in sought:
            keys += [
                TracingKey(request_id=one.request_id, sought=one, side="sought", key=k[:160])
                for k in matching.sought_keys(one)
            ]
        TracingKey.objects.bulk_create(keys, batch_size=10000)
    return sought


def main() -> None:
    args = registry_benchmark_arguments(__doc__.splitlines()[0])
    vendor = start_django_on_bench_database("refuge_bench_tracing", reuse=args.reuse)
    from instant_check_benchmark import load

    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.registry.models import Person
    from refuge.sites.models import Site
    from refuge.tracing import matching
    from refuge.tracing.models import SoughtPerson, TracingKey, TracingRequest

    held, pid_of, loaded, seconds = load(
        args.people, args.queries, args.seed, insert=not args.reuse
    )
    print(f"loaded {loaded} registrations in {seconds:.0f} s; {len(held)} present held back")
    # A re-run starts its requests afresh.
    TracingKey.objects.all().delete()
    SoughtPerson.objects.all().delete()
    TracingRequest.objects.all().delete()
    analyze_if_postgres(vendor)
    rng = random.Random(args.seed)
    user, _ = User.objects.get_or_create(
        username="bench.tracer", role=Role.TRACING_OFFICER, all_sites=True
    )
    site = Site.objects.order_by("pk").first()

    present = [(_described(rng, record), pid) for record, pid in held]
    absent = [_described(rng, record) for record in _absent(args.seed, len(held))]
    test_set = _requests(site, user, [d for d, _ in present] + absent)
    match_ms, in_top, offered, likely = [], 0, 0, 0
    for index, sought in enumerate(test_set):
        started = time.perf_counter()
        found = matching.registry_candidates(sought, limit=TOP)
        match_ms.append((time.perf_counter() - started) * 1000)
        if index < len(present):
            pid = present[index][1]
            in_top += any(pid_of.get(f.person.pk) == pid for f in found)
        else:
            offered += bool(found)
            likely += any(f.comparison.probability >= LIKELY for f in found)
    n_present, n_absent = len(present), len(absent)

    # 10,000 open requests: the test set and more relatives' descriptions of other people.
    filler = OPEN_REQUESTS - len(test_set)
    more = _absent(args.seed + 1, max(filler, 0))
    _requests(site, user, [_described(rng, record) for record in more])
    analyze_if_postgres(vendor)
    open_count = TracingRequest.objects.open().count()
    max_pk = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    check_ms, raised = [], 0
    people = Person.objects.filter(
        pk__in=[rng.randint(1, max_pk) for _ in range(args.queries)]
    ).prefetch_related("documents")
    for person in people:
        started = time.perf_counter()
        found = matching.sought_by_open_requests(person)
        check_ms.append((time.perf_counter() - started) * 1000)
        raised += bool(found)

    print(f"\n{vendor}, registry of {loaded} people, {open_count} open requests\n")
    print("| what | n | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: | ---: |")
    for name, values in (
        ("match one sought person against the registry", match_ms),
        ("check a new registration against the open requests", check_ms),
    ):
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 0.95):.1f} | {max(values):.1f} |"
        )
    print(
        f"\npresent in the registry: found in the top {TOP} for {in_top}/{n_present} "
        f"({100 * in_top / max(n_present, 1):.1f} %)"
        f"\nabsent: any candidate offered for {offered}/{n_absent} "
        f"({100 * offered / max(n_absent, 1):.1f} %), a likely match (>= {LIKELY}) for "
        f"{likely}/{n_absent} ({100 * likely / max(n_absent, 1):.1f} %)"
        f"\nnew registrations that raised a candidate: {raised}/{len(check_ms)}"
    )


if __name__ == "__main__":
    main()
