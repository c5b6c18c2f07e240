"""Reporting against a large registry: the dashboard (programme, region and site views), its
CSV, the HXL export and the weekly sitrep PDF, as an observer through Django's test client.

Everyone is on the reception pathway some way along it (the casework benchmark's population:
households, stays and about twelve step rows a person, in three centres of one region).

    .venv/bin/python bench/reporting_benchmark.py --people 1000000
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/reporting_benchmark.py

Targets (issue 15): every dashboard p95 <= 300 ms, a sitrep PDF <= 5 s, an HXL export <= 10 s.
Uses its own database (var/bench/reporting.sqlite3, or `refuge_bench_reporting` on the server of
DATABASE_URL), recreated on each run unless --reuse.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import analyze_if_postgres, percentile, start_django_on_bench_database  # noqa: E402

NAME = "refuge_bench_reporting"


def _timed(call, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    args = parser.parse_args()
    vendor = start_django_on_bench_database(NAME, reuse=args.reuse)

    from casework_benchmark import build
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.registry.models import Person
    from refuge.reporting.periods import week_label, week_start
    from refuge.sites.models import Site

    if not Site.objects.exists():
        started = time.perf_counter()
        build(args.people, 11)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        analyze_if_postgres(vendor)
    observer, _ = User.objects.get_or_create(
        username="observer", defaults={"role": Role.OBSERVER, "all_sites": True}
    )
    site = Site.objects.get(code="C0")
    today = timezone.localdate()
    last_week = week_label(week_start(today) - timedelta(weeks=1))
    client = Client()
    client.force_login(observer)

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    dashboard = reverse("reporting:dashboard")
    cases = [
        ("dashboard, programme, 8 weeks", get(dashboard), args.repeat),
        ("dashboard, region, 8 weeks", get(f"{dashboard}?view=region:Perm Krai"), args.repeat),
        ("dashboard, one site, 8 weeks", get(f"{dashboard}?view=site:{site.pk}"), args.repeat),
        ("figures CSV, programme", get(reverse("reporting:figures_csv")), args.repeat),
        ("HXL CSV, 8 weeks", get(reverse("reporting:hxl", args=["csv"])), 3),
        ("HXL XLSX, 8 weeks", get(reverse("reporting:hxl", args=["xlsx"])), 3),
        (
            "sitrep PDF, last week, ru",
            get(f"{reverse('reporting:sitrep_pdf')}?week={last_week}&lang=ru"),
            3,
        ),
    ]
    print(f"{vendor}: {Person.objects.count():,} people, {len(cases)} requests")
    print(f"{'request':<34} {'median ms':>10} {'p95 ms':>10}")
    for name, call, repeat in cases:
        call()  # warm the caches a real server would have
        times = _timed(call, repeat)
        print(f"{name:<34} {percentile(times, 0.5):>10.0f} {percentile(times, 0.95):>10.0f}")


if __name__ == "__main__":
    main()
