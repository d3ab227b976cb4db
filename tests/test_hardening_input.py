"""Bad input, hand-made and generated: odd messages, forged taps, impostors, groups, floods.

Each scenario ends the same way: the bot still answers a plain /start, nothing
was logged at ERROR (the error handler logs every exception it sees), and
every user's messages and stored session are their own.
"""

from __future__ import annotations

import functools
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.telegram.app as bot_app
from bot.presentation.i18n import pick_language
from bot.presentation.texts import GROUP_HINT, SLOW_DOWN, STALE_BUTTON
from bot.telegram.throttle import Throttle
from bot.telegram.transport import AiohttpRequest
from flows import remind
from flows import texts as t
from flows.engine import COMMAND_NAMES
from flows.heard import NO_LISTEN
from tests import dbkit
from tests.botkit import User, running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import JSON, FakeBotAPI, SentMessage
from tests.test_e2e_reminders import to_fixed_times

WELCOME = "coach, not a doctor"
HELP_HEAD = "What I can do"


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def sessions(db: dbkit.Db) -> dict[int, tuple[int, str, str]]:
    """user_id -> (chat_id, state, whole session JSON), straight from the database."""
    rows = dbkit.rows(db, "SELECT user_id, chat_id, state, session FROM users")
    return {int(r[0]): (int(r[1]), str(r[2]), str(r[3])) for r in rows}


def rows_naming(db: dbkit.Db, ids: set[int]) -> dict[str, int]:
    """Rows in any table with a user_id or chat_id column that name one of `ids`."""
    found: dict[str, int] = {}
    for table, cols in dbkit.tables(db).items():
        for col in sorted({"user_id", "chat_id"} & cols):
            marks = ",".join("?" * len(ids))
            row = dbkit.one(db, f"SELECT COUNT(*) FROM {table} WHERE {col} IN ({marks})", [*ids])
            n = int(row[0]) if row else 0
            if n:
                found[f"{table}.{col}"] = n
    return found


def impostor_update(chat_user: int, sender: int, text: str) -> JSON:
    """A private-chat message whose sender is not the chat's owner: Telegram never sends it."""
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {
        "message": {
            "message_id": 900_000 + sender % 1000,
            "date": int(time.time()),
            "chat": {"id": chat_user, "type": "private", "first_name": "Chat"},
            "from": {"id": sender, "is_bot": False, "first_name": "Other", "language_code": "en"},
            "text": text,
            **({"entities": entities} if text.startswith("/") else {}),
        }
    }


# ------------------------------------------------------------------------- hand-made


async def test_every_kind_of_message_gets_a_clear_answer_and_the_flow_goes_on(
    tmp_path: Path, bot_db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        uid = 20_001
        user = User(api, uid)
        start = api.send_text(uid, "/start")
        welcome = await user.expect(WELCOME)
        senders: tuple[Callable[[], JSON], ...] = (
            lambda: api.send_sticker(uid),
            lambda: api.send_photo_message(uid, caption="my back"),
            lambda: api.send_voice_message(uid, duration=3),
            lambda: api.send_location(uid, 52.5, 13.4),
            lambda: api.send_contact(uid, "+491234567"),
            lambda: api.send_document_message(uid, b"x-ray", "xray.pdf"),
        )
        for send in senders:
            update = send()
            msg = await user.keyboard()
            # a voice note, with speech recognition off, says so (once: flows.heard)
            said = (
                NO_LISTEN if "voice" in update["message"] else "I can only read text and buttons"
            )
            assert said in (msg.text or "")
            assert msg.button_texts == welcome.button_texts
        for text, reply in (
            ("/frobnicate", t.UNKNOWN_COMMAND),
            ("/start@some_other_bot", t.PLEASE_BUTTONS),  # a command for another bot
            ("", t.PLEASE_BUTTONS),
            ("   \n\t", t.PLEASE_BUTTONS),
            ("x" * 100_000, t.PLEASE_BUTTONS),
            ("\u202e\u0000\ufffd🙂" * 50, t.PLEASE_BUTTONS),
        ):
            user.say(text)
            msg = await user.keyboard()
            assert reply in (msg.text or ""), text[:20]
            assert msg.button_texts == welcome.button_texts
        # an edit of an old message and a channel post: nobody to answer, nothing stored
        api.edited_message(uid, start["message"]["message_id"], "/forget")
        api.channel_post(-100_555, "/start")
        await api.expect_no_message(uid, within=0.4)
        assert not api.sent_to(-100_555)
        user.say("/start")
        again = await user.keyboard()
        assert t.WELCOME_BACK not in (again.text or "") and WELCOME in (again.text or "")
        await user.tap(t.B_OK, again)
        question = await user.keyboard()
        assert question.button_texts == [t.B_YES, t.B_NO]
    assert not errors(caplog)


async def test_forged_replayed_stale_and_foreign_taps_change_nothing(
    tmp_path: Path, bot_db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        db = settings.SIDEGLIDE_DB
        async with running(settings):
            a, b, c = User(api, 21_001), User(api, 21_002), 21_003
            a.say("/start")
            welcome_a = await a.keyboard()
            b.say("/start")
            welcome_b = await b.keyboard()
            # both stand at the same question: A's buttons are valid data for B as well
            assert welcome_a.callback_datas == welcome_b.callback_datas
            await a.tap(t.B_OK, welcome_a)
            question_a = await a.keyboard()
            before = sessions(db)

            presses = [
                api.press(a.id, question_a, data, check=False)
                for data in (
                    "999:no",
                    "garbage",
                    "",
                    "x" * 65,
                    "2:",
                    ":no",
                    "r:explode",
                    "2:delete_everything",
                    "-1:no",
                    "99999999999999999999:no",
                )
            ]
            presses.append(api.press_button(a.id, welcome_a, t.B_OK))  # replayed / stale
            for press in presses:
                answer = await api.wait_for_answer(press)
                assert answer.get("text") == STALE_BUTTON, press.data
            # B taps A's buttons: on A's messages, in A's chat, with data valid for B
            foreign = [
                api.press(b.id, welcome_a, welcome_a.callback_datas[0], check=False),
                api.press(b.id, question_a, question_a.callback_data("No"), check=False),
            ]
            # an impostor C writes in A's private chat, and A in B's
            api.push_update(impostor_update(a.id, c, "/start"))
            api.push_update(impostor_update(b.id, a.id, "/forget"))
            for press in foreign:
                await api.wait_for_answer(press)
            await api.expect_no_message(a.id, within=0.5)
            await api.expect_no_message(b.id, within=0.0)
            assert sessions(db) == before, "someone else's tap or message changed a session"
            assert not rows_naming(db, {c}), "an impostor got a row"

            # both carry on normally
            await a.tap(t.B_NO, question_a)
            assert (await a.keyboard()).button_texts == [t.B_YES, t.B_NO]
            await b.tap(t.B_OK, welcome_b)
            assert (await b.keyboard()).button_texts == [t.B_YES, t.B_NO]
        stored = sessions(db)
        assert {uid: row[0] for uid, row in stored.items()} == {a.id: a.id, b.id: b.id}
        assert not any(m.chat_id not in (a.id, b.id) for m in api.delivered())
    assert not errors(caplog)


async def test_a_users_updates_are_answered_in_order_even_right_after_start(
    tmp_path: Path, bot_db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the generated test: /start then /help at once lost the /start answer."""
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        uid = 21_501
        api.send_text(uid, "/start")
        await api.wait_for_message(uid)
        for _ in range(3):
            api.send_text(uid, "/start")
            api.send_text(uid, "/help")
        # /help: the list, the PT's commands, then the open question again (each stays short)
        replies = await api.wait_for_messages(uid, 12)
        heads = [(m.text or "").split("\n")[0] for m in replies]
        welcome = t.WELCOME.split("\n")[0]
        pt_head = t.HELP_PT.split("\n")[0]
        again = t.FINISH_QUESTIONS.split("\n")[0]  # the welcome asked again says so first
        assert heads == [welcome, HELP_HEAD + ":", pt_head, again] * 3
    assert not errors(caplog)


@pytest.mark.parametrize("code", ["xx", "zz-ZZ", "", "pt-BR", "x" * 64, "../../etc", None])
async def test_an_unsupported_language_code_gets_english(
    tmp_path: Path, bot_db: Db, caplog: pytest.LogCaptureFixture, code: str | None
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        api.send_text(22_001, "/start", language_code=code)
        msg = await api.wait_for_message(22_001)
        assert WELCOME in (msg.text or "")
    assert not errors(caplog)


async def test_a_half_set_up_reminder_and_remind_again_does_not_break_the_user(
    tmp_path: Path, bot_db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the kill test: /remind between "At fixed times" and the times crashed."""
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        user = User(api, 23_001)
        await to_fixed_times(user)  # the times question, left unanswered
        user.say("/remind")
        menu = await user.keyboard()
        assert remind.B_CHANGE not in menu.button_texts  # nothing was saved: no schedule
    assert not errors(caplog)


async def test_a_group_gets_the_private_chat_hint_and_nothing_is_stored(
    tmp_path: Path, bot_db: Db, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        db = settings.SIDEGLIDE_DB
        async with running(settings):
            members = {24_001, 24_002}
            groups = {-100_777: "supergroup", -778: "group"}
            for gid, kind in groups.items():
                api.send_text(24_001, "/start", chat_id=gid, chat_type=kind)
                hint = await api.wait_for_message(gid)
                assert "private chat" in (hint.text or "")
                assert not hint.buttons
                api.send_text(24_002, "/start@sideglide_test_bot", chat_id=gid, chat_type=kind)
                await api.wait_for_message(gid, lambda m: "private chat" in (m.text or ""))
                # chatter not addressed to the bot, and stickers: no answer at all
                api.send_text(24_002, "my sciatica is back", chat_id=gid, chat_type=kind)
                api.send_sticker(24_001, chat_id=gid, chat_type=kind)
                press = api.press(24_002, hint, "1:ok", check=False)
                answer = await api.wait_for_answer(press)
                assert GROUP_HINT[:40] in str(answer.get("text"))
                await api.expect_no_message(gid, within=0.4)
            assert rows_naming(db, members | set(groups)) == {}
            assert sessions(db) == {}
            # the same person in private is a stranger: a first meeting
            api.send_text(24_001, "/start")
            first = await api.wait_for_message(24_001)
            assert WELCOME in (first.text or "") and t.WELCOME_BACK not in (first.text or "")
            assert set(sessions(db)) == {24_001}
    assert not errors(caplog)


async def test_a_flooding_user_is_throttled_and_others_are_still_answered_quickly(
    tmp_path: Path, bot_db: Db, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    flooder, other = 25_001, 25_002
    # The throttle's clock stands still unless the test moves it: what is let through
    # is then the bucket's arithmetic, not how fast the machine pushed the flood.
    now = [1_000.0]
    monkeypatch.setattr(bot_app, "Throttle", functools.partial(Throttle, clock=lambda: now[0]))
    # held sends below must wait for the test, not time out and be retried by the bot
    monkeypatch.setattr(
        bot_app, "AiohttpRequest", functools.partial(AiohttpRequest, read_timeout=120)
    )
    async with (
        FakeBotAPI() as api,
        running(settings_for(api, tmp_path, bot_db, SIDEGLIDE_USER_RATE=4)),
    ):
        api.send_text(flooder, "/start")  # one token of the burst of 12
        await api.wait_for_message(flooder)
        api.mark_read(flooder)
        # every reply to the flooder is held: the first handled spam keeps the flooder's
        # turn (and lock) busy, the rest of the flood queues up behind it
        answered = len(api.calls("sendMessage", chat_id=flooder))
        held = api.hold("sendMessage", chat_id=flooder, times=None)
        try:
            for i in range(200):
                api.send_text(flooder, f"spam {i}")
            await api.wait_for(lambda: held.hits or None, what="the flooder's first reply")
            for _ in range(6):
                api.send_text(other, "/start")
                reply = await api.wait_for_message(other)
                assert WELCOME in (reply.text or "")
            # the other user was answered six times while the flooder's backlog stood
            assert api.unread(flooder) == [], "the flooder's held replies went out early"
            in_flight = api.calls("sendMessage", chat_id=flooder)[answered:]
            assert in_flight and all(c.status is None for c in in_flight)
        finally:
            api.release(held)
        # 11 tokens were left: 11 answered, one "slow down", the other 188 dropped
        got = await api.wait_for_messages(flooder, 12)
        await api.expect_no_message(flooder)
        warnings = [m for m in got if m.text == SLOW_DOWN]
        handled = [m for m in got if m not in warnings]
        assert len(warnings) == 1, [m.text for m in got][:5]
        assert len(handled) == 11, [m.text for m in handled]
        # a calm user again once the bucket refilled (12 tokens at 4 a second)...
        now[0] += 3.0
        api.send_text(flooder, "/start")
        back = await api.wait_for_message(flooder)
        assert WELCOME in (back.text or "")  # the welcome again: nothing answered yet
        # ...and warned again by a new flood, once
        for i in range(50):
            api.send_text(flooder, f"more spam {i}")
        again = await api.wait_for_messages(flooder, 12)
        await api.expect_no_message(flooder)
        assert [m.text for m in again].count(SLOW_DOWN) == 1, [m.text for m in again]
    assert not errors(caplog)


# ------------------------------------------------------------------------- generated

UNSUPPORTED = st.one_of(
    st.sampled_from(["xx", "zz-ZZ", "", "pt-BR", "tlh", "x" * 40]),
    st.text(max_size=12).filter(lambda c: pick_language(c) == "en"),
)
KINDS = ("sticker", "photo", "voice", "location", "contact", "document")
UNKNOWN = st.from_regex(r"[a-z_]{1,32}", fullmatch=True).filter(lambda n: n not in COMMAND_NAMES)
VALUES = ("ok", "yes", "no", "left", "start", "next", "stop", "voice", "centralizing", "4")
ACTIONS = st.one_of(
    st.tuples(st.just("text"), st.text(max_size=300).filter(lambda s: not s.startswith("/"))),
    st.tuples(st.just("huge"), st.integers(4_000, 30_000)),
    st.tuples(st.just("command"), UNKNOWN, st.text(max_size=40)),
    st.tuples(st.just("forged"), st.text(max_size=90)),
    st.tuples(st.just("seq"), st.integers(-3, 3), st.sampled_from(VALUES)),
    st.tuples(st.just("kind"), st.sampled_from(KINDS)),
    st.tuples(st.just("edit"), st.text(min_size=1, max_size=50)),
    st.tuples(st.just("foreign")),
    st.tuples(st.just("impostor"), st.integers(1, 10**9)),
    st.tuples(st.just("language"), UNSUPPORTED),
)


@dataclass
class Bed:
    api: FakeBotAPI
    db: dbkit.Db
    bystander: User


@pytest.fixture
async def bed(tmp_path: Path, bot_db: Db) -> AsyncIterator[Bed]:
    """One bot for all generated examples; each example is a new user."""
    async with FakeBotAPI() as api:
        settings = settings_for(api, tmp_path, bot_db)
        async with running(settings):
            bystander = User(api, 26_000)
            bystander.say("/start")
            await bystander.keyboard()
            yield Bed(api, settings.SIDEGLIDE_DB, bystander)


_uids = itertools.count(26_001)


def last_datas(msg: SentMessage | None) -> tuple[int, list[str]]:
    datas = msg.callback_datas if msg is not None else []
    seq = next((int(d.split(":")[0]) for d in datas if d.split(":")[0].isdigit()), 0)
    return seq, datas


async def play(
    api: FakeBotAPI, uid: int, action: tuple[Any, ...], bed: Bed, lang: list[str]
) -> None:
    kind = action[0]
    last = api.last_message(uid)
    if kind == "text":
        api.send_text(uid, action[1], language_code=lang[0])
    elif kind == "huge":
        api.send_text(uid, "y" * action[1], language_code=lang[0])
    elif kind == "command":
        api.send_text(uid, f"/{action[1]} {action[2]}".strip(), language_code=lang[0])
    elif kind == "forged" and last is not None:
        api.press(uid, last, action[1], check=False, language_code=lang[0])
    elif kind == "seq" and last is not None:
        seq, _ = last_datas(last)
        api.press(uid, last, f"{seq + action[1]}:{action[2]}", check=False)
    elif kind == "kind":
        senders: dict[str, Callable[[], JSON]] = {
            "sticker": lambda: api.send_sticker(uid),
            "photo": lambda: api.send_photo_message(uid),
            "voice": lambda: api.send_voice_message(uid, duration=2),
            "location": lambda: api.send_location(uid, 1.0, 2.0),
            "contact": lambda: api.send_contact(uid, "+100"),
            "document": lambda: api.send_document_message(uid, b"%PDF", "a.pdf"),
        }
        senders[action[1]]()
    elif kind == "edit":
        api.edited_message(uid, 1, action[1])  # message 1 is the user's first /start
    elif kind == "foreign":
        target = api.last_message(bed.bystander.id)
        _, datas = last_datas(target)
        if target is not None and datas:
            api.press(uid, target, datas[0], check=False)
    elif kind == "impostor":
        api.push_update(impostor_update(uid, uid + action[1], "/start"))
    elif kind == "language":
        lang[0] = action[1]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTIONS, max_size=8))
async def test_generated_garbage_never_breaks_the_bot_or_crosses_users(
    bed: Bed, caplog: pytest.LogCaptureFixture, actions: list[tuple[Any, ...]]
) -> None:
    api, uid = bed.api, next(_uids)
    start = len(api.delivered())
    bystander_before = sessions(bed.db)[bed.bystander.id]
    api.send_text(uid, "/start")
    await api.wait_for_message(uid)
    lang = ["en"]
    for action in actions:
        await play(api, uid, action, bed, lang)
    api.mark_read(uid)
    # /help first: its answer may be two messages, and /start's single answer after it
    # then marks the end of everything this user was sent
    api.send_text(uid, "/help", language_code="en")
    api.send_text(uid, "/start", language_code="en")
    await api.wait_for(
        lambda: (
            (
                any(HELP_HEAD in (m.text or "") for m in api.unread(uid))
                # /start's answer: "welcome back" mid-way, or the welcome itself when
                # nothing was answered (/help's question-again starts with its own words)
                and any(
                    t.WELCOME_BACK in (m.text or "")
                    or (m.text or "").startswith(t.WELCOME.split("\n")[0])
                    for m in api.unread(uid)
                )
            )
            or None
        ),
        what=lambda: f"answers to /start and /help; transcript:\n{api.transcript(uid)}",
    )
    assert not errors(caplog), errors(caplog)
    assert all(m.chat_id == uid for m in api.delivered()[start:]), "a message went elsewhere"
    stored = sessions(bed.db)
    assert stored[uid][0] == uid
    assert stored[bed.bystander.id] == bystander_before
    assert set(stored) <= {bed.bystander.id, *range(26_001, uid + 1)}
