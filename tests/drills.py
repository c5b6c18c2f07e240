"""What the drills (restore, erasure) share: real processes, as an operator would run them,
against a SQLite folder or scratch databases on the PostgreSQL server of DATABASE_URL."""

import os
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def postgres_scratch_databases(*names: str) -> list[str] | None:
    """Empty databases of these names on DATABASE_URL's server (dropped first), or None
    when DATABASE_URL names no PostgreSQL server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = psycopg.connect(
        urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True
    )
    urls = []
    for name in names:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
        urls.append(urllib.parse.urlunsplit(parts._replace(path=f"/{name}")))
    admin.close()
    return urls


def base_environment(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(DJANGO_SETTINGS_MODULE="refuge.settings", PYTHONPATH=str(ROOT), **extra)
    return base


def run(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`python ARGS` in the project's folder with `env`; fails the test on an error."""
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def pg_dump_text(url: str) -> bytes:
    """A plain-text dump of a whole database: every row a thief with a dump would read."""
    found = shutil.which("pg_dump") or str(
        sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))[-1]
    )
    return subprocess.run(
        [found, "--format=plain", "--dbname", url], capture_output=True, check=True, timeout=600
    ).stdout
