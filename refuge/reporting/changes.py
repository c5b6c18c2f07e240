"""A counter that every change to the data behind the dashboards moves, kept by the database
itself: triggers on each table the figures are counted from. The audit trail cannot be the
watermark, since a bulk change (an import's bulk_create, retention's or erasure's queryset
delete, a transfer applied with one update) writes its rows without an entry for each; a
trigger sees those as it sees a row saved one at a time, and so does a change made in SQL.

On PostgreSQL each statement takes the next value of a sequence (a sequence is outside
transactions, so writers never wait on one another for it); on SQLite, where writers are one
at a time anyway, each row bumps a one-row counter. Reading either is one row, however many
people there are.

The triggers are (re)installed after every `migrate` (apps.ReportingConfig.ready): on SQLite,
a migration that rebuilds one of these tables drops its triggers with the old table."""

from __future__ import annotations

from django.db import connections

# Every table `selectors.compute_figures` counts from.
WATCHED_MODELS = (
    "sites.Site",
    "sites.Stay",
    "sites.Movement",
    "sites.Passenger",
    "registry.Household",
    "registry.Person",
    "registry.Need",
    "casework.Pathway",
    "casework.StepDefinition",
    "casework.Case",
    "casework.StepProgress",
    "identity.CandidatePair",
    "tracing.TracingRequest",
    "tracing.SoughtPerson",
)

_SEQUENCE = "reporting_change_seq"
_COUNTER = "reporting_change_counter"
_FUNCTION = "reporting_note_change"


def watched_tables() -> list[str]:
    from django.apps import apps

    return [apps.get_model(label)._meta.db_table for label in WATCHED_MODELS]


def install_change_triggers(using: str = "default") -> None:
    connection = connections[using]
    tables = watched_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {_SEQUENCE}")
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN PERFORM nextval('{_SEQUENCE}'); RETURN NULL; END $$"
            )
            for table in tables:
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {_FUNCTION} AFTER INSERT OR UPDATE OR DELETE "
                    f'OR TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()'
                )
        elif connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {_COUNTER} "
                "(id INTEGER PRIMARY KEY CHECK (id = 1), changes INTEGER NOT NULL)"
            )
            cursor.execute(f"INSERT OR IGNORE INTO {_COUNTER} (id, changes) VALUES (1, 0)")
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "reporting_{table}_{event.lower()}" '
                        f'AFTER {event} ON "{table}" BEGIN UPDATE {_COUNTER} '
                        "SET changes = changes + 1 WHERE id = 1; END"
                    )
        else:
            raise NotImplementedError(f"No change counter for {connection.vendor}")


def change_count(using: str = "default") -> int:
    """The number of changes so far (it only grows): figures counted at a lower number may
    be out of date."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Before its first nextval a sequence reports 1 with is_called false.
            cursor.execute(
                f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {_SEQUENCE}"
            )
        else:
            cursor.execute(f"SELECT changes FROM {_COUNTER} WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _after_migrate(sender, using: str = "default", **kwargs) -> None:
    install_change_triggers(using)
