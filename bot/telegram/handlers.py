"""One handler for every update: translate, lock the user, run the coach, render.

A single TypeHandler instead of a ConversationHandler: the conversation is the
flow engine's, and every kind of update (stickers, edits, group messages,
forged callbacks) reaches the same place to get a deliberate answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import Bot, CallbackQuery, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError

from bot.coach.coach import Handled
from bot.presentation.i18n import _, pick_language
from bot.presentation.texts import GROUP_HINT, SLOW_DOWN, STALE_BUTTON
from bot.sharing.clinic import Person
from bot.telegram.context import Adapter, Context, adapter_of
from bot.telegram.events import to_event
from bot.telegram.listen import voice_event
from bot.telegram.throttle import Allowance
from flows.effects import Stale
from flows.events import Command, Event, Other, SharePress, Unreachable
from flows.heard import VOICE_OFF

log = logging.getLogger(__name__)


async def on_update(update: object, context: Context) -> None:
    """Every update, in either mode. In webhook mode it reaches here through the inbox
    (bot.telegram.inbox), after the user's earlier updates and past the throttle."""
    if not isinstance(update, Update):
        return
    await _on_update(update, context)


def _counted(update: Update, bot_username: str | None) -> int | None:
    """The user whose allowance an update spends: someone saying something to the bot
    in their own private chat (what the handler below would hand to the conversation)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    if chat.type != ChatType.PRIVATE or chat.id != user.id:
        return None
    if to_event(update, bot_username) is None:
        return None
    return user.id


def admission(adapter: Adapter, update: Update, bot_username: str | None) -> Allowance:
    """The per-user throttle's word on an update, spent once per update: OK for anything
    it does not count. The webhook asks at its door, before the update is stored or
    waits for anything; in polling mode the handler asks."""
    user_id = _counted(update, bot_username)
    return Allowance.OK if user_id is None else adapter.throttle.check(user_id)


async def _on_update(update: Update, context: Context) -> None:
    adapter = adapter_of(context)
    started = time.perf_counter()
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return  # channel posts, polls, chat member changes: nobody to answer
    if not await _private(update, context):
        return
    event = to_event(update, context.bot.username)
    if event is None:
        log.debug("ignored update without a user message")
        return
    if adapter.inbox is None:  # polling; in webhook mode the server's door asked
        allowance = adapter.throttle.check(user.id)
        if allowance is not Allowance.OK:
            await turn_away(update, context.bot, allowance)
            return
    bot_username = context.bot.username or ""
    if isinstance(event, (Command, SharePress)) and await _clinic(
        adapter, update, event, bot_username
    ):
        return
    if isinstance(event, SharePress):
        return  # every sharing press is the clinic's; this only narrows the type
    await handle_event(adapter, update, user.id, chat.id, event, user.language_code)
    adapter.services.metrics.count_update(type(event).__name__.lower())
    adapter.services.metrics.handler_seconds.observe(time.perf_counter() - started)


async def _private(update: Update, context: Context) -> bool:
    """A user's own private chat: anything else gets its answer here, and False."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if chat.type != ChatType.PRIVATE:
        await _group_hint(update, context)
        return False
    if chat.id != user.id:
        # A private chat is its owner's alone. Anything else is forged, or a button of
        # someone else's message: handled, it would run the sender's conversation and
        # show it in the owner's chat (and store that chat as the sender's).
        log.debug("ignored an update from someone else in a private chat")
        if update.callback_query is not None:
            await _answer(update.callback_query, None)
        return False
    return True


async def _clinic(
    adapter: Adapter, update: Update, event: Command | SharePress, bot_username: str
) -> bool:
    """The sharing side's commands and presses, outside the conversation and its lock:
    True when the clinic answered."""
    services = adapter.services
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    who = Person(
        user.id,
        chat.id,
        user.first_name or "",
        pick_language(user.language_code),
        update.update_id,
    )
    letters = await services.clinic.handle(who, event, bot_username)
    if letters is None:
        return False
    answering = (
        asyncio.ensure_future(_answer(update.callback_query, None))
        if update.callback_query is not None
        else None
    )
    await adapter.sender.letters(letters, services.clinic.leaving)
    if answering is not None:
        await answering
    services.metrics.count_update("sharing")
    return True


async def handle_event(
    adapter: Adapter,
    update: Update | None,
    user_id: int,
    chat_id: int,
    event: Event,
    language_code: str | None,
) -> None:
    """One turn, then its replies. The turn lock covers the turn alone (the event read,
    load, advance, commit) and the replies' place in the outbox; the replies go out
    after it, behind the user's earlier turns' and ahead of their later ones'."""
    services, coach = adapter.services, adapter.services.coach
    async with coach.lock(user_id):
        # inside the lock: an await before it would let the user's next update overtake
        # this one (the lock is taken in the order the updates came)
        if event == Other(VOICE_OFF) and update is not None:
            # a voice note becomes the words it says (bot.telegram.listen)
            event = await voice_event(services, update.message, user_id, language_code)
        turn = await coach.handle_unlocked(
            user_id,
            chat_id,
            event,
            update_id=update.update_id if update is not None else None,
            language=pick_language(language_code),
        )
        place = coach.outbox.place(user_id)
    answering = _answering(update, turn)
    try:
        async with place:
            await _reply(adapter, user_id, chat_id, turn)
    finally:
        if answering is not None:
            await answering


def _answering(update: Update | None, turn: Handled) -> asyncio.Future[None] | None:
    """A tap answered at once, alongside the reply (one round trip less per tap)."""
    query = update.callback_query if update is not None else None
    if query is None:
        return None
    stale = any(isinstance(e, Stale) for e in turn.effects)
    text = _(turn.session.language, STALE_BUTTON) if stale else None
    return asyncio.ensure_future(_answer(query, text))


async def _reply(adapter: Adapter, user_id: int, chat_id: int, turn: Handled) -> None:
    """The turn's messages; a 403 is told to the conversation (it pauses the user's
    pings; /start resumes them); the other side of a share hears of a stop or a /forget."""
    if turn.duplicate:
        return  # its replies went out with its first handling
    services = adapter.services
    await services.clinic.settle_ended(user_id, turn)  # a /forget: letters on their way go first
    if not await _in_order(adapter, user_id, chat_id, turn):
        await services.coach.handle(user_id, chat_id, Unreachable())
    letters = await services.clinic.after(user_id, turn)
    await adapter.sender.letters(letters, services.clinic.leaving)


async def _in_order(adapter: Adapter, user_id: int, chat_id: int, turn: Handled) -> bool:
    """The turn's messages and its chart, export or data summary in the order the flow
    gave them (bot.presentation.render), so a question asked again after /progress comes
    under the chart."""
    return await adapter.sender.effects(chat_id, turn.session, turn.effects, user_id)


async def turn_away(update: Update, bot: Bot, allowance: Allowance) -> None:
    """Over the per-user limit: answer taps, say "slow down" once, handle nothing."""
    if update.callback_query is not None:
        await _answer(update.callback_query, None)
    user = update.effective_user
    if allowance is Allowance.WARN and update.effective_chat is not None:
        lang = pick_language(user.language_code if user is not None else None)
        with contextlib.suppress(TelegramError):
            await bot.send_message(update.effective_chat.id, _(lang, SLOW_DOWN))


async def _answer(query: CallbackQuery, text: str | None) -> None:
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("could not answer a callback: %s", type(exc).__name__)


async def _group_hint(update: Update, context: Context) -> None:
    """In groups we never keep state: one user's answers must not mix with another's."""
    message = update.effective_message
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(_("en", GROUP_HINT)[:190])
        return
    if message is None or message.text is None:
        return
    text = message.text
    username = context.bot.username or ""
    addressed = text.startswith("/") or (username and f"@{username}" in text)
    if not addressed:
        return
    lang = pick_language(update.effective_user.language_code if update.effective_user else None)
    try:
        await message.reply_text(_(lang, GROUP_HINT))
    except TelegramError as exc:
        log.info("could not reply in a group: %s", type(exc).__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure's type and where, never the update (it holds health answers)."""
    err = context.error
    if isinstance(err, Forbidden):
        log.info("a user blocked the bot")
        return
    log.error("error while handling an update: %s", type(err).__name__, exc_info=err)
    adapter = context.application.bot_data.get("adapter")
    if adapter is not None:
        adapter.services.metrics.count_error("handler")
