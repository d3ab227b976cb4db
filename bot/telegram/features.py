"""Commands that show stored data: /mydata, /progress, /export."""

from __future__ import annotations

from bot.i18n import render
from bot.render import Message
from bot.services import Services
from bot.telegram.sender import Sender
from bot.texts import MYDATA, NO_DATA
from flows.session import Session


async def send_mydata(
    services: Services, sender: Sender, user_id: int, chat_id: int, session: Session
) -> None:
    counts = await services.store.count_rows(user_id)
    lang = session.language
    if not counts.get("users"):
        text = render(lang, NO_DATA)
    else:
        text = render(
            lang,
            MYDATA,
            {
                "screenings": counts.get("screenings", 0),
                "checkins": counts.get("checkins", 0),
                "changes": counts.get("rung_changes", 0),
            },
        )
    await sender._guard(sender.text(chat_id, Message(text)))


async def send_progress(
    services: Services, sender: Sender, user_id: int, chat_id: int, session: Session
) -> None:
    raise NotImplementedError


async def send_export(
    services: Services, sender: Sender, user_id: int, chat_id: int, session: Session
) -> None:
    raise NotImplementedError
