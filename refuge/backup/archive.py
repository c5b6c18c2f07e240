"""Encrypted, verifiable backups of the whole database, and their restore into an empty one.

A backup file is a sequence of Fernet tokens under REFUGE_BACKUP_KEY (a key of its own, so
that a stolen backup tells nothing to someone holding only the field or audit keys), each
prefixed with its length. The first token is the manifest (database kind, time, row counts of
every table, SHA-256 of the dump); the others carry the dump in numbered chunks, the last one
marked, so that a reordered, cut or swapped file is refused rather than restored half.

SQLite is copied with its online backup API (consistent while Refuge keeps writing);
PostgreSQL with pg_dump in the custom format, from a snapshot the row counts are taken in too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import connection
from django.utils import timezone

MAGIC = b"REFUGE-BACKUP/1\n"
CHUNK = 4 * 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be written, read, verified or restored; the message says why."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    keys = tuple(settings.BACKUP_KEYS)
    if not keys:
        derived = hashlib.sha256(f"refuge-backup:{settings.SECRET_KEY}".encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return _fernet(keys)


def _owner_only(path: Path):
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client).")
    return str(candidates[-1])


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    return sorted(name for (name,) in cursor.fetchall())


def _row_counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _write_tokens(out, manifest: dict, chunks: Iterator[bytes]) -> None:
    f = cipher()
    out.write(MAGIC)

    def put(payload: bytes) -> None:
        token = f.encrypt(payload)
        out.write(struct.pack(">I", len(token)))
        out.write(token)

    put(json.dumps(manifest).encode())
    previous = None
    index = 0
    for chunk in chunks:
        if previous is not None:
            put(struct.pack(">QB", index, 0) + previous)
            index += 1
        previous = chunk
    put(struct.pack(">QB", index, 1) + (previous or b""))


def read_backup(path: Path) -> tuple[dict, Iterator[bytes]]:
    """The manifest, and the dump's chunks in order (checked as they are read)."""
    f = cipher()
    handle = open(path, "rb")  # noqa: SIM115  (closed by the generator below)
    if handle.read(len(MAGIC)) != MAGIC:
        handle.close()
        raise BackupError("This file is not a Refuge backup.")

    def take() -> bytes | None:
        size = handle.read(4)
        if not size:
            return None
        token = handle.read(struct.unpack(">I", size)[0])
        try:
            return f.decrypt(token)
        except InvalidToken as error:
            raise BackupError(
                "The backup cannot be decrypted with REFUGE_BACKUP_KEY, or was altered."
            ) from error

    try:
        manifest = json.loads(take() or b"{}")
    except BackupError:
        handle.close()
        raise

    def chunks() -> Iterator[bytes]:
        expected, digest = 0, hashlib.sha256()
        try:
            while True:
                payload = take()
                if payload is None:
                    raise BackupError("The backup is cut short: its last part is missing.")
                index, last = struct.unpack(">QB", payload[:9])
                if index != expected:
                    raise BackupError("The backup's parts are out of order.")
                digest.update(payload[9:])
                yield payload[9:]
                expected += 1
                if last:
                    break
            if take() is not None:
                raise BackupError("The backup has data after its last part.")
            if digest.hexdigest() != manifest.get("sha256"):
                raise BackupError("The backup's content does not match its manifest.")
        finally:
            handle.close()

    return manifest, chunks()


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict
    seconds: float
    verify_seconds: float


def _sqlite_snapshot(directory: Path) -> Path:
    copy = directory / "snapshot.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        # The online backup API copies page by page and restarts if a writer changes a page,
        # so the copy is one consistent state even while Refuge keeps writing.
        connection.connection.backup(target, pages=4096)
    finally:
        target.close()
    os.chmod(copy, 0o600)
    return copy


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def backup(out: Path) -> BackupResult:
    """Write an encrypted backup of the database to `out` (0600), then read it back and verify
    it: every part decrypts, in order, and matches the manifest's hash and row counts."""
    started = time.monotonic()
    vendor = connection.vendor
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="refuge-backup-") as tmp:
        tmp = Path(tmp)
        os.chmod(tmp, 0o700)
        dump = tmp / "dump"
        if vendor == "sqlite":
            snapshot = _sqlite_snapshot(tmp)
            with sqlite3.connect(snapshot) as copy:
                counts = _row_counts(copy.cursor(), vendor)
            snapshot.rename(dump)
        elif vendor == "postgresql":
            counts = _pg_dump(dump)
        else:
            raise BackupError(f"Backups of {vendor} are not supported.")
        digest = hashlib.sha256()
        with open(dump, "rb") as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
        manifest = {
            "format": 1,
            "vendor": vendor,
            "created_at": timezone.now().isoformat(),
            "row_counts": counts,
            "bytes": dump.stat().st_size,
            "sha256": digest.hexdigest(),
        }
        partial = out.with_name(out.name + ".partial")
        with _owner_only(partial) as target:
            _write_tokens(target, manifest, _file_chunks(dump))
    written = time.monotonic()
    verify(partial)
    partial.replace(out)  # only a verified backup takes the name
    return BackupResult(out, manifest, written - started, time.monotonic() - written)


def _pg_dump(dump: Path) -> dict[str, int]:
    env, args = _pg_env_and_args()
    # Counts and dump from one snapshot: the counts describe exactly what the dump holds.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _row_counts(cursor, "postgresql")
            result = subprocess.run(
                [
                    _pg_bin("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    "--file",
                    str(dump),
                    *args,
                ],
                env=env,
                capture_output=True,
                text=True,
            )
        finally:
            cursor.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    os.chmod(dump, 0o600)
    return counts


def verify(path: Path) -> dict:
    """Read the whole backup back; for SQLite also open the copy and count its rows. Returns
    the manifest; raises BackupError on the first thing that does not hold."""
    manifest, chunks = read_backup(Path(path))
    if manifest.get("vendor") == "sqlite":
        with tempfile.TemporaryDirectory(prefix="refuge-verify-") as tmp:
            copy = Path(tmp) / "copy.sqlite3"
            with _owner_only(copy) as target:
                for chunk in chunks:
                    target.write(chunk)
            with sqlite3.connect(copy) as db:
                if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError("The backed-up database fails its integrity check.")
                if _row_counts(db.cursor(), "sqlite") != manifest["row_counts"]:
                    raise BackupError("The backed-up database's row counts do not match.")
    else:
        with tempfile.TemporaryDirectory(prefix="refuge-verify-") as tmp:
            copy = Path(tmp) / "copy.dump"
            with _owner_only(copy) as target:
                for chunk in chunks:
                    target.write(chunk)
            listed = subprocess.run(
                [_pg_bin("pg_restore"), "--list", str(copy)], capture_output=True, text=True
            )
            if listed.returncode != 0:
                raise BackupError(f"pg_restore cannot read the dump: {listed.stderr.strip()}")
    return manifest


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    seconds: float
    erasures_replayed: int = 0


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not _tables(cursor, connection.vendor)


def restore(path: Path) -> RestoreResult:
    """Restore a backup into an empty database, then check that every table has the rows the
    manifest says, that the audit triggers are in place and that the audit chain verifies."""
    from refuge.audit import triggers
    from refuge.audit.services import verify_chain

    started = time.monotonic()
    manifest, chunks = read_backup(Path(path))
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"This is a {manifest.get('vendor')} backup; the database is {connection.vendor}."
        )
    if not _database_is_empty():
        raise BackupError("The database is not empty: restore only into an empty database.")
    if connection.vendor == "sqlite":
        _restore_sqlite(chunks)
    else:
        _restore_postgresql(chunks)
    with connection.cursor() as cursor:
        counts = _row_counts(cursor, connection.vendor)
    if counts != manifest["row_counts"]:
        raise BackupError("The restored database's row counts do not match the backup's.")
    missing = triggers.expected(connection) - triggers.installed(connection)
    if missing:
        raise BackupError(f"The restored database lacks the audit triggers {sorted(missing)}.")
    report = verify_chain()
    if not report.intact:
        raise BackupError(
            f"The restored audit chain is broken at entry #{report.first_broken_seq}."
        )
    from django.core.management import call_command

    from refuge.rights.services import replay_erasure_log

    # An older backup has an older schema: bring it to this code's before touching its rows.
    call_command("migrate", verbosity=0, interactive=False)

    # Whoever was erased after this backup was taken is erased again before anyone signs in.
    replayed = replay_erasure_log()
    return RestoreResult(manifest, time.monotonic() - started, replayed)


def _restore_sqlite(chunks: Iterator[bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="refuge-restore-") as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        with _owner_only(copy) as target:
            for chunk in chunks:
                target.write(chunk)
        source = sqlite3.connect(copy)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()


def _restore_postgresql(chunks: Iterator[bytes]) -> None:
    env, args = _pg_env_and_args()
    with tempfile.TemporaryDirectory(prefix="refuge-restore-") as tmp:
        copy = Path(tmp) / "copy.dump"
        with _owner_only(copy) as target:
            for chunk in chunks:
                target.write(chunk)
        connection.close()
        result = subprocess.run(
            [
                _pg_bin("pg_restore"),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                *args,
                str(copy),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
