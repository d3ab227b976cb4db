"""Share codes: 128 random bits, URL-safe, in a t.me deep link.

Telegram passes a deep link's parameter to /start as its argument; it allows
up to 64 characters of A-Z, a-z, 0-9, _ and -, which token_urlsafe produces.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

CODE_BYTES = 16  # 128 bits: guessing one live code is hopeless
VALID_FOR = timedelta(days=7)
_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def looks_like_code(text: str) -> bool:
    """/start's argument is a share code, not anything else a client may send."""
    return bool(_CODE.match(text.strip()))
