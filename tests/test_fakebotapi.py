"""The fake Bot API, driven by the real python-telegram-bot client it stands in for.

Why: every end-to-end test trusts this fake; if PTB cannot parse its answers, or it
records something other than what PTB sent, those tests would prove nothing.
"""

import asyncio
import datetime as dtm
import io
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
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

from tests.fakebotapi import (
    IN_PROCESS_BASE_FILE_URL,
    IN_PROCESS_BASE_URL,
    FakeBotAPI,
    InProcessRequest,
    WaitTimeout,
    wire,
)

TOKEN = "123456:TEST-token"
USER = 4242
OTHER = 777


OGG = b"OggS\x00\x02" + bytes(range(200))  # the fake stores a voice's bytes, never decodes them
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(100))  # nor a photo's


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


def _url_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Docs", url="https://example.invalid")]])


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
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{fake.base_file_url}999:nope/documents/x") as response,
        ):
            assert response.status == 401


async def test_a_bug_in_the_fake_answers_500_and_fails_the_test_on_exit() -> None:
    async def broken(call: object) -> None:
        raise KeyError("a bug in the fake")

    with pytest.raises(RuntimeError, match="the fake Bot API itself failed") as info:
        async with FakeBotAPI() as fake:
            fake._handlers["sendChatAction"] = broken
            client = Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
            async with client:
                with pytest.raises(NetworkError, match="Internal Server Error: fake"):
                    await client.send_chat_action(USER, "typing")
    assert isinstance(info.value.__cause__, KeyError)


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
    group = await bot.send_message(-4001, "to a group the fake never heard from")
    assert (group.chat.type, group.chat.id) == ("group", -4001)


async def test_what_the_fake_does_not_implement_fails_loudly(fake: FakeBotAPI, bot: Bot) -> None:
    # an unknown method is Telegram's 404, which PTB reports as InvalidToken("Not Found")
    with pytest.raises(InvalidToken, match="Not Found"):
        await bot.set_my_description("A coach")
    [call] = fake.calls("setMyDescription")
    assert (call.status, call.params) == (404, {"description": "A coach"})
    with pytest.raises(BadRequest, match=r"(?i)parse_mode 'HTML' is not supported by the fake"):
        await bot.send_message(USER, "<b>bold</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)inline keyboards only"):
        await bot.send_message(USER, "pick", reply_markup=ReplyKeyboardMarkup([["a"]]))
    with pytest.raises(BadRequest, match=r"(?i)does not fetch files by URL"):
        await bot.send_voice(USER, voice="https://example.invalid/a.ogg")
    assert fake.delivered() == []


def test_every_implemented_method_has_a_handler_and_no_other() -> None:
    # wire.IMPLEMENTED gives names their documented case; the handlers are what runs
    assert set(FakeBotAPI()._handlers) == set(wire.IMPLEMENTED)


async def test_form_and_multipart_fields_decode_to_what_ptb_encoded(fake: FakeBotAPI) -> None:
    url = f"{fake.base_url}{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    async with aiohttp.ClientSession() as session:
        form = {"chat_id": "42", "text": "7", "reply_markup": json.dumps(markup)}
        async with session.post(url, data=form) as response:
            assert (await response.json())["result"]["reply_markup"] == markup
        multipart = aiohttp.FormData({"chat_id": "42", "text": "true"})
        multipart.add_field("extra", b"bytes", filename="x.bin")
        async with session.post(url, data=multipart) as response:
            assert response.status == 200
        async with session.post(url, json={"chat_id": 42, "text": "c"}) as response:
            assert response.status == 400  # PTB never sends JSON: its fields are not read
            assert (await response.json())["description"] == "Bad Request: chat_id is empty"
    form_call, multipart_call, json_call = fake.calls("sendMessage")
    assert (form_call.encoding, multipart_call.encoding, json_call.encoding) == (
        "form",
        "multipart",
        "empty",
    )
    # text stays a string (PTB sends strings raw); the rest is JSON, as PTB dumped it
    assert form_call.params == {"chat_id": 42, "text": "7", "reply_markup": markup}
    assert multipart_call.params == {"chat_id": 42, "text": "true"}
    assert multipart_call.files["extra"].data == b"bytes"
    assert [m.text for m in fake.sent_to(42)] == ["7", "true"]


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
    sent = await bot.send_voice(
        USER, voice=OGG, filename="step1.ogg", caption="Step 1", duration=3
    )
    assert sent.voice is not None
    assert sent.voice.duration == dtm.timedelta(seconds=3)
    assert sent.voice.mime_type == "audio/ogg"
    assert sent.voice.file_size == len(OGG)
    call = fake.calls("sendVoice")[0]
    assert call.encoding == "multipart"
    upload = call.files["voice"]
    assert upload.filename == "step1.ogg"
    assert upload.content_type == "audio/ogg"
    assert upload.data == OGG
    assert "size=" in repr(upload) and "OggS" not in repr(upload)
    record = fake.last_message(USER)
    assert record is not None
    assert (record.kind, record.caption, record.uploaded) == ("voice", "Step 1", True)
    assert record.data == OGG
    assert record.file is not None and record.file.file_id == sent.voice.file_id
    # the way the bot uploads: an attach:// field naming the multipart part
    attached = await bot.send_voice(USER, voice=InputFile(OGG, filename="a.ogg", attach=True))
    assert attached.voice is not None and fake.sent_to(USER)[-1].data == OGG
    with pytest.raises(BadRequest, match=r"(?i)file must be non-empty"):
        await bot.send_voice(USER, voice=b"", filename="empty.ogg")


async def test_send_voice_by_file_id_returns_the_same_file_id(fake: FakeBotAPI, bot: Bot) -> None:
    first = await bot.send_voice(USER, voice=OGG, filename="a.ogg", duration=2)
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
    # a file_id the fake never issued (a cache from another run) is accepted and echoed
    unknown = await bot.send_voice(USER, voice="AwACAgIAAxkBAAIBfromanotherrun")
    assert unknown.voice is not None and unknown.voice.file_id == "AwACAgIAAxkBAAIBfromanotherrun"
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_document(USER, document=first.voice.file_id)


async def test_a_photo_upload_is_stored_in_fixed_sizes_and_resent_by_file_id(
    fake: FakeBotAPI, bot: Bot
) -> None:
    sent = await bot.send_photo(USER, photo=PNG, filename="progress.png", caption="Week 1")
    # the fake does not decode images: every photo measures 1280x960, with smaller copies
    assert [(p.width, p.height) for p in sent.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
    ]
    record = fake.last_message(USER)
    assert record is not None and record.file is not None
    assert (record.kind, record.caption, record.file.width, record.filename, record.data) == (
        "photo",
        "Week 1",
        1280,
        "progress.png",
        PNG,
    )
    again = await bot.send_photo(OTHER, photo=sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    unknown = await bot.send_photo(OTHER, photo="AgACfromanotherrun")
    assert unknown.photo[-1].file_id == "AgACfromanotherrun" and len(unknown.photo) == 4


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
    assert fake.files[sent.document.file_id].data == csv
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("missing")
    # a name the mime types table does not know, and bytes PTB could not type either
    blob = await bot.send_document(USER, document=b"\x00\x01", filename="blob")
    assert blob.document is not None and blob.document.mime_type == "application/octet-stream"
    # an id from another run has no bytes here: getFile answers, the download is a 404
    placeholder = await bot.send_document(USER, document="BQACfromanotherrun")
    assert placeholder.document is not None
    no_bytes = await bot.get_file(placeholder.document.file_id)
    assert no_bytes.file_size is None
    with pytest.raises(InvalidToken, match="Not Found"):
        await no_bytes.download_as_bytearray()
    async with aiohttp.ClientSession() as session:
        form = {"chat_id": str(USER)}
        async with session.post(f"{fake.base_url}{TOKEN}/sendDocument", data=form) as response:
            body = await response.json()
            assert body["description"] == "Bad Request: there is no document in the request"
        form["document"] = "attach://nothing"
        async with session.post(f"{fake.base_url}{TOKEN}/sendDocument", data=form) as response:
            assert "wrong file identifier" in (await response.json())["description"]


async def test_chat_actions_must_be_known_ones(fake: FakeBotAPI, bot: Bot) -> None:
    assert await bot.send_chat_action(USER, "record_voice") is True
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")
    assert fake.sent_to(USER) == []


# ----------------------------------------------------------------------------- text rules


async def test_text_rules_answer_400_like_telegram(fake: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    await bot.send_message(USER, "🙂" * 2048)  # 4096 UTF-16 units: the limit, not past it
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_document(USER, document=b"x", filename="a.txt", caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message("@somechannel", "x")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("a", callback_data="d" * 65)]]
            ),
        )
    many = [[InlineKeyboardButton(str(i), callback_data=str(i))] for i in range(101)]
    with pytest.raises(BadRequest, match=r"(?i)too many inline keyboard buttons"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(many))
    assert len(fake.sent_to(USER)) == 1


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("not json", "can't parse reply keyboard markup JSON object"),
        ('{"inline_keyboard": [{"text": "a"}]}', "can't parse inline keyboard markup"),
        ('{"inline_keyboard": [[{"text": " ", "callback_data": "a"}]]}', "text buttons"),
        ('{"inline_keyboard": [[{"text": "a"}]]}', "can't parse inline keyboard button"),
        (
            '{"inline_keyboard": [[{"text": "a", "callback_data": "a", "url": "https://x"}]]}',
            "can't parse inline keyboard button",
        ),
    ],
)
async def test_a_malformed_inline_keyboard_is_a_400(
    fake: FakeBotAPI, markup: str, error: str
) -> None:
    form = {"chat_id": str(USER), "text": "x", "reply_markup": markup}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}{TOKEN}/sendMessage", data=form) as response,
    ):
        assert response.status == 400
        assert error in (await response.json())["description"]
    assert fake.sent_to(USER) == []


async def test_a_reply_quotes_its_message_or_fails_when_it_is_missing(
    fake: FakeBotAPI, bot: Bot
) -> None:
    asked = fake.send_text(USER, "how many reps?")
    reply = await bot.send_message(
        USER, "ten", reply_parameters=ReplyParameters(asked["message"]["message_id"])
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "how many reps?"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(99))
    lenient = await bot.send_message(
        USER, "y", reply_parameters=ReplyParameters(99, allow_sending_without_reply=True)
    )
    assert lenient.reply_to_message is None


async def test_commands_are_stored_per_scope_and_language(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Beginnen")], language_code="de")
    assert [c["command"] for c in fake.commands()] == ["start", "help"]
    assert fake.commands(language_code="de") == [{"command": "start", "description": "Beginnen"}]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "bad")])
    with pytest.raises(BadRequest, match=r"(?i)description is empty or too long"):
        await bot.set_my_commands([BotCommand("start", "")])
    with pytest.raises(BadRequest, match=r"(?i)too many commands"):
        await bot.set_my_commands([BotCommand(f"c{i}", "x") for i in range(101)])
    assert [c["command"] for c in fake.commands()] == ["start", "help"]


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
    assert not fake.is_confirmed(pushed[2]["update_id"] + 1)  # not even pushed yet


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
    assert query.id == press.id and press.update_id == update.update_id
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
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(by_label.id, "t" * 201)
    with pytest.raises(ValueError, match=r"(?i)no button"):
        fake.press(USER, sent.message_id, "screen:maybe")
    with pytest.raises(LookupError, match=r"(?i)no message 99"):
        fake.press(USER, 99, "screen:yes")
    with pytest.raises(LookupError, match=r"(?i)no button matches"):
        fake.press_button(USER, record, "Maybe")
    plain = await bot.send_message(USER, "Go", reply_markup=_url_keyboard())
    with pytest.raises(LookupError, match=r"(?i)has no callback_data"):
        fake.press_button(USER, plain.message_id, "Docs")


async def test_simulated_user_updates_all_parse(fake: FakeBotAPI, bot: Bot) -> None:
    greeting = fake.send_text(USER, "hi", language_code="de")
    fake.send_sticker(USER, "🙂")
    fake.send_photo_message(USER, data=PNG, caption="my posture", width=64, height=48)
    fake.send_voice_message(USER, data=OGG, duration=4)
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
    photo_message = updates[2].message
    assert photo_message is not None
    photo_file = await bot.get_file(photo_message.photo[-1].file_id)
    assert bytes(await photo_file.download_as_bytearray()) == PNG
    assert [(p.width, p.height) for p in photo_message.photo] == [(64, 48)]
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


async def test_simulations_refuse_what_telegram_could_not_send(fake: FakeBotAPI, bot: Bot) -> None:
    sent = fake.send_text(USER, "hi")
    edited = fake.edited_message(USER, sent["message"]["message_id"], "/forget now")
    assert edited["edited_message"]["entities"][0]["length"] == len("/forget")
    with pytest.raises(LookupError, match=r"(?i)user message 99 not found"):
        fake.edited_message(USER, 99, "x")
    with pytest.raises(ValueError, match=r"(?i)private chat's id is the user's id"):
        fake.send_text(USER, "x", chat_id=OTHER)
    with pytest.raises(ValueError, match=r"(?i)chat_id is required for a group"):
        fake.send_text(USER, "x", chat_type="group")
    with pytest.raises(ValueError, match=r"(?i)exactly one field"):
        fake.push_update({"message": {}, "edited_message": {}})
    fake.send_text(USER, "a", chat_id=-4001, chat_type="group")
    fake.send_text(OTHER, "b", chat_id=-4001, chat_type="group")  # the same group, now known
    fake.send_document_message(USER, b"%PDF", file_name="a.pdf", caption="my scan")
    [*_, first, second, document] = await bot.get_updates(timeout=0)
    assert first.message is not None and second.message is not None
    assert first.message.chat == second.message.chat
    assert document.message is not None and document.message.caption == "my scan"
    assert document.message.document is not None
    assert document.message.document.mime_type == "application/pdf"


async def test_awaiting_reply_names_the_chats_fetched_and_not_answered(
    fake: FakeBotAPI, bot: Bot
) -> None:
    assert fake.awaiting_reply() == set()  # nothing fetched yet
    fake.send_text(USER, "one")
    fake.send_text(OTHER, "two")
    [first, second] = await bot.get_updates(timeout=0)
    assert fake.awaiting_reply() == {USER, OTHER}
    await bot.send_message(OTHER, "answered")
    assert fake.awaiting_reply() == {USER}
    await bot.send_chat_action(USER, "typing")  # any send to the chat counts as a reply
    assert fake.awaiting_reply() == set()
    polls = len(fake.calls("getUpdates"))
    assert fake.awaiting_reply(since_poll=polls) == set()  # a later process fetched nothing
    assert first.update_id < second.update_id


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


async def test_wait_for_sees_a_condition_outside_the_fake_without_a_change() -> None:
    fake = FakeBotAPI()  # never started: nothing can change in it while we wait
    looks = 0

    def third_look() -> bool:  # e.g. a row the bot commits: true by the third look
        nonlocal looks
        looks += 1
        return looks >= 3

    # A wait that only woke on the fake's changes would look at the start and at the
    # timeout (twice) and time out; one that re-checks on its own sees it long before.
    assert await fake.wait_for(third_look, timeout=30, what="the row") is True
    with pytest.raises(WaitTimeout, match="never"):
        await fake.wait_for(lambda: False, timeout=0.2, what="never")


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
    fake.fail("*", 503)  # any method
    with pytest.raises(NetworkError, match=r"(?i)Service Unavailable"):
        await bot.send_chat_action(USER, "typing")
    assert [f.kind for f in fake.faults()] == ["500", "http", "http"]
    assert [f.method for f in fake.faults("sendMessage")] == ["sendMessage", "sendMessage"]


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
    html_answer = fake.faults()[-1].call
    assert "502 Bad Gateway" in html_answer.response and html_answer.result is None
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


async def test_stall_after_delivers_then_answers_past_the_read_timeout(
    fake: FakeBotAPI, bot: Bot
) -> None:
    """Executed, then stalled: the message is there, the client timed out anyway."""
    rule = fake.stall_after("sendMessage", seconds=600)  # only the client gives up
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "arrived", read_timeout=0.2)
    assert [m.text for m in fake.delivered(USER)] == ["arrived"]
    [fault] = fake.faults("sendMessage")
    assert fault.kind == "executed_stall" and fault.call.status is None  # not answered yet
    assert rule.hits == 1 and rule.executes
    await bot.send_message(USER, "next")  # one call only, and the connection pool is fine
    assert [m.text for m in fake.delivered(USER)] == ["arrived", "next"]


async def test_stall_after_answers_a_patient_client_late_but_normally(
    fake: FakeBotAPI, bot: Bot
) -> None:
    fake.stall_after("sendVoice", seconds=0.2)
    sent = await bot.send_voice(USER, OGG, filename="a.ogg", read_timeout=60)
    assert sent.voice is not None
    [call] = fake.calls("sendVoice")
    assert call.ok and call.answered_at is not None and call.answered_at - call.at >= 0.2


async def test_garble_delivers_and_answers_what_ptb_cannot_parse(
    fake: FakeBotAPI, bot: Bot
) -> None:
    fake.garble("sendAnimation", "animation.width")
    with pytest.raises(TypeError, match="width"):
        await bot.send_animation(USER, b"GIF89a" + bytes(50), filename="a.mp4", caption="c")
    [delivered] = fake.delivered(USER)
    assert delivered.kind == "animation" and delivered.text == "c"
    [call] = fake.calls("sendAnimation")
    assert "width" not in call.response["result"]["animation"]
    assert "width" in delivered.raw["animation"]  # the fake's own record is whole
    assert [f.kind for f in fake.faults()] == ["garbled"]


async def test_a_storm_answers_429_until_its_time_is_over(fake: FakeBotAPI, bot: Bot) -> None:
    now = [100.0]
    storm = fake.storm("sendMessage", seconds=20, retry_after=5, clock=lambda: now[0])
    await bot.send_chat_action(USER, "typing")  # other methods are not in it
    for moment in (100.0, 110.0, 119.9):
        now[0] = moment
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "x")
    now[0] = 120.0
    assert (await bot.send_message(USER, "after")).text == "after"
    assert storm.hits == 3 and not storm.active
    assert [f.kind for f in fake.faults()] == ["429"] * 3
    assert [m.text for m in fake.delivered(USER)] == ["after"]  # nothing executed before


async def test_delay_slows_answers_but_delivers(fake: FakeBotAPI, bot: Bot) -> None:
    rule = fake.delay("sendMessage", 0.3)
    await bot.send_message(USER, "slow")
    await bot.send_message(USER, "fast")
    assert (rule.hits, rule.remaining) == (1, 0)  # used once, then answers are prompt
    slow, fast = fake.delivered(USER)
    assert [slow.text, fast.text] == ["slow", "fast"]
    # executed no sooner than 0.3 s after it arrived (a sleep never ends early)
    assert slow.at - slow.call.at >= 0.3
    lasting = fake.delay("sendMessage", 60, times=None)
    fake.clear_faults()  # retires delays too
    assert not lasting.active
    await bot.send_message(USER, "prompt again")
    with pytest.raises(ValueError, match=r"(?i)unknown fault kind"):
        fake.fault_rate("*", p=0.5, kinds=("teapot",))


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
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates(timeout=0)
        pushed = fake.send_text(USER, "/start")
        await fake.wait_for_confirmed(pushed)
        assert received[-1] == ("s3cret", pushed)
        assert fake.webhook_deliveries[-1].status == 200
        with pytest.raises(BadRequest, match=r"(?i)unallowed characters"):
            await bot.set_webhook(url, secret_token="no spaces")
        with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
            await bot.set_webhook("ftp://example.invalid/hook")
        assert await bot.delete_webhook() is True
        assert fake.webhook.url == ""
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


async def test_webhook_delivery_retries_until_the_bot_accepts(fake: FakeBotAPI, bot: Bot) -> None:
    runner, url, received = await _receiver()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{_free_port()}/hook")  # nobody listens
        pushed = fake.send_text(USER, "/start")
        await fake.wait_for(lambda: fake.webhook.last_error_message, what="a failed delivery")
        assert "Connection failed" in str(fake.webhook.last_error_message)
        await bot.set_webhook(url, secret_token="wrong")  # the receiver answers 403
        await fake.wait_for(lambda: received, what="a delivery to the receiver")
        await fake.wait_for(
            lambda: "403" in str(fake.webhook.last_error_message), what="the 403 recorded"
        )
        assert not fake.is_confirmed(pushed)
        await bot.set_webhook(url, secret_token="s3cret")
        await fake.wait_for_confirmed(pushed)
        assert received[-1] == ("s3cret", pushed)
        # an update of a type the webhook did not ask for is dropped, not delivered
        await bot.set_webhook(url, secret_token="s3cret", allowed_updates=["callback_query"])
        skipped = fake.send_text(USER, "not wanted")
        await fake.wait_for_confirmed(skipped)
        assert received[-1] == ("s3cret", pushed)
    finally:
        await runner.cleanup()


async def test_drop_pending_updates_clears_the_queue(fake: FakeBotAPI, bot: Bot) -> None:
    fake.send_text(USER, "a")
    await bot.delete_webhook(drop_pending_updates=True)
    assert fake.pending_updates == []
    fake.send_text(USER, "b")
    runner, url, received = await _receiver()
    try:
        # dropped in the same step that registers the hook: nothing is left to deliver
        await bot.set_webhook(url, secret_token="s3cret", drop_pending_updates=True)
        assert fake.pending_updates == []
        assert received == []
    finally:
        await runner.cleanup()


async def test_deliver_webhook_without_a_started_server_and_to_a_dead_url() -> None:
    fake = FakeBotAPI()  # never started: deliver_webhook opens a client of its own
    runner, url, received = await _receiver()
    try:
        assert await fake.deliver_webhook(url, {"update_id": 7, "message": {}}, "s3cret") == (
            200,
            "ok",
        )
        assert received == [("s3cret", {"update_id": 7, "message": {}})]
    finally:
        await runner.cleanup()
    with pytest.raises(aiohttp.ClientError):
        await fake.deliver_webhook(f"http://127.0.0.1:{_free_port()}/hook", {"message": {}})
    dead = fake.webhook_deliveries[-1]
    assert dead.status is None and dead.error is not None


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
    assert await fake.start() is fake  # already serving: nothing to do
    await bot.send_message(USER, "after")
    assert [m.text for m in fake.sent_to(USER)] == ["before", "after"]
    assert [m.message_id for m in fake.sent_to(USER)] == [1, 2]


# ----------------------------------------------------------------------------- in process


def forbid_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket from here on fails the test (the loop has its own)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


async def test_an_in_process_bot_needs_no_server_and_no_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forbid_sockets(monkeypatch)
    api = FakeBotAPI()  # never started
    async with api.in_process_bot(TOKEN) as bot:
        me = await bot.get_me()
        assert (me.id, me.username) == (123456, api.bot_username)
        sent = await bot.send_message(USER, "Any new symptoms?", reply_markup=_keyboard())
        assert sent.reply_markup == _keyboard()
        [record] = api.sent_to(USER)
        assert (record.text, record.button_texts) == ("Any new symptoms?", ["Yes", "No"])
        assert record.call.encoding == "form" and record.call.params["chat_id"] == USER
        voice = await bot.send_voice(USER, voice=OGG, filename="step1.ogg", duration=3)
        assert voice.voice is not None and voice.voice.duration == dtm.timedelta(seconds=3)
        upload = api.calls("sendVoice")[0].files["voice"]
        assert (upload.filename, upload.content_type, upload.data) == (
            "step1.ogg",
            "audio/ogg",
            OGG,
        )
        again = await bot.send_voice(OTHER, voice=voice.voice.file_id)
        assert again.voice is not None and again.voice.file_id == voice.voice.file_id
        assert api.sent_to(OTHER)[0].uploaded is False
        tg_file = await bot.get_file(voice.voice.file_id)
        assert tg_file.file_path is not None
        assert tg_file.file_path.startswith(IN_PROCESS_BASE_FILE_URL)
        buffer = io.BytesIO()
        await tg_file.download_to_memory(buffer)
        assert buffer.getvalue() == OGG
        assert api.downloads == [api.file(voice.voice.file_id).file_path]
        # a long poll waits in the fake, and a user's message ends it
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await api.wait_for_calls("getUpdates")
        pushed = api.send_text(USER, "hello")
        [update] = await asyncio.wait_for(poll, 20)  # a hang guard
        assert update.update_id == pushed["update_id"]
        assert update.message is not None and update.message.text == "hello"
    assert api.tokens == [TOKEN]
    with pytest.raises(RuntimeError, match="not started"):
        api.port  # noqa: B018 - there is no server, so no port


async def test_in_process_faults_and_blocks_are_the_ptb_errors_of_http() -> None:
    api = FakeBotAPI(valid_token=TOKEN)
    async with api.in_process_bot(TOKEN) as bot:
        api.fail("sendMessage", 400, "Bad Request: chat not found")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(USER, "x")
        api.block_user(USER)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(USER, "x")
        api.send_text(USER, "/start")  # the user comes back
        api.fail("sendMessage", 429, retry_after=3)
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(USER, "x")
        assert info.value.retry_after == dtm.timedelta(seconds=3)
        api.reset("sendMessage")
        with pytest.raises(NetworkError, match="dropped"):
            await bot.send_message(USER, "x")
        api.fault_rate("sendMessage", p=1.0, kinds=("502",), seed=1)
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(USER, "x")
        api.clear_faults()
        api.stall("sendMessage", seconds=600)
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "x", read_timeout=0.1)
        with pytest.raises(InvalidToken, match="Not Found"):
            await bot.set_my_description("A coach")
        assert [m.text for m in api.delivered()] == []
        assert [f.kind for f in api.faults()] == [
            "http",
            "blocked",
            "429",
            "reset",
            "502",
            "stall",
        ]
    # the stalled call was still running in the fake; the bot's shutdown ended it
    assert api.calls("sendMessage")[-1].status is None
    wrong = Bot(
        "999:nope",
        base_url=IN_PROCESS_BASE_URL,
        base_file_url=IN_PROCESS_BASE_FILE_URL,
        request=InProcessRequest(api),
        get_updates_request=InProcessRequest(api),
    )
    with pytest.raises(InvalidToken, match="rejected"):
        await wrong.initialize()
    await wrong.shutdown()
    assert api.calls("getMe")[-1].status == 401


async def test_an_in_process_call_that_timed_out_still_runs_when_released() -> None:
    api = FakeBotAPI()
    async with api.in_process_bot(TOKEN) as bot:
        held = api.hold("sendMessage")
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "late", read_timeout=0.1)
        assert api.delivered() == []
        api.release(held)  # as on a server: the client gave up, the request goes on
        assert (await api.wait_for_message(USER)).text == "late"


async def test_an_application_polls_in_process() -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    api = FakeBotAPI()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(IN_PROCESS_BASE_URL)
        .base_file_url(IN_PROCESS_BASE_FILE_URL)
        .request(InProcessRequest(api))
        .get_updates_request(InProcessRequest(api))
        .build()
    )
    app.add_handler(CommandHandler("start", echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        pushed = api.send_text(USER, "/start")
        assert (await api.wait_for_message(USER)).text == "echo: /start"
        await api.wait_for_confirmed(pushed)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
