"""Reporting against a large registry: the dashboard (programme, region and site views), its
CSV, the HXL export and the weekly sitrep PDF, as an observer through Django's test client.

The registry is built by bulk insert (bench/bulk_population.py: households with their stays
over the last year at the demo sites, people with their documents, name tokens, identity keys,
needs, consents, a case on the reception pathway some way along it with the steps' dates, and
the registration's audit entries), with what the other figures read added by bulk insert:
departures, more open specific needs, weekly transfers between two sites, possible duplicates
waiting for review and family tracing requests by status. Before timing anything it checks
that the programme's figures it built are there (non-zero), so that a fast page is not a page
of zeros. The pages read the
figures stored by a refresh (refresh_figures, as `refuge refresh_reporting` runs it), whose
time is printed first.

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
PEOPLE_PER_HOUSEHOLD = 5


def _timed(call, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each call; the CPU time is this process's (Django and, on
    SQLite, the database; PostgreSQL's own work is not in it)."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def add_reporting_rows(seed: int) -> dict[str, int]:
    """The rows the registry lacks for the dashboard, by bulk insert: a tenth of
    the households left some days after they arrived, one person in sixteen has an open
    specific need, a transfer a week from the first site to the second over the last eight
    weeks (the
    last one still planned; the passengers' stays are left where they were: only the transfers
    figure reads them), one tracing request for every two hundred people, its
    sought people in every status, and a possible duplicate for every five hundred people,
    found on the later one's registration day, one in four marked unsure."""
    import random
    from datetime import date, datetime

    from django.db import transaction
    from django.utils import timezone

    from refuge.accounts.models import User
    from refuge.identity.models import CandidatePair, PairStatus
    from refuge.registry.models import Need, Person
    from refuge.registry.vocabulary import NeedStatus
    from refuge.sites.models import Movement, MovementStatus, Passenger, Site, Stay
    from refuge.tracing.models import Outcome, SoughtPerson, TraceStatus, TracingRequest

    rng = random.Random(seed)
    today = date.today()
    admin = User.objects.get(username="admin")
    made = {}
    with transaction.atomic():
        left = []
        for stay in Stay.objects.only("pk", "arrived_on").iterator(chunk_size=5000):
            if rng.random() < 0.1:
                on = stay.arrived_on + timedelta(days=rng.randint(1, 60))
                if on < today:
                    stay.left_on = on
                    left.append(stay)
        Stay.objects.bulk_update(left, ["left_on"], batch_size=5000)
        made["departures"] = len(left)

        codes = ["SM", "DS", "ER", "SP", "CR", "SV", "WR", "LP"]
        needs = [
            Need(
                person_id=pk,
                code=rng.choice(codes),
                status=rng.choice([NeedStatus.PENDING, NeedStatus.CONFIRMED]),
                recorded_on=registered_on,
                recorded_by=admin,
            )
            for pk, registered_on in Person.objects.values_list(
                "pk", "household__registered_on"
            ).iterator(chunk_size=5000)
            if rng.random() < 1 / 16
        ]
        Need.objects.bulk_create(needs, batch_size=5000)
        made["needs"] = len(needs)

        first, second = Site.objects.order_by("code")[:2]
        on_board = list(
            Person.objects.filter(household__current_site=first).values_list("pk", "household")[
                : 8 * 40
            ]
        )
        passengers = []
        for week in range(8):
            planned_on = today - timedelta(weeks=7 - week)
            done = week < 7
            movement = Movement.objects.create(
                from_site=first,
                to_site=second,
                planned_on=planned_on,
                means="bus",
                seats=40,
                status=MovementStatus.ARRIVED if done else MovementStatus.PLANNED,
                departed_on=planned_on if done else None,
                arrived_on=planned_on if done else None,
                created_by=admin,
            )
            passengers += [
                Passenger(
                    movement=movement,
                    person_id=pk,
                    household_id=household,
                    boarded=done or None,
                    arrived=done or None,
                )
                for pk, household in on_board[week * 40 : (week + 1) * 40]
            ]
        Passenger.objects.bulk_create(passengers, batch_size=5000)
        made["passengers"] = len(passengers)

        sites = list(Site.objects.order_by("code"))
        requests = TracingRequest.objects.bulk_create(
            [
                TracingRequest(
                    site=rng.choice(sites),
                    inquirer_given_name="Fatima",
                    inquirer_sex="f",
                    inquirer_contact="tent 4",
                    opened_on=(opened := today - timedelta(days=rng.randint(0, 120))),
                    due_on=opened + timedelta(days=30),
                )
                for _ in range(max(Person.objects.count() // 200, 1))
            ],
            batch_size=5000,
        )
        statuses = [s for s, _label in TraceStatus.choices]
        sought = []
        for request in requests:
            for _ in range(rng.choice([1, 1, 2])):
                status = rng.choice(statuses)
                closed = status == TraceStatus.CLOSED
                sought.append(
                    SoughtPerson(
                        request=request,
                        given_name="Ali",
                        relationship="son",
                        status=status,
                        outcome=rng.choice([Outcome.FOUND, Outcome.NOT_FOUND]) if closed else "",
                        closed_on=today if closed else None,
                    )
                )
        SoughtPerson.objects.bulk_create(sought, batch_size=5000)
        made["sought"] = len(sought)

        people = list(
            Person.objects.order_by("pk").values_list("pk", "household__registered_on")[::500]
        )
        links = list(zip(people, people[1:], strict=False))
        pairs = CandidatePair.objects.bulk_create(
            [
                CandidatePair(
                    person_a_id=a,
                    person_b_id=b,
                    probability=0.9,
                    decision="review",
                    status=PairStatus.UNSURE if i % 4 == 0 else PairStatus.OPEN,
                )
                for i, ((a, _on), (b, _later)) in enumerate(links)
            ],
            batch_size=5000,
        )
        # found_at is set to now on insert: date each pair to the later registration.
        for pair, (_a, (_b, later)) in zip(pairs, links, strict=True):
            pair.found_at = timezone.make_aware(datetime.combine(later, datetime.min.time()))
        CandidatePair.objects.bulk_update(pairs, ["found_at"], batch_size=5000)
        made["duplicates"] = len(pairs)
    return made


def _check_figures_built(today) -> None:
    """Every programme figure the world was built for is non-zero in the stored figures (the
    admin's exact set), or the timings below would be of an empty dashboard."""
    from refuge.reporting.aggregates import stored_figures
    from refuge.reporting.disclosure import PROGRAMME
    from refuge.reporting.periods import Period
    from refuge.sites.models import Site

    sites = list(Site.objects.order_by("kind", "name"))
    figures = stored_figures(sites, Period.weeks_ending(today), exact=True, today=today).figures
    empty = []
    for figure in figures:
        if figure.key == "tracing" or figure.key == "overdue":
            continue  # tracing's sought people and overdue steps are not guaranteed
        total = sum(
            f.value or 0
            for (_row, column), f in figure.figures.items()
            if column == PROGRAMME and _row != "__total__"
        )
        print(f"  {figure.key}: {total:,} in all (programme, summed over rows)")
        if total == 0:
            empty.append(figure.key)
    if empty:
        raise SystemExit(f"the built world has no figures for {empty}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000, help="about this many")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    args = parser.parse_args()
    vendor = start_django_on_bench_database(NAME, reuse=args.reuse)

    from bulk_population import load
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.registry.models import Person
    from refuge.reporting.aggregates import refresh_figures
    from refuge.reporting.periods import week_label, week_start
    from refuge.sites.models import Site

    if not Site.objects.exists():
        started, started_cpu = time.perf_counter(), time.process_time()
        # The demo's households average a little under five people (draw_household).
        people = load(max(args.people // PEOPLE_PER_HOUSEHOLD, 1), seed=11, progress=True)
        made = add_reporting_rows(11)
        built = time.perf_counter() - started
        print(
            f"built {people:,} people in {built:.0f} s ({people / built:.0f} people/s,"
            f" CPU {time.process_time() - started_cpu:.0f} s): {made}",
            flush=True,
        )
        analyze_if_postgres(vendor)
    observer, _ = User.objects.get_or_create(
        username="observer", defaults={"role": Role.OBSERVER, "all_sites": True}
    )
    site = Site.objects.order_by("code").first()
    today = timezone.localdate()
    # The pages read the figures the regular run stored (refuge refresh_reporting): count
    # them once, then time a second run, which recounts only the open periods.
    for run in ("first refresh", "next refresh"):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = refresh_figures(today)
        cpu = time.process_time() - started_cpu
        print(
            f"{run}: {time.perf_counter() - started:.1f} s (CPU {cpu:.1f} s),"
            f" {result.computed} figure sets counted, {result.kept} kept, {result.pruned}"
            " pruned",
            flush=True,
        )
    _check_figures_built(today)
    # The refresh reads the change counter (kept by triggers) to know what to keep: one row.
    from refuge.reporting.aggregates import change_watermark

    wall, _cpu = _timed(change_watermark, 50)
    print(
        f"change counter read: p50 {percentile(wall, 0.5):.2f} ms,"
        f" p95 {percentile(wall, 0.95):.2f} ms"
    )
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
    print(f"{'request':<34} {'median ms':>10} {'p95 ms':>10} {'CPU p50':>8} {'CPU p95':>8}")
    for name, call, repeat in cases:
        call()  # warm the caches a real server would have
        wall, cpu = _timed(call, repeat)
        print(
            f"{name:<34} {percentile(wall, 0.5):>10.0f} {percentile(wall, 0.95):>10.0f}"
            f" {percentile(cpu, 0.5):>8.0f} {percentile(cpu, 0.95):>8.0f}"
        )


if __name__ == "__main__":
    main()
