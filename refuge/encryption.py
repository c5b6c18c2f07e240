"""Encryption at rest of personal fields, and blind indexes for the few searched exactly.

Fernet (AES-128-CBC with HMAC-SHA256) under the field keys, newest first: MultiFernet
encrypts with the first and decrypts with any, so a new key can be put in front and the rows
re-encrypted at leisure (`refuge rotate_field_keys`). Case notes and attachments use these
keys, and so do the columns declared with the two fields below: document numbers, contact
phones, step evidence and attachment file names. Someone holding the database file (or a
stolen disk) reads ciphertext; the running application, which holds the keys, reads the values.

A Fernet token cannot be searched: the same number encrypts differently each time. Where an
exact search is needed (a document number typed into Find, the instant check's document key),
a blind index is kept beside it: an HMAC of the normalised value under a key of its own
(REFUGE_BLIND_INDEX_KEY), which finds equal values and tells nothing about unequal ones.

Without keys configured both are derived from SECRET_KEY: good for the demo and the tests
only; production mode refuses to start so (refuge.production).

This module sits below every app (it imports none of them), so that the registry, casework and
identity share one machinery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"refuge-{purpose}:{settings.SECRET_KEY}".encode()).digest()


def derived_field_key() -> str:
    """The demo's field key: derived from SECRET_KEY when REFUGE_FIELD_KEYS is not set."""
    return base64.urlsafe_b64encode(_derived("field-key")).decode()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS) or (derived_field_key(),)
    return _fernet(keys)


def encrypt(plaintext: bytes) -> bytes:
    return cipher().encrypt(plaintext)


def decrypt(token: bytes) -> bytes:
    return cipher().decrypt(bytes(token))


def rotate(token: bytes) -> bytes:
    """The same plaintext, encrypted under the newest key."""
    return cipher().rotate(bytes(token))


def new_key() -> str:
    return Fernet.generate_key().decode()


def _blind_index_key() -> bytes:
    configured = settings.BLIND_INDEX_KEY
    return configured.encode() if configured else _derived("blind-index")


def blind_index(purpose: str, value: str) -> str:
    """HMAC-SHA256 of an already normalised value, under the blind-index key, separated by
    purpose so that equal values of different kinds (a document number, an identity key) give
    different indexes. An empty value has no index (the empty string), so it finds nothing."""
    if not value:
        return ""
    key = hmac.new(_blind_index_key(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


BLIND_INDEX_LENGTH = 64


def seal_text(value: str) -> str:
    """A text as it is stored in an encrypted column: a Fernet token, or '' for ''."""
    return encrypt(value.encode()).decode() if value else ""


def open_text(stored: str) -> str:
    return decrypt(stored.encode()).decode() if stored else ""


def rewrite_column(
    connection, table: str, column: str, convert, *, also: str = "", batch: int = 2000
) -> None:
    """Rewrite one column of every row through `convert(id, value)`, which returns the new
    value of `column` (and of `also`, when given). For migrations: they meet rows still in clear
    and must not read them through the fields, which decrypt what they read. Batches are read in
    id order, so no UPDATE runs under an open SELECT of the same table."""
    assignments = f"{column} = %s" + (f", {also} = %s" if also else "")
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {column} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",
                [last, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",
                [(*convert(pk, value), pk) for pk, value in rows],
            )
        last = rows[-1][0]


class EncryptedCharField(models.CharField):
    """A CharField whose value is stored as a Fernet token under the field keys.

    `max_length` bounds the value as typed (forms and full_clean check it); the column is a
    text column, since a token is about three times as long. The empty value is stored empty,
    so "no phone" stays distinguishable without a key. Only exact equality on a blind index
    kept beside it can be searched; lookups on this column itself find nothing.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def from_db_value(self, value, expression, connection):
        return None if value is None else open_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else seal_text(value)


class EncryptedJSONField(models.TextField):
    """A JSON value (a dict of step evidence) stored as one Fernet token of its JSON text.

    An empty dict is stored empty. The value is read and written whole; nothing in it can be
    searched by the database.
    """

    def from_db_value(self, value, expression, connection):
        return json.loads(open_text(value)) if value else {}

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return json.loads(value) if value else {}

    def get_prep_value(self, value):
        if value is None or value == {}:
            return ""
        return seal_text(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
