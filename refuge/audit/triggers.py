"""Database triggers that make the audit table append-only, for each database we run on.

Kept here, not only in the migration, because a test database that must be flushed between
browser tests has to lift them for the flush and put them back.
"""

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
        """CREATE OR REPLACE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE
           ON audit_auditentry FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();""",
    ],
}
REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entry_no_update;",
        "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
    ],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_auditentry;"],
}


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in INSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in REMOVE.get(connection.vendor, []):
            cursor.execute(sql)
