"""The fake Bot API, driven by the real python-telegram-bot client it stands in for.

Why: every end-to-end test trusts this fake; if PTB cannot parse its answers, or it
records something other than what PTB sent, those tests would prove nothing.
"""

import asyncio
import datetime as dtm
import json
import socket
import struct
import zlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.fakebotapi import FakeBotAPI, WaitTimeout

TOKEN = "123456:TEST-token"
USER = 4242
OTHER = 777


def _ogg(seconds: int) -> bytes:
    """A structurally valid OGG Opus stream header set with a last granule of ``seconds``."""

    def page(granule: int, payload: bytes, seq: int, flags: int) -> bytes:
        header = b"OggS" + bytes([0, flags]) + struct.pack("<qII", granule, 1234, seq)
        return header + b"\0\0\0\0" + bytes([1, len(payload)]) + payload

    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    return (
        page(0, head, 0, 2)
        + page(0, b"OpusTags" + b"\0" * 8, 1, 0)
        + page(312 + 48000 * seconds, b"\xfc" * 20, 2, 4)
    )


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22.8 warns (an error here) when it builds RetryAfter or reads durations as ints.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with client:
        yield client


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="screen:yes"),
                InlineKeyboardButton("No", callback_data="screen:no"),
            ]
        ]
    )


# ----------------------------------------------------------------------------- basics


async def test_get_me_answers_the_bot_user_and_records_the_token(
    fake: FakeBotAPI, bot: Bot
) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == fake.bot_username
    assert fake.tokens == [TOKEN]
    assert fake.calls("getMe")[0].token == TOKEN


async def test_a_wrong_token_gets_401_when_a_valid_one_is_configured() -> None:
    async with FakeBotAPI(valid_token=TOKEN) as fake:
        wrong = Bot("999:nope", base_url=fake.base_url, base_file_url=fake.base_file_url)
        try:
            with pytest.raises(InvalidToken):
                await wrong.initialize()
        finally:
            await wrong.shutdown()
        assert fake.calls("getMe")[0].status == 401
        assert fake.tokens == ["999:nope"]
        right = Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
        async with right:
            assert (await right.get_me()).id == 123456


async def test_send_message_records_the_keyboard_as_a_dict_and_echoes_it(
    fake: FakeBotAPI, bot: Bot
) -> None:
    sent = await bot.send_message(USER, "Any new symptoms?", reply_markup=_keyboard())
    assert sent.text == "Any new symptoms?"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.reply_markup == _keyboard()
    [record] = fake.sent_to(USER)
    assert record.kind == "text"
    assert record.text == "Any new symptoms?"
    assert record.reply_markup == {
        "inline_keyboard": [
            [
                {"text": "Yes", "callback_data": "screen:yes"},
                {"text": "No", "callback_data": "screen:no"},
            ]
        ]
    }
    assert record.button_texts == ["Yes", "No"]
    assert record.callback_data("no") == "screen:no"
    assert fake.calls("sendMessage")[0].params["chat_id"] == USER


async def test_message_ids_increase_per_chat(fake: FakeBotAPI, bot: Bot) -> None:
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (USER, USER, OTHER)]
    assert ids == [1, 2, 1]
    fake.send_text(USER, "hello")
    assert (await bot.send_message(USER, "y")).message_id == 4


async def test_unknown_methods_answer_true_and_are_recorded(fake: FakeBotAPI, bot: Bot) -> None:
    assert await bot.set_my_description("A coach") is True
    assert fake.calls("setMyDescription")[0].params == {"description": "A coach"}


async def test_json_form_and_query_bodies_decode_to_the_same_params(fake: FakeBotAPI) -> None:
    url = f"{fake.base_url}{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, json={"chat_id": "42", "text": "a", "reply_markup": markup}
        ) as response:
            assert (await response.json())["ok"] is True
        form = {"chat_id": "42", "text": "b", "reply_markup": json.dumps(markup)}
        async with session.post(url, data=form) as response:
            assert (await response.json())["result"]["reply_markup"] == markup
        async with session.get(url, params={"chat_id": "42", "text": "c"}) as response:
            assert response.status == 200
        async with session.post(f"{fake.base_url}{TOKEN}/sendMessage", data=b"{") as response:
            assert response.status == 400  # an unknown body type carries no parameters
            assert (await response.json())["description"] == "Bad Request: chat_id is empty"
    json_call, form_call, query_call, _ = fake.calls("sendMessage")
    assert (json_call.encoding, form_call.encoding, query_call.encoding) == (
        "json",
        "form",
        "query",
    )
    assert json_call.params["reply_markup"] == form_call.params["reply_markup"] == markup
    assert [m.text for m in fake.sent_to(42)] == ["a", "b", "c"]


async def test_method_names_are_case_insensitive_and_unknown_paths_are_json_404(
    fake: FakeBotAPI,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.base_url}{TOKEN}/GETME") as response:
            assert (await response.json())["result"]["is_bot"] is True
        async with session.get(f"{fake.url}/nothing/here") as response:
            assert response.status == 404
            assert (await response.json())["error_code"] == 404
    assert fake.calls("getMe")[0].http_method == "POST"


# ----------------------------------------------------------------------------- files


async def test_send_voice_upload_is_recorded_with_filename_and_bytes(
    fake: FakeBotAPI, bot: Bot
) -> None:
    data = _ogg(3)
    sent = await bot.send_voice(USER, voice=data, filename="step1.ogg", caption="Step 1")
    assert sent.voice is not None
    assert sent.voice.duration == dtm.timedelta(seconds=3)  # read from the OGG stream
    assert sent.voice.mime_type == "audio/ogg"
    assert sent.voice.file_size == len(data)
    call = fake.calls("sendVoice")[0]
    assert call.encoding == "multipart"
    upload = call.files["voice"]
    assert upload.filename == "step1.ogg"
    assert upload.content_type == "audio/ogg"
    assert upload.data == data
    assert upload.is_ogg_opus
    record = fake.last_message(USER)
    assert record is not None
    assert (record.kind, record.caption, record.uploaded) == ("voice", "Step 1", True)
    assert record.data == data
    assert record.file is not None and record.file.file_id == sent.voice.file_id


async def test_send_voice_by_file_id_returns_the_same_file_id(fake: FakeBotAPI, bot: Bot) -> None:
    first = await bot.send_voice(USER, voice=_ogg(2), filename="a.ogg", duration=2)
    assert first.voice is not None
    again = await bot.send_voice(OTHER, voice=first.voice.file_id)
    assert again.voice is not None
    assert again.voice.file_id == first.voice.file_id
    assert again.voice.file_unique_id == first.voice.file_unique_id
    call = fake.calls("sendVoice")[1]
    assert call.files == {}
    assert call.params["voice"] == first.voice.file_id
    record = fake.sent_to(OTHER)[0]
    assert record.uploaded is False
    # a file_id the fake never issued is accepted (strict_file_ids=False) and echoed
    unknown = await bot.send_voice(USER, voice="AwACAgIAAxkBAAIBfromanotherrun")
    assert unknown.voice is not None and unknown.voice.file_id == "AwACAgIAAxkBAAIBfromanotherrun"
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_document(USER, document=first.voice.file_id)


async def test_strict_file_ids_reject_unknown_ids() -> None:
    async with FakeBotAPI(strict_file_ids=True) as fake:
        client = Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
        async with client:
            with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
                await client.send_voice(USER, voice="nope")


async def test_photo_sizes_come_from_the_real_image_and_junk_is_rejected(
    fake: FakeBotAPI, bot: Bot
) -> None:
    sent = await bot.send_photo(USER, photo=_png(1000, 400), filename="progress.png")
    assert [(p.width, p.height) for p in sent.photo] == [
        (90, 36),
        (320, 128),
        (800, 320),
        (1000, 400),
    ]
    record = fake.last_message(USER)
    assert record is not None and record.file is not None
    assert (record.kind, record.file.width, record.file.filename) == (
        "photo",
        1000,
        "progress.png",
    )
    again = await bot.send_photo(OTHER, photo=sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER, photo=b"not an image", filename="x.png")


async def test_document_round_trips_through_get_file_and_download(
    fake: FakeBotAPI, bot: Bot
) -> None:
    csv = b"timestamp,exercise,answer,pain,reach\n2024-01-01T00:00:00Z,side_glide,better,3,knee\n"
    sent = await bot.send_document(USER, document=csv, filename="history.csv")
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.mime_type) == ("history.csv", "text/csv")
    tg_file = await bot.get_file(sent.document.file_id)
    assert tg_file.file_path is not None and tg_file.file_path.startswith(fake.base_file_url)
    assert bytes(await tg_file.download_as_bytearray()) == csv
    assert fake.downloads == [fake.file(sent.document.file_id).file_path]
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("missing")


async def test_audio_media_group_location_and_chat_action(fake: FakeBotAPI, bot: Bot) -> None:
    audio = await bot.send_audio(USER, audio=b"ID3fake", filename="a.mp3", title="Set")
    assert audio.audio is not None and audio.audio.title == "Set"
    photo = await bot.send_photo(USER, photo=_png(20, 20))
    album = await bot.send_media_group(
        USER,
        [InputMediaPhoto(photo.photo[-1].file_id), InputMediaPhoto(_png(30, 10), caption="b")],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[1].caption == "b"
    location = await bot.send_location(USER, latitude=52.5, longitude=13.4)
    assert location.location is not None and location.location.latitude == 52.5
    assert await bot.send_chat_action(USER, "record_voice") is True
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")
    assert [m.kind for m in fake.sent_to(USER)] == ["audio", "photo", "photo", "photo", "location"]


# ----------------------------------------------------------------------------- text rules


async def test_parse_modes_are_applied_and_bad_markup_is_a_400(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(
        USER, "Touch the wall with your <b>LEFT</b> shoulder", parse_mode="HTML"
    )
    await bot.send_message(USER, "Done\\. *Well* done", parse_mode="MarkdownV2")
    assert [m.text for m in fake.sent_to(USER)] == [
        "Touch the wall with your LEFT shoulder",
        "Done. Well done",
    ]
    assert fake.calls("sendMessage")[0].params["text"].startswith("Touch the wall with your <b>")
    with pytest.raises(BadRequest, match=r"(?i)Unsupported start tag"):
        await bot.send_message(USER, "line<br>break", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(USER, "Pain 3/10. Good!", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("a", callback_data="d" * 65)]]
            ),
        )
    assert len(fake.sent_to(USER)) == 2


async def test_edits_drop_the_keyboard_unless_resent_and_no_op_edits_fail(
    fake: FakeBotAPI, bot: Bot
) -> None:
    sent = await bot.send_message(USER, "Pick one", reply_markup=_keyboard())
    edited = await bot.edit_message_text("Picked", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.reply_markup is None
    record = fake.sent_to(USER)[0]
    assert (record.text, record.reply_markup, record.buttons) == ("Picked", None, [])
    edit = await fake.wait_for_edit(USER)
    assert (edit.method, edit.message_id, edit.text) == ("editMessageText", 1, "Picked")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Picked", chat_id=USER, message_id=sent.message_id)
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=_keyboard())
    assert record.button_texts == ["Yes", "No"]
    assert await bot.delete_message(USER, sent.message_id) is True
    assert record.deleted
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, 99)


async def test_commands_are_stored_per_scope_and_language(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Beginnen")], language_code="de")
    assert [c["command"] for c in fake.commands()] == ["start", "help"]
    assert fake.commands(language_code="de") == [{"command": "start", "description": "Beginnen"}]
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["start"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "bad")])


# ----------------------------------------------------------------------------- updates


async def test_get_updates_long_poll_returns_as_soon_as_an_update_is_pushed(
    fake: FakeBotAPI, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await fake.wait_for_calls("getUpdates", 1)
    pushed = fake.send_text(USER, "/start now", first_name="Ana")
    # the push answers the poll: the guard is half the poll's own 60 s timeout
    updates = await asyncio.wait_for(poll, 30)
    [call] = fake.calls("getUpdates")
    assert call.ok and [u["update_id"] for u in call.result] == [pushed["update_id"]]
    [update] = updates
    assert update.update_id == pushed["update_id"]
    assert update.message is not None and update.message.text == "/start now"
    assert update.message.from_user is not None and update.message.from_user.first_name == "Ana"
    assert update.message.chat.type == "private"
    [entity] = update.message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)


async def test_get_updates_returns_empty_after_the_timeout(fake: FakeBotAPI, bot: Bot) -> None:
    poll = bot.get_updates(timeout=dtm.timedelta(seconds=0.4))
    assert await asyncio.wait_for(poll, 30) == ()  # a hang guard
    # the server's own empty answer, made no sooner than the poll's timeout after the
    # request came (a wait never ends early; a slow machine only makes it later)
    [call] = fake.calls("getUpdates")
    assert float(call.params["timeout"]) == 0.4 and call.ok and call.result == []
    assert call.answered_at is not None and call.answered_at - call.at >= 0.4


async def test_offset_confirms_updates_and_limit_caps_a_batch(fake: FakeBotAPI, bot: Bot) -> None:
    pushed = [fake.send_text(USER, f"m{i}") for i in range(3)]
    first = await bot.get_updates(limit=2, timeout=0)
    assert [u.update_id for u in first] == [p["update_id"] for p in pushed[:2]]
    again = await bot.get_updates(timeout=0)  # nothing confirmed yet: redelivered
    assert len(again) == 3
    assert not fake.is_confirmed(pushed[0])
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.update_id for u in rest] == [pushed[2]["update_id"]]
    assert fake.is_confirmed(pushed[0]) and fake.is_confirmed(pushed[1])
    assert await bot.get_updates(offset=pushed[2]["update_id"] + 1, timeout=0) == ()
    assert fake.pending_updates == []
    await fake.wait_for_confirmed(pushed[2])


async def test_allowed_updates_filter_and_negative_offset(fake: FakeBotAPI, bot: Bot) -> None:
    fake.send_text(USER, "a")
    fake.send_text(USER, "b")
    fake.send_text(USER, "c")
    latest = await bot.get_updates(offset=-1, timeout=0)
    assert [u.message.text for u in latest if u.message] == ["c"]
    sent = await bot.send_message(USER, "q", reply_markup=_keyboard())
    fake.send_text(USER, "typed instead")
    fake.press(USER, sent.message_id, "screen:yes")
    only = await bot.get_updates(
        offset=latest[0].update_id + 1, timeout=0, allowed_updates=["callback_query"]
    )
    assert [u.callback_query.data for u in only if u.callback_query] == ["screen:yes"]
    assert len(only) == 1


async def test_a_second_long_poll_terminates_the_first_with_409(fake: FakeBotAPI) -> None:
    url = f"{fake.base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as session:

        async def poll(seconds: float) -> tuple[int, dict[str, object]]:
            async with session.post(url, data={"timeout": str(seconds)}) as response:
                return response.status, await response.json()

        first = asyncio.create_task(poll(60))  # only the second poll can end it
        await fake.wait_for_calls("getUpdates", 1)
        second = asyncio.create_task(poll(0.2))
        status, body = await asyncio.wait_for(first, 30)  # a hang guard
        assert status == 409 and "terminated by other getUpdates" in str(body["description"])
        assert (await second)[0] == 200


async def test_press_produces_a_callback_query_ptb_parses(fake: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Any new symptoms?", reply_markup=_keyboard())
    record = await fake.wait_for_message(USER)
    press = fake.press(USER, record, "screen:no")
    [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None
    assert query.data == "screen:no"
    assert query.id == press.id
    assert query.from_user.id == USER
    assert query.chat_instance
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert query.message.reply_markup == _keyboard()
    assert await query.answer("Noted") is True
    assert press.answer is not None and press.answer["text"] == "Noted"
    assert await fake.wait_for_answer(press) == press.answer
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(press.id)
    by_label = fake.press_button(USER, sent.message_id, "yes")
    assert by_label.data == "screen:yes"
    with pytest.raises(ValueError, match=r"(?i)no button"):
        fake.press(USER, sent.message_id, "screen:maybe")


async def test_simulated_user_updates_all_parse(fake: FakeBotAPI, bot: Bot) -> None:
    greeting = fake.send_text(USER, "hi", language_code="de")
    fake.send_sticker(USER, "🙂")
    fake.send_photo_message(USER, data=_png(64, 48), caption="my posture")
    fake.send_voice_message(USER, data=_ogg(4))
    fake.send_document_message(USER, b"notes", file_name="notes.txt")
    fake.send_location(USER, 1.5, 2.5)
    fake.send_contact(USER, "+100200")
    fake.edited_message(USER, greeting["message"]["message_id"], "hello")
    fake.channel_post(-100500, "news")
    fake.send_text(USER, "/start@sideglide_test_bot", chat_id=-4001, chat_type="group")
    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 10
    messages = [u.message for u in updates[1:7]]
    assert all(m is not None for m in messages)
    attachments = [type(m.effective_attachment).__name__ for m in messages if m is not None]
    # a photo's attachment is its tuple of PhotoSize
    assert attachments == ["Sticker", "tuple", "Voice", "Document", "Location", "Contact"]
    assert updates[0].effective_user is not None
    assert updates[0].effective_user.language_code == "de"
    assert updates[1].effective_user is not None
    assert updates[1].effective_user.language_code == "de"  # sticky
    voice = updates[3].message.voice if updates[3].message else None
    assert voice is not None and voice.duration == dtm.timedelta(seconds=4)
    photo_file = await bot.get_file(updates[2].message.photo[-1].file_id)  # type: ignore[union-attr]
    assert bytes(await photo_file.download_as_bytearray()) == _png(64, 48)
    assert updates[7].edited_message is not None
    assert updates[7].edited_message.text == "hello"
    assert updates[8].channel_post is not None and updates[8].channel_post.chat.type == "channel"
    group = updates[9].message
    assert group is not None and group.chat.type == "group" and group.chat.id == -4001
    assert group.entities[0].length == len("/start@sideglide_test_bot")
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    pushed = fake.push_update(
        {
            "update_id": 1,
            "poll_answer": {
                "poll_id": "p",
                "option_ids": [0],
                "user": {"id": USER, "is_bot": False, "first_name": "A"},
            },
        }
    )
    assert pushed["update_id"] == updates[-1].update_id + 1


# ----------------------------------------------------------------------------- waiting


async def test_wait_for_message_reads_each_chat_in_order_with_a_cursor(
    fake: FakeBotAPI, bot: Bot
) -> None:
    for text in ("one", "two", "three"):
        await bot.send_message(USER, text)
    await bot.send_message(OTHER, "elsewhere")
    assert (await fake.wait_for_message(USER, lambda m: m.text == "two")).text == "two"
    assert (await fake.wait_for_message(USER)).text == "three"  # "one" was scrolled past
    assert fake.unread(USER) == []
    assert [m.text for m in await fake.wait_for_messages(OTHER, 1)] == ["elsewhere"]
    await fake.expect_no_message(USER, within=0.05)
    later = asyncio.create_task(fake.wait_for_message(USER, kind="text"))
    await asyncio.sleep(0)  # one step: the task has looked, found nothing, and waits
    assert not later.done()
    await bot.send_message(USER, "four")
    assert (await later).text == "four"


async def test_a_wait_timeout_is_an_assertion_with_the_transcript(
    fake: FakeBotAPI, bot: Bot
) -> None:
    fake.send_text(USER, "/start")
    await bot.send_message(USER, "Welcome", reply_markup=_keyboard())
    await fake.wait_for_message(USER)
    with pytest.raises(WaitTimeout) as info:
        await fake.wait_for_message(USER, timeout=0.1)
    assert isinstance(info.value, AssertionError) and isinstance(info.value, TimeoutError)
    assert "user 4242 #1: /start" in str(info.value)
    assert "bot #2: Welcome  [Yes | No]" in str(info.value)
    await bot.send_message(USER, "surprise")  # arrived, not read: whenever it came
    with pytest.raises(AssertionError, match=r"(?i)expected no message"):
        await fake.expect_no_message(USER, within=0.3)


# ----------------------------------------------------------------------------- faults


async def test_a_429_rule_surfaces_as_retry_after_and_is_not_delivered(
    fake: FakeBotAPI, bot: Bot
) -> None:
    rule = fake.fail("sendMessage", 429, retry_after=1)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "hi")
    assert info.value.retry_after == dtm.timedelta(seconds=1)
    assert fake.calls("sendMessage")[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert fake.delivered(USER) == []
    await bot.send_message(USER, "hi")  # the rule was used up
    assert (rule.hits, rule.remaining) == (1, 0)
    assert [f.kind for f in fake.faults()] == ["429"]
    assert len(fake.calls("sendMessage")) == 2
    assert [m.text for m in fake.delivered(USER)] == ["hi"]


async def test_rules_can_target_one_chat_and_run_in_order(fake: FakeBotAPI, bot: Bot) -> None:
    fake.fail("sendMessage", 500, times=1, chat_id=OTHER)
    fake.fail(
        ["sendMessage", "sendVoice"], 400, "Bad Request: chat not found", times=None, chat_id=OTHER
    )
    await bot.send_message(USER, "fine")
    with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
        await bot.send_message(OTHER, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(OTHER, "x")
    fake.clear_faults()
    await bot.send_message(OTHER, "x")
    assert [f.kind for f in fake.faults()] == ["500", "http"]


async def test_block_user_surfaces_as_forbidden_until_the_user_returns(
    fake: FakeBotAPI, bot: Bot
) -> None:
    fake.block_user(USER, notify=True)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "Time for your set")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER, "typing")
    assert fake.sent_to(USER) == []
    assert [f.kind for f in fake.faults()] == ["blocked", "blocked"]
    [update] = await bot.get_updates(timeout=0)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    fake.send_text(USER, "/start")  # unblocking is what the Telegram app does first
    assert not fake.is_blocked(USER)
    await bot.send_message(USER, "Welcome back")


async def test_reset_stall_and_502_are_network_errors_without_delivery(
    fake: FakeBotAPI, bot: Bot
) -> None:
    fake.reset("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "a")
    fake.stall("sendMessage", seconds=600)  # only the client's read timeout ends it
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "b", read_timeout=0.2)
    fake.fault_rate("sendMessage", p=1.0, kinds=("502",), seed=1)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.send_message(USER, "c")
    fake.clear_faults()
    await bot.send_message(USER, "d")
    assert [f.kind for f in fake.faults()] == ["reset", "stall", "502"]
    assert [f.status for f in fake.faults()] == [None, None, 502]
    assert [m.text for m in fake.delivered(USER)] == ["d"]
    assert len(fake.calls("sendMessage")) == 4


async def test_fault_rate_is_reproducible_with_a_seed(bot: Bot, fake: FakeBotAPI) -> None:
    async def outcomes(server: FakeBotAPI, client: Bot) -> list[str]:
        server.fault_rate(["sendMessage"], p=0.5, kinds=("500", "429"), seed=7)
        result = []
        for _ in range(16):
            try:
                await client.send_message(USER, "x")
                result.append("ok")
            except (NetworkError, RetryAfter) as exc:
                result.append(type(exc).__name__)
        return result

    first = await outcomes(fake, bot)
    async with FakeBotAPI() as other:
        client = Bot(TOKEN, base_url=other.base_url, base_file_url=other.base_file_url)
        async with client:
            second = await outcomes(other, client)
    assert first == second
    assert {"ok", "NetworkError", "RetryAfter"} <= set(first)
    assert len(fake.delivered(USER)) == first.count("ok")


async def test_delay_slows_answers_but_delivers(fake: FakeBotAPI, bot: Bot) -> None:
    rule = fake.delay("sendMessage", 0.3)
    await bot.send_message(USER, "slow")
    await bot.send_message(USER, "fast")
    assert (rule.hits, rule.remaining) == (1, 0)  # used once, then answers are prompt
    slow, fast = fake.delivered(USER)
    assert [slow.text, fast.text] == ["slow", "fast"]
    # executed no sooner than 0.3 s after it arrived (a sleep never ends early)
    assert slow.at - slow.call.at >= 0.3


async def test_hold_keeps_a_call_in_flight_until_released(fake: FakeBotAPI, bot: Bot) -> None:
    rule = fake.hold("sendMessage")
    sending = asyncio.create_task(bot.send_message(USER, "held", read_timeout=60))
    [call] = await fake.wait_for_calls("sendMessage", 1)
    await bot.send_chat_action(USER, "typing")  # other methods are answered meanwhile
    assert call.status is None and not sending.done() and fake.delivered(USER) == []
    fake.release(rule)
    assert (await sending).text == "held"
    assert call.ok and [m.text for m in fake.delivered(USER)] == ["held"]
    await bot.send_message(USER, "next")  # the rule held one call only
    assert rule.hits == 1 and not rule.active


async def test_stop_is_prompt_with_a_long_poll_and_a_stall_pending(bot: Bot) -> None:
    async with FakeBotAPI() as fake:
        client = Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
        async with client:
            # far longer than the hang guards below: only stop() can end them
            fake.stall("getMe", seconds=600)
            poll = asyncio.create_task(client.get_updates(timeout=600))
            stalled = asyncio.create_task(client.get_me(read_timeout=600))
            await fake.wait_for_calls("getUpdates", 1)
            await fake.wait_for_calls("getMe", 2)
            await asyncio.wait_for(fake.stop(), 30)
            assert await asyncio.wait_for(poll, 30) == ()
            with pytest.raises(NetworkError):
                await asyncio.wait_for(stalled, 30)
            [long_poll] = fake.calls("getUpdates")
            assert long_poll.ok and long_poll.result == []  # answered by stop()


# ----------------------------------------------------------------------------- webhook


async def _receiver() -> tuple[web.AppRunner, str, list[tuple[str | None, dict[str, object]]]]:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def handle(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((secret, await request.json()))
        return web.Response(status=200 if secret == "s3cret" else 403, text="ok")

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/hook", received


async def test_webhook_is_recorded_delivered_and_conflicts_with_polling(
    fake: FakeBotAPI, bot: Bot
) -> None:
    runner, url, received = await _receiver()
    try:
        status, body = await fake.deliver_webhook(url, {"message": {"x": 1}}, "wrong")
        assert (status, body) == (403, "ok")
        assert received[0][0] == "wrong" and "update_id" in received[0][1]
        assert await bot.set_webhook(url, secret_token="s3cret") is True
        assert (fake.webhook.url, fake.webhook.secret_token) == (url, "s3cret")
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates(timeout=0)
        pushed = fake.send_text(USER, "/start")
        await fake.wait_for_confirmed(pushed)
        assert received[-1] == ("s3cret", pushed)
        assert fake.webhook_deliveries[-1].status == 200
        with pytest.raises(BadRequest, match=r"(?i)unallowed characters"):
            await bot.set_webhook(url, secret_token="no spaces")
        assert await bot.delete_webhook() is True
        assert fake.webhook.url == ""
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


# ----------------------------------------------------------------------------- the real app


async def test_application_polling_round_trip(fake: FakeBotAPI) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        pushed = fake.send_text(USER, "/start")
        reply = await fake.wait_for_message(USER)
        assert reply.text == "echo: /start"
        assert reply.raw["chat"]["id"] == USER
        await fake.wait_for_confirmed(pushed)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert fake.calls("deleteWebhook")  # PTB's bootstrap before polling


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_application_webhook_round_trip(fake: FakeBotAPI) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("hooked")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", echo))
    port = _free_port()
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tg",
        webhook_url=f"http://127.0.0.1:{port}/tg",
        secret_token="s3cret",
    )
    try:
        assert fake.webhook.secret_token == "s3cret"
        fake.send_text(USER, "/start")
        assert (await fake.wait_for_message(USER)).text == "hooked"
        status, _ = await fake.deliver_webhook(fake.webhook.url, {"message": {}}, "wrong")
        assert status == 403
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_a_restart_on_the_same_port_keeps_the_state(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "before")
    port = fake.port
    await fake.stop()
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "during the outage")
    await fake.start()
    assert fake.port == port
    await bot.send_message(USER, "after")
    assert [m.text for m in fake.sent_to(USER)] == ["before", "after"]
    assert [m.message_id for m in fake.sent_to(USER)] == [1, 2]
