"""The audit trail's two secrets, neither kept in the database.

The chain key signs every link (HMAC-SHA256), so that a person who can write to the database
but not read the server's environment cannot rewrite the trail and rehash it. The data keys
seal what an entry says about people; only the data protection officer's disclosure opens it.
Without them configured both are derived from SECRET_KEY, which is good for the demo and the
tests only: production mode refuses to start without them (refuge.production).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"refuge-{purpose}:{settings.SECRET_KEY}".encode()).digest()


def chain_key() -> bytes:
    configured = settings.AUDIT_CHAIN_KEY
    return configured.encode() if configured else _derived("audit-chain")


def sign(purpose: str, message: bytes) -> str:
    """HMAC-SHA256 of message under the chain key, separated by purpose so that a link's MAC
    can never be passed off as a checkpoint's signature or the other way round."""
    key = hmac.new(chain_key(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def data_cipher() -> MultiFernet:
    keys = tuple(settings.AUDIT_DATA_KEYS)
    if not keys:
        keys = (base64.urlsafe_b64encode(_derived("audit-data")).decode(),)
    return _fernet(keys)
