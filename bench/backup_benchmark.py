"""Backup and restore times: `refuge backup` (written and verified) and `refuge restore` (with
its row-count, trigger and chain checks) of a demo population, as an operator runs them.

    .venv/bin/python bench/backup_benchmark.py --households 25000     # about 100,000 people
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/backup_benchmark.py

Uses its own databases (var/bench/refuge_backup*.sqlite3, or `refuge_backup` and
`refuge_backup_restored` on the server of DATABASE_URL), recreated on each run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import recreate_postgres_database, use_bench_database  # noqa: E402


def _refuge(env: dict, *args: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "refuge.cli", *args], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=1000)
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
    from refuge.demo.population import populate
    from refuge.registry.models import Person

    started = time.monotonic()
    populate(households=args.households)
    people = Person.objects.count()
    print(
        f"{people} people in {args.households} households loaded in "
        f"{time.monotonic() - started:.0f} s"
    )
    out = ROOT / "var" / "bench" / "refuge.backup"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    backup_seconds = _refuge(env, "backup", "--out", str(out))
    restore_seconds = _refuge({**env, "DATABASE_URL": restored_url}, "restore", str(out))
    print(f"\n{vendor}, {people} people: backup file {out.stat().st_size / 1e6:.1f} MB")
    print(f"refuge backup (write + verify): {backup_seconds:.1f} s")
    print(f"refuge restore (restore + checks): {restore_seconds:.1f} s")


if __name__ == "__main__":
    main()
