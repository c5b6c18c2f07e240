"""Encryption at rest for case notes and attachments (Fernet: AES-128-CBC with HMAC-SHA256).

The keys come from settings, newest first. MultiFernet encrypts with the first and decrypts
with any, so a new key can be put in front and old records re-encrypted at leisure
(`refuge rotate_field_keys`).
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derived_demo_key() -> bytes:
    digest = hashlib.sha256(("refuge-field-key:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def cipher() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        if not settings.DEBUG and "DATABASE_URL" in os.environ:
            raise ImproperlyConfigured(
                "Set REFUGE_FIELD_KEYS (one or more Fernet keys, newest first) to store notes."
            )
        keys = (_derived_demo_key().decode(),)
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
