"""Encryption at rest for case notes and attachments: refuge.encryption's field keys, with one
rule more. Notes are the most sensitive text Refuge holds, so with DATABASE_URL set and DEBUG
off a note is refused until REFUGE_FIELD_KEYS is set, rather than sealed under a key derived
from SECRET_KEY (production mode refuses to start without the keys at all).
"""

from __future__ import annotations

import os

from cryptography.fernet import MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from refuge import encryption
from refuge.encryption import new_key

__all__ = ["cipher", "decrypt", "encrypt", "new_key", "rotate"]


def cipher() -> MultiFernet:
    if not settings.FIELD_ENCRYPTION_KEYS and not settings.DEBUG and "DATABASE_URL" in os.environ:
        raise ImproperlyConfigured(
            "Set REFUGE_FIELD_KEYS (one or more Fernet keys, newest first) to store notes."
        )
    return encryption.cipher()


def encrypt(plaintext: bytes) -> bytes:
    return cipher().encrypt(plaintext)


def decrypt(token: bytes) -> bytes:
    return cipher().decrypt(bytes(token))


def rotate(token: bytes) -> bytes:
    """The same plaintext, encrypted under the newest key."""
    return cipher().rotate(bytes(token))
