"""What every benchmark needs: a database of its own, set up before Django starts, and p95."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_bench_database(name: str, *, keep: bool = False) -> str:
    """Point DATABASE_URL at a fresh database called `name` (a file under var/bench for SQLite,
    a database on the same server for PostgreSQL); returns the vendor. Call before Django.
    `keep` re-uses what a previous run left there instead of starting empty."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
        return "postgresql"
    path = ROOT / "var" / "bench" / f"{name}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return "sqlite"


def recreate_postgres_database(name: str) -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or None,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values, q: float) -> float:
    values = sorted(values)
    return values[max(0, int(round(q * len(values))) - 1)]


def registry_benchmark_arguments(description: str):
    """The options every benchmark against a loaded synthetic registry takes."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure against the registry a previous run with the same "
        "--people and --seed loaded, without loading it again",
    )
    return parser.parse_args()


def start_django_on_bench_database(name: str, *, reuse: bool) -> str:
    """Use the database `name`, start Django (password-only sign-in, the test client's host),
    empty it unless `reuse`, migrate it; returns the vendor."""
    vendor = use_bench_database(name, keep=reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    os.environ["REFUGE_REQUIRE_2FA"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    if vendor == "postgresql" and not reuse:
        recreate_postgres_database(name)
    call_command("migrate", verbosity=0)
    return vendor


def analyze_if_postgres(vendor: str) -> None:
    """Fresh statistics after a bulk load, or PostgreSQL plans against empty tables; and the
    visibility map autovacuum would have written by then, without which no index-only scan."""
    if vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
