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
