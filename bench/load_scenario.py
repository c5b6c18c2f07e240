"""Load scenario: 100 staff at once against gunicorn, then a reconciliation.

Clerks register families and run the instant check, caseworkers read cases and write notes,
coordinators read worklists and site pages (bench/locustfile.py). Prints requests per second,
p50/p95/p99 and failures per kind of request, then checks that every registration the server
acknowledged is in the database whole (head and son) and that the audit chain verifies.

    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/load_scenario.py \
        --users 100 --duration 10m          # the issue's figure; the default run is shorter

Needs `make bench-install` (locust). Uses its own database (`refuge_load` on the server of
DATABASE_URL, or var/bench/refuge_load.sqlite3), recreated on each run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import recreate_postgres_database, use_bench_database  # noqa: E402

PASSWORD = "load-scenario-password-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(households: int, users: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        recreate_postgres_database(settings.DATABASES["default"]["NAME"])
    call_command("migrate", verbosity=0)
    from refuge.accounts.models import User
    from refuge.accounts.roles import Role
    from refuge.demo.population import populate
    from refuge.registry.models import Person
    from refuge.sites.models import Site

    populate(households=households)
    perm = Site.objects.get(code="PRM1")
    accounts = {"loadclerk": users, "loadcase": users, "loadcoord": users}
    roles = {"loadclerk": Role.CLERK, "loadcase": Role.CASEWORKER, "loadcoord": Role.COORDINATOR}
    for prefix, count in accounts.items():
        for index in range(count):
            user = User(username=f"{prefix}{index}", role=roles[prefix])
            user.set_password(PASSWORD)
            user.all_sites = prefix == "loadcoord"
            user.save()
            if prefix != "loadcoord":
                user.sites.set([perm])
    people = list(
        Person.objects.filter(household__current_site=perm).values_list("pk", flat=True)[:500]
    )
    return {
        "site": perm.pk,
        "sites": list(Site.objects.values_list("pk", flat=True)),
        "people": people,
        "today": date.today().isoformat(),
        "next_week": (date.today() + timedelta(days=7)).isoformat(),
        "accounts": accounts,
    }


def _reconcile(acks: list[str]) -> tuple[int, int]:
    from django.db.models import Count

    from refuge.registry.models import Person

    found = dict(
        Person.objects.filter(family_name_lat__in=acks)
        .values_list("family_name_lat")
        .annotate(n=Count("pk"))
    )
    lost = [m for m in acks if found.get(m) != 2]
    return len(acks), len(lost)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    # Staff starting a shift sign in over a minute or two, not all in the same ten seconds:
    # each sign-in is an Argon2 hash, about a fifth of a core-second by design.
    parser.add_argument("--spawn-rate", type=float, default=1, help="users starting per second")
    parser.add_argument("--duration", default="60s", help="locust's --run-time, e.g. 60s, 10m")
    parser.add_argument("--households", type=int, default=150)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    vendor = use_bench_database("refuge_load")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="refuge.settings", REFUGE_REQUIRE_2FA="0", SECURE_COOKIES="0"
    )
    world = _prepare(args.households, max(1, args.users // 2))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "refuge.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
            "--preload",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        with tempfile.TemporaryDirectory() as tmp:
            acks_file = Path(tmp) / "acks.json"
            locust_env = {
                **env,
                "LOAD_PASSWORD": PASSWORD,
                "LOAD_WORLD": json.dumps(world),
                "LOAD_ACKS": str(acks_file),
            }
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(args.spawn_rate),
                    "--run-time",
                    args.duration,
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    f"{tmp}/load",
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=locust_env,
                check=False,
            )
            with open(f"{tmp}/load_stats.csv") as stats:
                rows = list(csv.DictReader(stats))
            outcome = json.loads(acks_file.read_text()) if acks_file.exists() else {}
            acks, held = outcome.get("acknowledged", []), outcome.get("held", 0)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\nLoad scenario on {vendor}: {args.users} users for {args.duration}, "
        f"{args.workers} gunicorn workers x 4 threads, {args.households} demo households"
    )
    print(f"{'request':<34}{'count':>8}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    for row in rows:
        print(
            f"{row['Name']:<34}{row['Request Count']:>8}{row['Failure Count']:>6}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    from refuge.audit.services import verify_chain

    acknowledged, lost = _reconcile(acks)
    chain = verify_chain()
    print(f"\nRegistrations acknowledged: {acknowledged}; missing or not whole: {lost}")
    print(f"Held by a likely-match warning, then answered by the clerk: {held}")
    print(f"Audit chain: {'intact' if chain.intact else 'BROKEN'}, {chain.checked} entries")


if __name__ == "__main__":
    main()
