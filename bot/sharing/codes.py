"""Share codes: 128 unguessable bits, URL-safe, in a t.me deep link.

Telegram passes a deep link's parameter to /start as its argument; it allows
up to 64 characters of A-Z, a-z, 0-9, _ and -, which token_urlsafe produces.
A /share that Telegram delivers twice (a process killed mid-turn, a webhook
retried) must not make a second code and void the link the patient already
has: the code is then a keyed hash of the patient and the update, the same
every time that update comes, unguessable without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

CODE_BYTES = 16  # 128 bits: guessing one live code is hopeless
VALID_FOR = timedelta(days=7)
_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_for(key: bytes, patient_id: int, update_id: int | None) -> str:
    """The code of the /share in update `update_id` (random without an update)."""
    if update_id is None:
        return new_code()
    mac = hmac.new(key, f"share:{patient_id}:{update_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:CODE_BYTES]).rstrip(b"=").decode()


def link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def looks_like_code(text: str) -> bool:
    """/start's argument is a share code, not anything else a client may send."""
    return bool(_CODE.match(text.strip()))
