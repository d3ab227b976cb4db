"""Commands that show stored data: /mydata, /progress, /export."""

from __future__ import annotations

from telegram import InputFile
from telegram.constants import ChatAction

from bot.presentation.i18n import translate
from bot.presentation.messages import Message, mydata
from bot.presentation.texts import EXPORT_CAPTION, PROGRESS_EMPTY
from bot.progress import report as reports
from bot.services import Services
from bot.telegram.sender import Sender, readable
from flows.session import Session


async def send_mydata(
    services: Services, sender: Sender, user_id: int, chat_id: int, session: Session
) -> None:
    counts = await services.conversations.count_rows(user_id)
    onboarded = session.assessment.onboarded
    await sender.guard(sender.text(chat_id, mydata(session.language, counts, onboarded)))


async def send_progress(
    services: Services, sender: Sender, user_id: int, chat_id: int, session: Session
) -> None:
    now = services.coach.clock()
    await sender.guard(sender.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO))
    result = await reports.progress(services.history, user_id, session, now)
    if not result.points:
        empty = Message(translate(session.language, PROGRESS_EMPTY))
        await sender.guard(sender.text(chat_id, empty))
    photo = InputFile(result.png, filename="progress.png")
    await sender.guard(
        sender.media_or_text(
            chat_id,
            sender.bot.send_photo(chat_id, photo, caption=result.summary),
            Message(result.summary),  # the chart refused: its summary still says the trend
            "sendPhoto",
        ),
        "sendPhoto",
    )


async def send_export(
    services: Services, sender: Sender, user_id: int, chat_id: int, session: Session
) -> None:
    now = services.coach.clock()
    await sender.guard(sender.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT))
    shared = await services.clinic.shares.of_patient(user_id)  # the report: who had access
    files = await reports.export_files(services.history, user_id, session, now, shared)
    stamp = now.strftime("%Y-%m-%d")
    # a refused document is not replaced by its caption, which announces a file
    await sender.guard(
        readable(
            sender.bot.send_document(
                chat_id,
                InputFile(files.csv, filename=f"sideglide-checkins-{stamp}.csv"),
                caption=translate(session.language, EXPORT_CAPTION),
            )
        ),
        "sendDocument",
    )
    await sender.guard(
        readable(
            sender.bot.send_document(
                chat_id, InputFile(files.html, filename=f"sideglide-report-{stamp}.html")
            )
        ),
        "sendDocument",
    )
