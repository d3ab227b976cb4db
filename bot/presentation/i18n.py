"""Translating the flow's msgids at render time, per user, from gettext catalogues.

Catalogues live in `locales/<lang>/LC_MESSAGES/messages.po`. The build compiles
`.mo` files (`make locales`); if one is missing (a fresh checkout run straight
from source) the `.po` is compiled in memory with Babel, so a missing build
step never silently turns the bot English.
"""

from __future__ import annotations

import gettext
import io
import logging
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from flows.i18n import Msg

log = logging.getLogger(__name__)

LOCALES_DIR = Path(
    os.environ.get("SIDEGLIDE_LOCALES", Path(__file__).resolve().parents[2] / "locales")
)
SUPPORTED = ("en", "es", "de", "ru")
DEFAULT = "en"


def pick_language(code: str | None) -> str:
    """Telegram's language_code (e.g. "de-AT", "pt-br") to one we speak, else English."""
    if not code:
        return DEFAULT
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED else DEFAULT


class _Fallback(gettext.NullTranslations):
    """English for a missing string, logged once per msgid and language."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.missing: set[str] = set()

    def gettext(self, message: str) -> str:
        if self.lang != DEFAULT and message not in self.missing:
            self.missing.add(message)
            log.warning("missing %s translation for %r", self.lang, message[:60])
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if n == 1 else msgid2


@cache
def translations(lang: str) -> gettext.NullTranslations:
    fallback = _Fallback(lang)
    if lang == DEFAULT:
        return fallback
    base = LOCALES_DIR / lang / "LC_MESSAGES"
    mo, po = base / "messages.mo", base / "messages.po"
    trans: gettext.NullTranslations
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            trans = gettext.GNUTranslations(fh)
    elif po.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        trans = gettext.GNUTranslations(buf)
    else:
        log.warning("no catalogue for %s: using English", lang)
        return fallback
    trans.add_fallback(fallback)
    return trans


def _(lang: str, msgid: str) -> str:
    return translations(lang).gettext(msgid)


def translate(lang: str, msgid: str, params: Mapping[str, object] | None = None) -> str:
    """Translate a msgid and fill its placeholders, translating Msg params too."""
    text = _(lang, msgid)
    if not params:
        return text
    values = {k: _param(lang, v) for k, v in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        log.error("bad placeholders in %s translation of %r", lang, msgid[:60])
        try:
            return msgid.format(**values)
        except (KeyError, IndexError, ValueError):
            return text


def _param(lang: str, value: object) -> object:
    """A Msg param is translated; a tuple of them (a list the user picked) is translated
    item by item and joined."""
    if isinstance(value, Msg):
        return _(lang, value)
    if isinstance(value, tuple) and value and all(isinstance(v, Msg) for v in value):
        return "; ".join(_(lang, v) for v in value)
    return value


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def translate_plural(
    lang: str, singular: str, plural: str, n: int, params: Mapping[str, object]
) -> str:
    text = ngettext(lang, singular, plural, n)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        log.error("bad placeholders in %s plural of %r", lang, singular[:60])
        return (singular if n == 1 else plural).format(**params)
