"""Production mode (REFUGE_ENV=production): the settings a deployment cannot forget.

Every unsafe setting is named at once, as system-check errors: `refuge check --deploy` lists
them, and gunicorn (through refuge.wsgi) refuses to start while any is left. The database role
is checked only at serving time, because migrations are run by the tables' owner on purpose.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

DEMO_SECRET_KEY = "refuge-demo-only-not-secret"
MIN_SECRET_KEY_LENGTH = 50
MIN_AUDIT_KEY_LENGTH = 32


def setting_problems() -> list[str]:
    """What is unsafe about these settings for production, one sentence each."""
    problems = []
    key = settings.SECRET_KEY
    if key == DEMO_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        problems.append(
            f"SECRET_KEY is the public demo key or shorter than {MIN_SECRET_KEY_LENGTH} "
            "characters: generate one with `python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`."
        )
    if settings.DEBUG:
        problems.append("DEBUG is on: it shows personal data in error pages. Set DEBUG=0.")
    if not settings.FIELD_ENCRYPTION_KEYS:
        problems.append(
            "REFUGE_FIELD_KEYS is not set: case notes would be encrypted with a key derived from "
            "SECRET_KEY. Generate one with `refuge rotate_field_keys --new-key`."
        )
    if len(settings.AUDIT_CHAIN_KEY) < MIN_AUDIT_KEY_LENGTH:
        problems.append(
            f"REFUGE_AUDIT_KEY is not set or shorter than {MIN_AUDIT_KEY_LENGTH} characters: "
            "the audit chain would be keyed with a key derived from SECRET_KEY."
        )
    if len(settings.BLIND_INDEX_KEY) < MIN_AUDIT_KEY_LENGTH:
        problems.append(
            f"REFUGE_BLIND_INDEX_KEY is not set or shorter than {MIN_AUDIT_KEY_LENGTH} "
            "characters: document numbers would be indexed under a key derived from SECRET_KEY."
        )
    if not settings.AUDIT_DATA_KEYS:
        problems.append(
            "REFUGE_AUDIT_DATA_KEYS is not set: what the audit trail seals about people would be "
            "sealed with a key derived from SECRET_KEY."
        )
    if not settings.BACKUP_KEYS:
        problems.append(
            "REFUGE_BACKUP_KEYS is not set: backups would be encrypted with a key derived from "
            "SECRET_KEY."
        )
    if not settings.REFUGE_REQUIRE_2FA:
        problems.append("REFUGE_REQUIRE_2FA is off: every member of staff needs two factors.")
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        problems.append("SECURE_COOKIES is off: session cookies would travel without TLS.")
    return problems


# Privileges the serving role must not hold on the trail: with any of them it could rewrite it.
_FORBIDDEN_ON_TRAIL = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


def database_problems(connection) -> list[str]:
    """The serving role must be able to append to the trail and nothing more: not own it (an
    owner can drop its triggers), not be a superuser, not hold UPDATE, DELETE or TRUNCATE."""
    if connection.vendor != "postgresql":
        # SQLite has no roles: the keyed chain and checkpoints kept elsewhere stand in for them.
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT r.rolsuper,
                      pg_has_role(current_user, c.relowner, 'USAGE'),
                      current_user
               FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
               WHERE c.oid = 'audit_auditentry'::regclass"""
        )
        superuser, owner, role = cursor.fetchone()
        held = []
        for privilege in _FORBIDDEN_ON_TRAIL:
            cursor.execute("SELECT has_table_privilege('audit_auditentry', %s)", [privilege])
            if cursor.fetchone()[0]:
                held.append(privilege)
    problems = []
    if superuser:
        problems.append(f"The database role {role} is a superuser.")
    if owner:
        problems.append(
            f"The database role {role} owns the audit table (or is a member of its owner): "
            "serve with a role that may only insert into it (docs/deploy.md)."
        )
    elif held:
        problems.append(
            f"The database role {role} holds {', '.join(held)} on the audit table: grant it "
            "SELECT and INSERT only."
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    return [
        checks.Error(problem, id=f"refuge.E{number:03d}")
        for number, problem in enumerate(setting_problems(), start=1)
    ]


def refuse_unsafe_start() -> None:
    """Called by refuge.wsgi before it serves a request: in production mode, name every unsafe
    setting and the database role's excess privileges, and stop."""
    if not settings.PRODUCTION:
        return
    from django.db import connection

    problems = setting_problems() + database_problems(connection)
    connection.close()
    if problems:
        raise ImproperlyConfigured(
            "Refuge will not start in production mode:\n- " + "\n- ".join(problems)
        )
