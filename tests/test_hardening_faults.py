"""Telegram misbehaving under load: 429s, 5xx, resets and stalls on a share of calls.

Users are played by `Patient`: it reads whatever the bot shows last and taps
what a person would, and when a reply does not come in time it does what a
person does, re-sends /start (the bot shows the current question again). So a
lost reply costs a user a few seconds, never the check-in, and the test can
demand that every check-in is stored exactly once and that nobody is sent the
same message twice by one turn. bench/reliability.py reuses it at scale.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flows import remind
from flows import texts as t
from flows.model import Answer
from tests import dbkit
from tests.botkit import running, settings_for
from tests.dbkit import Db
from tests.fakebotapi import FakeBotAPI, SentMessage, WaitTimeout

CENTRALIZING = t.LEG_ANSWERS[Answer.CENTRALIZING]
# what the stored check-in of every scripted user is (answer, pain, reach)
EXPECTED_ROW = ("centralizing", 4, "buttock")
CHECKIN_DONE = "keep going with the side glide"  # the reply to the final reach answer
HELP_HEAD = "What I can do"
IDLE = ("Use /exercise when you are ready", "Use /exercise to start a set")
SETTLE = 0.02  # after a message arrives, what else came with it
HANG_GUARD = 600.0  # seconds a scripted user may take in all: never a time limit


@dataclass
class Journey:
    """What one scripted user went through, for the test's verdict and the bench table."""

    uid: int
    acked: bool = False  # saw the reply to their final check-in answer
    done: bool = False  # reached the end (idle after the check-in, schedule shown)
    schedule_acked: bool = False  # saw "Saved" or their schedule in /remind
    resends: int = 0  # replies that never came: /start sent again
    updates: list[float] = field(default_factory=list)  # monotonic time of each update


def pick(msg: SentMessage) -> str:
    """The button a cooperative user taps; fails loudly on a question nobody expected."""
    labels = msg.button_texts
    text = msg.text or ""
    if labels == [t.B_OK]:
        return t.B_OK
    if labels == [t.B_YES, t.B_NO]:
        return t.B_NO
    if labels == [str(i) for i in range(11)]:
        return "4" if t.ASK_PAIN_NOW in text else "6"
    for wanted, tap in (
        (t.SIDE_LABELS[next(iter(t.SIDE_LABELS))], "Left side"),
        (t.B_WALL_NO, t.B_WALL_NO),
        ("No pain", "Buttock"),  # the check-in's reach question has "No pain"
        ("Thigh", "Thigh"),  # the assessment's does not
        (t.B_TRIED_BOTH, t.B_TRIED_BOTH),
        (t.B_TRIED_WORSE, t.B_TRIED_SAME),
        (CENTRALIZING, CENTRALIZING),
        (t.B_START, t.B_START),
        (t.B_NOTHING_NEW, t.B_NOTHING_NEW),
        (t.B_REPEAT, labels[0]),  # an exercise step: Next, or Done on the last
        (remind.B_SET_UP, remind.B_SET_UP),
        ("UTC", "UTC"),
        (remind.B_FIXED, remind.B_FIXED),
    ):
        if wanted in labels:
            return tap
    times = [label for label in labels if ":" in label]
    if times:
        return times[-1]
    raise AssertionError(f"a question the scripted user did not expect: {text!r} {labels}")


class Patient:
    """A scripted user who copes with lost replies the way people do."""

    def __init__(
        self,
        api: FakeBotAPI,
        uid: int,
        *,
        patience: float = 3.0,
        remind: bool = False,
        deadline: float = HANG_GUARD,
    ) -> None:
        self.api = api
        self.journey = Journey(uid)
        self.patience = patience
        self.remind = remind
        self.deadline = deadline
        self._reminding = False

    def _send(self, text: str) -> None:
        self.journey.updates.append(time.monotonic())
        self.api.send_text(self.journey.uid, text)

    def _tap(self, msg: SentMessage, label: str) -> None:
        self.journey.updates.append(time.monotonic())
        self.api.press_button(self.journey.uid, msg, label)

    async def _next(self) -> list[SentMessage]:
        """Everything new in the chat once something arrives; [] when nothing did in time."""
        uid = self.journey.uid
        try:
            first = await self.api.wait_for_message(uid, timeout=self.patience)
        except WaitTimeout:
            return []
        await asyncio.sleep(SETTLE)
        return [first, *self.api.mark_read(uid)]

    async def run(self) -> Journey:
        journey = self.journey
        loop = asyncio.get_running_loop()
        end = loop.time() + self.deadline
        self._send("/start")
        while not journey.done:
            if loop.time() > end:
                raise AssertionError(
                    f"user {journey.uid} did not finish; transcript:\n"
                    f"{self.api.transcript(journey.uid)}"
                )
            batch = await self._next()
            if not batch:
                journey.resends += 1
                self._send("/start")
                continue
            self._act(batch)
        return journey

    def _act(self, batch: Sequence[SentMessage]) -> None:
        journey = self.journey
        if any(CHECKIN_DONE in (m.text or "") for m in batch):
            journey.acked = True
        last = batch[-1]
        text = last.text or ""
        if self._reminding and (remind.B_CHANGE in last.button_texts or remind.SAVED in text):
            journey.schedule_acked = journey.done = True
            return
        if last.buttons:
            self._tap(last, pick(last))
            return
        if any(marker in text for marker in IDLE):
            # idle is only reached through the check-in: it is stored, seen or not
            if self.remind and not journey.schedule_acked:
                self._reminding = True
                self._send("/remind")
                return
            journey.done = True
        # anything else without buttons: wait for the question (or time out and /start)


def checkin_rows(db: dbkit.Db) -> dict[int, list[tuple[str, int, str]]]:
    rows = dbkit.rows(db, "SELECT user_id, answer, pain, reach FROM checkins ORDER BY user_id, id")
    out: dict[int, list[tuple[str, int, str]]] = {}
    for uid, answer, pain, reach in rows:
        out.setdefault(int(uid), []).append((str(answer), int(pain), str(reach)))
    return out


def duplicates(api: FakeBotAPI, journey: Journey) -> list[str]:
    """Messages one turn delivered twice: a run of k identical messages needs k updates.

    Buttons carry the question's sequence number, so two turns never produce the
    same keyboard; a text without buttons ("Welcome back...") legitimately repeats
    when the user re-sent /start, hence the count of updates behind each run.
    """
    found: list[str] = []
    messages = api.sent_to(journey.uid)
    i = 0
    while i < len(messages):
        j = i
        key = (messages[i].text, messages[i].callback_datas)
        while (
            j + 1 < len(messages) and (messages[j + 1].text, messages[j + 1].callback_datas) == key
        ):
            j += 1
        if j > i:
            before = messages[i - 1].at if i else 0.0
            turns = sum(1 for at in journey.updates if before <= at <= messages[j].at)
            if messages[i].buttons or turns < j - i + 1:
                found.append(f"{j - i + 1}x {(messages[i].text or '')[:60]!r}")
        i = j + 1
    return found


async def run_patients(
    api: FakeBotAPI,
    uids: Sequence[int],
    *,
    patience: float,
    remind_every: int = 0,
    deadline: float = HANG_GUARD,
) -> list[Journey]:
    patients = [
        Patient(
            api,
            uid,
            patience=patience,
            remind=bool(remind_every) and i % remind_every == 0,
            deadline=deadline,
        )
        for i, uid in enumerate(uids)
    ]
    return list(await asyncio.gather(*(p.run() for p in patients)))


# ------------------------------------------------------------------------------ tests

USERS = 10
FAULT_KINDS = ("429", "500", "502", "reset", "stall")


async def test_users_finish_under_random_telegram_faults_with_no_lost_or_double_check_in(
    tmp_path: Path,
    bot_db: Db,
) -> None:
    async with FakeBotAPI() as api:
        # the fake is a local server: Telegram's 30 messages/s cap would only slow the run
        settings = settings_for(api, tmp_path, bot_db, SIDEGLIDE_SEND_RATE=0)
        async with running(settings):
            rule = api.fault_rate(
                ["sendMessage", "answerCallbackQuery"],
                p=0.08,
                kinds=FAULT_KINDS,
                seed=8,
                stall_seconds=2.0,
                retry_after=1,
            )
            uids = [50_000 + i for i in range(USERS)]
            journeys = await run_patients(api, uids, patience=3.0)
            rule.cancel()
        kinds = {f.kind for f in api.faults()}
        assert kinds == set(FAULT_KINDS), kinds  # every kind was really injected
        assert len(api.faults()) >= 15
        rows = checkin_rows(settings.SIDEGLIDE_DB)
        for journey in journeys:
            assert rows.get(journey.uid) == [EXPECTED_ROW], api.transcript(journey.uid)
            assert not duplicates(api, journey), api.transcript(journey.uid)
        # a 429 is waited out and retried: the same message then arrives once
        for fault in api.faults("sendMessage"):
            if fault.kind != "429":
                continue
            params = fault.call.params
            later = [
                c
                for c in api.calls("sendMessage", chat_id=fault.chat_id)
                if c.at > fault.at and c.params.get("text") == params.get("text")
            ]
            assert later, f"a reply rate-limited by 429 was not retried: {params.get('text')!r}"


async def test_a_reply_lost_to_a_5xx_a_reset_or_a_stall_is_sent_again_and_arrives_once(
    tmp_path: Path,
    bot_db: Db,
) -> None:
    async with FakeBotAPI() as api, running(settings_for(api, tmp_path, bot_db)):
        injections: dict[int, Callable[[int], object]] = {
            60_001: lambda uid: api.fail("sendMessage", 500, chat_id=uid),
            60_002: lambda uid: api.fail("sendMessage", 502, chat_id=uid),
            60_003: lambda uid: api.reset("sendMessage", chat_id=uid),
            60_004: lambda uid: api.stall("sendMessage", seconds=2.0, chat_id=uid),
        }
        for uid, inject in injections.items():
            inject(uid)
            api.send_text(uid, "/start")
        welcomes = {}
        for uid in injections:
            welcomes[uid] = await api.wait_for_message(uid)
            assert "coach, not a doctor" in (welcomes[uid].text or "")
            # A user's updates are handled one at a time, sends and retries included:
            # once /stop is answered (one message), whatever /start's turn would send
            # has been sent.
            api.send_text(uid, "/stop")
        for uid, welcome in welcomes.items():
            barrier = await api.wait_for_message(uid)
            assert t.NOTHING_RUNNING in (barrier.text or ""), api.transcript(uid)
            calls = api.calls("sendMessage", chat_id=uid)
            attempts = [c for c in calls if c is not barrier.call]
            assert [c.fault is not None for c in attempts] == [True, False], uid
            assert api.sent_to(uid) == [welcome, barrier], api.transcript(uid)

        # lost for good (three 500s in a row): the user's /start shows the question again
        lost = 60_005
        api.fail("sendMessage", 500, times=3, chat_id=lost)
        api.send_text(lost, "/start")
        await api.wait_for_calls("sendMessage", 3, predicate=lambda c: c.chat_id == lost)
        api.send_text(lost, "/start")  # handled once the first turn has given up
        again = await api.wait_for_message(lost)
        # nothing answered yet: the welcome itself again, not "welcome back" (issue 29)
        assert t.WELCOME_BACK not in (again.text or "") and "coach, not a doctor" in (
            again.text or ""
        )
        assert again.button_texts == [t.B_OK]
        # the lost welcome was tried three times, never a fourth; nothing else arrived
        attempts = api.calls("sendMessage", chat_id=lost)
        assert [c.fault is not None for c in attempts] == [True, True, True, False]
        assert api.sent_to(lost) == [again], api.transcript(lost)
