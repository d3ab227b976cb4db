"""A set's cost to the user: messages and taps from a reminder's "Start now" to the stored
check-in, and how soon the first message arrives with a cold and a warm voice cache.

Counts: the real flow (flows.advance) with a controlled clock, every turn's effects
grouped into messages exactly as both adapters send them
(bot.presentation.messages.merge_says: joined texts are one message, a voiced message
is one voice note with its caption). Sets are 3 hours apart, as the reminders space
them, so the "anything new?" check is asked each time. Counted in every language.

Latency: the real bot against the fake Bot API over loopback HTTP, espeak-ng for
speech. A user taps "Start now" on a ping; the time to the bot's first message is
measured with an empty voice cache (the text goes out at once, the note follows) and
with a warm one (the message is the voice note, sent by file_id), against the same
bot with voice off (the baseline: what the reply costs without any speech).

Run: .venv/bin/python bench/bench_set.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.presentation import callbacks
from bot.presentation.messages import Joined, merge_says
from flows import texts as t
from flows.effects import Choice, Effect, RecordCheckIn, Say, Speak, SpeakGuided
from flows.engine import choices
from flows.events import Press, ReminderPress
from flows.session import State
from tests.botkit import User, running, settings_for
from tests.fakebotapi import FakeBotAPI
from tests.flowkit import Script
from tests.test_e2e_telegram import onboard

LANGS = ("en", "es", "de", "ru")
BUDGET = {"learn": 10, "repeat": 3, "repeat_taps": 2, "checkin_taps": 3}


@dataclass
class Cost:
    messages: int = 0  # bot messages from "Start now" up to the check-in's first question
    taps: int = 0  # taps after "Start now" up to the check-in's first question
    checkin_taps: int = 0  # taps in the check-in, to the stored row
    checkin_messages: int = 0


def messages(effects: tuple[Effect, ...], lang: str, voice: bool) -> int:
    shown = merge_says(effects, voice, lang)
    count = sum(1 for e in shown if not isinstance(e, (Speak, SpeakGuided)) or voice)
    # a message sent as the set's animation has its voice note follow as its own message
    both = [
        e for e in shown if isinstance(e, Joined) and e.says[-1].animation and e.says[-1].voice
    ]
    return count + (len(both) if voice else 0)


def one_set(s: Script, lang: str, answer: str) -> Cost:
    """From the ping's Start now to the stored check-in, tapping what a user would."""
    cost = Cost()
    voice = s.session.voice
    out = s.send(ReminderPress("start"))
    cost.messages += messages(out.effects, lang, voice)
    while s.session.state != State.CHECK_ANSWER:
        value = {State.PRESET: "nothing", State.SET_CARD: "done"}.get(s.session.state, "next")
        assert value in [c.value for c in choices(s.session)], s.session.state
        out = s.send(Press(s.session.seq, value))
        cost.taps += 1
        if out.session.state == State.CHECK_ANSWER:
            cost.messages += 1  # the check-in's first question (with "set done")
            cost.checkin_messages += messages(out.effects, lang, voice) - 1
        else:
            cost.messages += messages(out.effects, lang, voice)
    for value in (answer, "4", "buttock") if answer != "all_gone" else (answer, "yes"):
        out = s.send(Press(s.session.seq, value))
        cost.checkin_taps += 1
        cost.checkin_messages += messages(out.effects, lang, voice)
        if any(isinstance(e, RecordCheckIn) for e in out.effects):
            break
    else:
        raise AssertionError("no check-in stored")
    return cost


def counts(lang: str, voice: bool) -> dict[str, Cost]:
    s = Script()
    s.session = s.session.__class__(language=lang, voice=voice)
    s.onboard().press("later").wait(3)
    learn = one_set(s, lang, "centralizing")
    s.wait(3)
    repeat = one_set(s, lang, "centralizing")
    s.wait(3)
    gone = one_set(s, lang, "all_gone")
    return {"learn": learn, "repeat": repeat, "all_gone": gone}


# --- latency on the real bot --------------------------------------------------------------

PING = Say(t.PING, choices=(Choice("start", t.B_START),), reminder=True)
START_NOW = callbacks.encode(PING, PING.choices[0])


async def first_message_ms(tts: str, rounds: int) -> tuple[list[float], list[float]]:
    """(cold, warm) times from "Start now" to the first message, in ms, one user each."""
    cold: list[float] = []
    warm: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI() as api:
            settings = settings_for(
                api, Path(tmp), Path(tmp) / "sideglide.sqlite3", SIDEGLIDE_TTS=tts
            )
            cache = Path(settings.SIDEGLIDE_AUDIO_CACHE)
            async with running(settings):
                for i in range(rounds * 2):
                    is_cold = i < rounds
                    user = User(api, 50_000 + i)
                    await onboard(user)
                    offer = user.last
                    assert offer is not None
                    if is_cold:  # no clip on disk: the step's note must be made now
                        await asyncio.to_thread(_empty, cache)
                    await asyncio.sleep(1.0)  # onboarding's own sends settle first
                    before = len(api.sent_to(user.id))
                    started = time.perf_counter()
                    api.press(user.id, offer, START_NOW, check=False)

                    def answered(u: User = user, b: int = before) -> bool:
                        return len(api.sent_to(u.id)) > b

                    await api.wait_for(answered)
                    (cold if is_cold else warm).append((time.perf_counter() - started) * 1000)
                    first = api.sent_to(user.id)[before]
                    if tts != "off":
                        expected = "text" if is_cold else "voice"
                        assert first.kind == expected, (first.kind, expected)
                        if is_cold:  # the note follows; let it land before the next user
                            await user.expect(kind="voice", timeout=120)
    return cold, warm


def _empty(cache: Path) -> None:
    for clip in cache.rglob("*.ogg"):
        clip.unlink()


def ms(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="users timed per cache state")
    args = parser.parse_args()

    print("messages and taps, from a ping's Start now to the stored check-in (warm voice)")
    print(f"{'lang':5} {'voice':5} {'set':9} {'messages':>8} {'taps':>5} {'check-in taps':>14}")
    worst = {"learn": 0, "repeat": 0, "repeat_taps": 0, "checkin_taps": 0}
    for lang in LANGS:
        for voice in (True, False):
            for name, cost in counts(lang, voice).items():
                print(
                    f"{lang:5} {'on' if voice else 'off':5} {name:9} {cost.messages:8d} "
                    f"{cost.taps:5d} {cost.checkin_taps:14d}"
                )
                if name == "learn":
                    worst["learn"] = max(worst["learn"], cost.messages)
                if name == "repeat":
                    worst["repeat"] = max(worst["repeat"], cost.messages)
                    worst["repeat_taps"] = max(worst["repeat_taps"], cost.taps)
                worst["checkin_taps"] = max(worst["checkin_taps"], cost.checkin_taps)
    for key, value in worst.items():
        verdict = "ok" if value <= BUDGET[key] else "OVER BUDGET"
        print(f"worst {key}: {value} (budget {BUDGET[key]}) {verdict}")

    print()
    print(f"time from Start now to the first message, median of {args.rounds} users (ms)")
    early, late = await first_message_ms("off", args.rounds)
    base = early + late  # voice off: no cache, every user alike
    cold, warm = await first_message_ms("espeak", args.rounds)
    baseline = statistics.median(base)
    print(f"voice off (baseline) {ms(base)}")
    print(f"voice, cold cache    {ms(cold)}   ratio {statistics.median(cold) / baseline:5.2f}")
    print(f"voice, warm cache    {ms(warm)}   ratio {statistics.median(warm) / baseline:5.2f}")
    verdict = "ok" if statistics.median(cold) <= 300 else "OVER"
    print(f"budget for the cold cache: 300 ms: {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
