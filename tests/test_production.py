"""Production mode (REFUGE_ENV=production) refuses each unsafe setting, and its safe
configuration passes `check --deploy` without a warning."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from refuge import production

ROOT = Path(__file__).resolve().parent.parent
SAFE_ENV = {
    "REFUGE_ENV": "production",
    "SECRET_KEY": "k7Qv1-Hq8zX2mA9pL4sN6tB3wE5rY0uI8oP2aS4dF6gH8jK1lZ3xC5vB7nM9qW1e",
    "REFUGE_FIELD_KEYS": "lMnHhwSW1JkGmAvDaZ5S2lYwq0cmzlmMxhG4ZtNqQSY=",
    "REFUGE_AUDIT_KEY": "Jx0S3d9nq2P7cV5bL8mK4tR6wY1zA3eG",
    "REFUGE_BLIND_INDEX_KEY": "b7Xk2Qw9Lm4Rt6Yp1Zs8Vd3Nf5Hg0Jc2",
    "REFUGE_AUDIT_DATA_KEYS": "Q1dUSEZ0dk1zSTc0dzZ0b1l1M2V1Y2Q4b2xQT0t6WmU=",
    "REFUGE_BACKUP_KEYS": "Tm9RZ0x6R2V3b2JxV3lKb3R4c2ZzQ1pQb3hYbWR2VXk=",
    "ALLOWED_HOSTS": "refuge.example.org",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "DEBUG": "0",
}


def _run(args, extra_env, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SAFE_ENV and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(extra_env, REFUGE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="refuge.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def safe(settings):
    settings.PRODUCTION = True
    settings.DEBUG = False
    settings.SECRET_KEY = SAFE_ENV["SECRET_KEY"]
    settings.FIELD_ENCRYPTION_KEYS = [SAFE_ENV["REFUGE_FIELD_KEYS"]]
    settings.AUDIT_CHAIN_KEY = SAFE_ENV["REFUGE_AUDIT_KEY"]
    settings.AUDIT_DATA_KEYS = [SAFE_ENV["REFUGE_AUDIT_DATA_KEYS"]]
    settings.BLIND_INDEX_KEY = SAFE_ENV["REFUGE_BLIND_INDEX_KEY"]
    settings.BACKUP_KEYS = [SAFE_ENV["REFUGE_BACKUP_KEYS"]]
    settings.REFUGE_REQUIRE_2FA = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    return settings


def test_a_safe_configuration_has_no_problem(safe):
    assert production.setting_problems() == []


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("SECRET_KEY", production.DEMO_SECRET_KEY, "SECRET_KEY"),
        ("SECRET_KEY", "short-but-not-the-demo-key", "SECRET_KEY"),
        ("DEBUG", True, "DEBUG"),
        ("FIELD_ENCRYPTION_KEYS", [], "REFUGE_FIELD_KEYS"),
        ("AUDIT_CHAIN_KEY", "", "REFUGE_AUDIT_KEY"),
        ("AUDIT_CHAIN_KEY", "tooshort", "REFUGE_AUDIT_KEY"),
        ("AUDIT_DATA_KEYS", [], "REFUGE_AUDIT_DATA_KEYS"),
        ("BLIND_INDEX_KEY", "", "REFUGE_BLIND_INDEX_KEY"),
        ("BLIND_INDEX_KEY", "tooshort", "REFUGE_BLIND_INDEX_KEY"),
        ("BACKUP_KEYS", [], "REFUGE_BACKUP_KEYS"),
        ("REFUGE_REQUIRE_2FA", False, "REFUGE_REQUIRE_2FA"),
        ("SESSION_COOKIE_SECURE", False, "SECURE_COOKIES"),
    ],
)
def test_each_unsafe_setting_is_named(safe, setting, value, named):
    setattr(safe, setting, value)

    problems = production.setting_problems()

    assert len(problems) == 1 and named in problems[0]


def test_the_server_refuses_to_start_in_production_with_the_demo_defaults(tmp_path):
    env = {"REFUGE_ENV": "production", "DEBUG": "1", "REFUGE_REQUIRE_2FA": "0"}

    result = _run(["-c", "import refuge.wsgi"], env, tmp_path)

    assert result.returncode != 0
    for named in ("SECRET_KEY", "DEBUG", "REFUGE_FIELD_KEYS", "REFUGE_AUDIT_KEY", "2FA"):
        assert named in result.stderr


def test_the_server_starts_in_production_with_safe_settings(tmp_path):
    result = _run(["-c", "import refuge.wsgi; print('serving')"], SAFE_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "serving" in result.stdout


def test_check_deploy_gives_no_warning_in_production_mode(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SAFE_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_lists_the_unsafe_settings_in_production_mode(tmp_path):
    env = {**SAFE_ENV, "SECRET_KEY": production.DEMO_SECRET_KEY, "REFUGE_REQUIRE_2FA": "0"}

    result = _run(["manage.py", "check", "--deploy"], env, tmp_path)

    assert result.returncode != 0
    assert "refuge.E001" in result.stderr and "REFUGE_REQUIRE_2FA" in result.stderr


def test_the_sqlite_database_file_is_for_its_owner_only(tmp_path):
    result = _run(["manage.py", "migrate", "-v0"], {}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "refuge.sqlite3").stat().st_mode & 0o777 == 0o600


def test_the_demo_refuses_to_run_in_production(safe, db):
    with pytest.raises(CommandError, match="production"):
        call_command("demo", households=1)


def test_every_response_carries_a_strict_policy(client):
    response = client.get("/accounts/login/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "camera=()" in response["Permissions-Policy"]


def test_no_template_has_an_inline_script_or_event_handler():
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|hx-on|js:|javascript:", re.I)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "refuge").rglob("templates/**/*.html")
        if inline.search(path.read_text())
    ]
    assert offenders == []


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)


@postgresql_only
def test_serving_as_the_owner_of_the_audit_table_is_refused(db):
    problems = production.database_problems(connection)

    assert any("owns the audit table" in p for p in problems)


@postgresql_only
def test_an_insert_only_role_on_the_audit_table_is_accepted(db):
    with transaction.atomic(), connection.cursor() as cursor:
        # Role creation is transactional in PostgreSQL: the test's rollback removes it.
        cursor.execute("CREATE ROLE refuge_app_test NOLOGIN")
        cursor.execute("GRANT SELECT, INSERT ON audit_auditentry TO refuge_app_test")
        cursor.execute("SET LOCAL ROLE refuge_app_test")
        assert production.database_problems(connection) == []
        cursor.execute("RESET ROLE")
        cursor.execute("GRANT DELETE ON audit_auditentry TO refuge_app_test")
        cursor.execute("SET LOCAL ROLE refuge_app_test")
        problems = production.database_problems(connection)
        cursor.execute("RESET ROLE")
    assert len(problems) == 1 and "DELETE" in problems[0]
