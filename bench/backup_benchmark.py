"""Backup and restore times: `refuge backup` (written and verified) and `refuge restore` (with
its row-count, trigger and chain checks) of a registry, as an operator runs them: wall and CPU
time (the command and its children, pg_dump/pg_restore included; not the PostgreSQL server's),
the database's and the backup's sizes.

The registry is loaded by bulk insert (bench/bulk_population.py: encrypted phones and document
numbers, blind indexes, identity keys, cases and steps, a chained trail), or with
--through-services by the registration services (about four people a second).

    .venv/bin/python bench/backup_benchmark.py --households 25000     # about 100,000 people
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/backup_benchmark.py

Uses its own databases (var/bench/refuge_backup*.sqlite3, or `refuge_backup` and
`refuge_backup_restored` on the server of DATABASE_URL), recreated on each run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import recreate_postgres_database, use_bench_database  # noqa: E402


def _refuge(env: dict, *args: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, of the command and what it runs) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "refuge.cli", *args], cwd=ROOT, env=env, check=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _database_bytes(vendor: str) -> int:
    from django.conf import settings
    from django.db import connection

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    name = Path(settings.DATABASES["default"]["NAME"])
    return sum(p.stat().st_size for p in name.parent.glob(f"{name.name}*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument(
        "--through-services",
        action="store_true",
        help="register through the services (slow) instead of the bulk loader",
    )
    args = parser.parse_args()

    vendor = use_bench_database("refuge_backup")
    source_url = os.environ["DATABASE_URL"]
    os.environ["DJANGO_SETTINGS_MODULE"] = "refuge.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if vendor == "postgresql":
        recreate_postgres_database(settings.DATABASES["default"]["NAME"])
        recreate_postgres_database("refuge_backup_restored")
        restored_url = source_url.rsplit("/", 1)[0] + "/refuge_backup_restored"
    else:
        restored = ROOT / "var" / "bench" / "refuge_backup_restored.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{restored}{suffix}").unlink(missing_ok=True)
        restored_url = f"sqlite:///{restored}"
    call_command("migrate", verbosity=0)
    from refuge.registry.models import Person

    started = time.monotonic()
    if args.through_services:
        from refuge.demo.population import populate

        populate(households=args.households)
    else:
        from bulk_population import load

        load(households=args.households)
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    people = Person.objects.count()
    print(
        f"{people} people in {args.households} households loaded in "
        f"{time.monotonic() - started:.0f} s"
    )
    out = ROOT / "var" / "bench" / f"refuge-{vendor}.backup"
    # On PostgreSQL nothing else has made var/bench yet (the databases live on the server).
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    database_mb = _database_bytes(vendor) / 1e6
    backup_wall, backup_cpu = _refuge(env, "backup", "--out", str(out))
    restore_wall, restore_cpu = _refuge({**env, "DATABASE_URL": restored_url}, "restore", str(out))
    print(f"\n{vendor}, {people} people in {args.households} households")
    print(f"database {database_mb:.1f} MB, backup file {out.stat().st_size / 1e6:.1f} MB")
    print(f"refuge backup (write + verify): {backup_wall:.1f} s wall, {backup_cpu:.1f} s CPU")
    print(f"refuge restore (restore + checks): {restore_wall:.1f} s wall, {restore_cpu:.1f} s CPU")


if __name__ == "__main__":
    main()
