"""How fast the REST API answers with a large population.

Builds N people (as bench/registry_benchmark.py does), then times, with a clerk's API token
(every request authenticated, audited and scoped like an integrator's):
- a household read with its members, documents, needs, consent and stays;
- the first page of the people list, and pages further on through the cursor;
- a page of people changed after a moment (`updated_after`).

    .venv/bin/python bench/api_benchmark.py --people 100000
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/api_benchmark.py

It uses its own database (a fresh SQLite file under var/bench, or a `refuge_api_bench` database
on the PostgreSQL server of DATABASE_URL) and prints p50 and p95 in milliseconds. The target is
a p95 of at most 100 ms for the household read and the people list page.
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

DATABASE = "refuge_api_bench"


# What the process itself spent on each request (the test client serves it in-process): on a
# shared machine, near what an idle one takes.
CPU_MS: dict[str, list[float]] = {}


def _timed(client, path: str, kind: str = "") -> tuple[float, dict]:
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if kind:
        CPU_MS.setdefault(kind, []).append((time.process_time() - cpu) * 1000)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return elapsed, response.json()


def measure(repeat: int, seed: int) -> list[tuple[str, float, float]]:
    from datetime import timedelta
    from urllib.parse import urlencode

    from django.utils import timezone
    from rest_framework.test import APIClient

    from refuge.accounts.models import User
    from refuge.api.tokens import create_token
    from refuge.registry.models import Household

    rng = random.Random(seed)
    clerk = User.objects.get(username="clerk")
    _token, secret = create_token(owner=clerk, name="bench", scope="read", by=clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ids = list(Household.objects.values_list("pk", flat=True))
    since = urlencode({"updated_after": (timezone.now() - timedelta(days=1)).isoformat()})

    timings: dict[str, list[float]] = {
        "household read (members, documents, needs, consent, stays)": [],
        "people list, first page (50)": [],
        "people list, a page further on (cursor)": [],
        "people list, updated_after": [],
    }
    # Warm up connections, caches and the modules the views import on first use.
    _timed(client, "/api/v1/people/")
    _timed(client, f"/api/v1/households/{ids[0]}/")
    for _ in range(repeat):
        kind = "household read (members, documents, needs, consent, stays)"
        elapsed, _body = _timed(client, f"/api/v1/households/{rng.choice(ids)}/", kind)
        timings[kind].append(elapsed)
        kind = "people list, first page (50)"
        elapsed, body = _timed(client, "/api/v1/people/", kind)
        timings[kind].append(elapsed)
        path = body["next"]
        for _step in range(rng.randint(1, 20)):  # walk on a few pages
            kind = "people list, a page further on (cursor)"
            elapsed, body = _timed(client, path.split("testserver", 1)[1], kind)
            path = body["next"]
        timings[kind].append(elapsed)
        kind = "people list, updated_after"
        elapsed, _body = _timed(client, f"/api/v1/people/?{since}", kind)
        timings[kind].append(elapsed)
    return [
        (name, statistics.median(t), percentile(t, 0.95), percentile(CPU_MS[name], 0.95))
        for name, t in timings.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the population a previous run loaded"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the requests spend their time"
    )
    args = parser.parse_args()
    vendor = use_bench_database(DATABASE, keep=args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    os.environ["REFUGE_REQUIRE_2FA"] = "0"
    os.environ["REFUGE_API_RATE"] = "1000000/minute"  # measure the API, not its rate limit
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from registry_benchmark import build

    settings.ALLOWED_HOSTS = ["testserver"]
    if vendor == "postgresql" and not args.reuse:
        recreate_postgres_database(DATABASE)
    call_command("migrate", verbosity=0)
    if not args.reuse:
        started = time.perf_counter()
        build(args.people, args.seed)
        print(f"load: {time.perf_counter() - started:.0f} s", flush=True)
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as profile:
            rows = measure(args.repeat, args.seed)
        stats = pstats.Stats(profile).sort_stats("tottime")
        stats.print_stats(25)
        stats.print_callers("builtins.compile")
    else:
        rows = measure(args.repeat, args.seed)
    print(f"\n{vendor}, {args.people} people, {args.repeat} requests each\n")
    print("| request | p50 ms | p95 ms | p95 CPU ms |\n| --- | ---: | ---: | ---: |")
    for name, p50, p95, cpu95 in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {cpu95:.1f} |")


if __name__ == "__main__":
    main()
