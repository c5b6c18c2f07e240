"""Database triggers that make the audit trail append-only, for each database we run on.

The entries refuse UPDATE, DELETE and (on PostgreSQL, where it bypasses row triggers) TRUNCATE;
the chain head refuses to be deleted, truncated or moved backwards, so that a reset head cannot
make an emptied trail look like a new one. On PostgreSQL the triggers belong to the tables'
owner: the application's own role, which may only insert (docs/deploy.md), cannot drop them.

Kept here, not only in the migration, because a test database that must be flushed between
browser tests has to lift them for the flush and put them back.
"""

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_chainhead
           BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be removed'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_head_forward_only BEFORE UPDATE ON audit_chainhead
           WHEN NEW.last_seq < OLD.last_seq OR NEW.id <> OLD.id
           BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
        """CREATE OR REPLACE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE
           ON audit_auditentry FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();""",
        # TRUNCATE fires no row trigger: it needs a statement trigger of its own.
        """CREATE OR REPLACE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE
           ON audit_auditentry FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();""",
        """CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'UPDATE' AND NEW.last_seq >= OLD.last_seq AND NEW.id = OLD.id THEN
               RETURN NEW;
             END IF;
             RAISE EXCEPTION 'the audit chain head only moves forward';
           END; $$ LANGUAGE plpgsql;""",
        """CREATE OR REPLACE TRIGGER audit_head_no_rewind BEFORE UPDATE OR DELETE
           ON audit_chainhead FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();""",
        """CREATE OR REPLACE TRIGGER audit_head_no_truncate BEFORE TRUNCATE
           ON audit_chainhead FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();""",
    ],
}
REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entry_no_update;",
        "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
        "DROP TRIGGER IF EXISTS audit_head_no_delete;",
        "DROP TRIGGER IF EXISTS audit_head_forward_only;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_auditentry;",
        "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;",
        "DROP TRIGGER IF EXISTS audit_head_no_rewind ON audit_chainhead;",
        "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_chainhead;",
    ],
}


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in INSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in REMOVE.get(connection.vendor, []):
            cursor.execute(sql)


def installed(connection) -> set[str]:
    """The names of the audit triggers present, to check after a restore."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall() if name.startswith("audit_")}


def expected(connection) -> set[str]:
    """The names of the audit triggers that should be present on this database."""
    return {sql.split()[4].rstrip(";") for sql in REMOVE.get(connection.vendor, [])}
