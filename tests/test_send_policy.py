"""The send policy's rules one by one, in virtual time (bot/telegram/policy.py).

The end-to-end tests (test_hardening_sends.py) show each rule against the fake Bot
API in real time; here the clock is the test's, so the 60 s budget of a 429 storm is
checked to the second without waiting a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.ops.metrics import Metrics
from bot.telegram.policy import RETRY_AFTER_BUDGET_S, SendPolicy
from bot.telegram.transport import NOT_SENT, NotSent

Outcome = BaseException | str | bool  # an error raised, or the call's result


class VirtualTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def scripted(
    outcomes: Sequence[Outcome],
) -> tuple[Callable[..., Coroutine[Any, Any, Any]], list[int]]:
    """A Bot API call that answers each try with the next outcome (an error raised)."""
    tries: list[int] = []

    async def call(*_: Any, **__: Any) -> Any:
        tries.append(1)
        outcome = outcomes[min(len(tries), len(outcomes)) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return {"ok": outcome}

    return call, tries


def policy(time: VirtualTime, metrics: Metrics | None = None) -> SendPolicy:
    return SendPolicy(
        metrics or Metrics(process_metrics=False),
        clock=time.clock,
        sleep=time.sleep,
        overall_max_rate=0,
        overall_time_period=0,
    )


async def run(p: SendPolicy, call: Any, endpoint: str = "sendMessage") -> Any:
    return await p.process_request(call, (), {}, endpoint, {"chat_id": 42}, None)


def retry_after(seconds: int) -> RetryAfter:
    return RetryAfter(timedelta(seconds=seconds))


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return value or 0.0


async def test_a_429_storm_is_waited_out_until_the_message_is_delivered() -> None:
    time = VirtualTime()
    call, tries = scripted([retry_after(5)] * 10 + ["sent"])  # a 50 s storm
    assert await run(policy(time), call) == {"ok": "sent"}
    assert len(tries) == 11
    assert all(s >= 5 for s in time.slept)  # never sooner than Telegram said


async def test_a_429_storm_longer_than_a_minute_is_given_up() -> None:
    time = VirtualTime()
    call, tries = scripted([retry_after(7)])  # forever
    start = time.now
    with pytest.raises(RetryAfter):
        await run(policy(time), call)
    assert time.now - start <= RETRY_AFTER_BUDGET_S
    # it waited as long as the budget allowed: one more wait would have passed it
    assert time.now - start + 7.1 > RETRY_AFTER_BUDGET_S
    assert len(tries) == 9  # 8 waits of 7.1 s = 56.8 s; a 9th would pass 60


async def test_while_one_call_waits_out_a_429_the_next_waits_too() -> None:
    time = VirtualTime()
    p = policy(time)
    first, _ = scripted([retry_after(3), "a"])
    await run(p, first)
    # Telegram's flood wait is the bot's: a call started during it waits for its end
    time.now -= 2.0  # as if this call came 2 s into the 3 s wait
    second, _ = scripted(["b"])
    await run(p, second)
    assert time.slept[-1] == pytest.approx(2.0)


async def test_a_send_that_timed_out_after_it_was_written_is_never_repeated() -> None:
    time, metrics = VirtualTime(), Metrics(process_metrics=False)
    call, tries = scripted([TimedOut(), "would be a second copy"])
    with pytest.raises(TimedOut):
        await run(policy(time, metrics), call, "sendVoice")
    assert len(tries) == 1
    assert sample(metrics, "sideglide_send_timeouts_total", method="sendVoice") == 1


async def test_a_send_that_provably_did_not_leave_is_retried_with_backoff() -> None:
    time = VirtualTime()
    for failure in (NotSent(NOT_SENT), NetworkError("Bad Gateway"), NetworkError("reset")):
        call, tries = scripted([failure, failure, "sent"])
        assert await run(policy(time), call) == {"ok": "sent"}
        assert len(tries) == 3
    call, tries = scripted([NetworkError("Internal Server Error")])
    with pytest.raises(NetworkError):
        await run(policy(time), call)
    assert len(tries) == 3  # two retries (0.3 s, 1 s), then given up


async def test_only_sends_are_retried_after_a_5xx_and_nothing_after_a_400() -> None:
    time = VirtualTime()
    call, tries = scripted([NetworkError("Bad Gateway"), True])
    with pytest.raises(NetworkError):
        await run(policy(time), call, "answerCallbackQuery")
    assert len(tries) == 1
    call, tries = scripted([BadRequest("wrong file identifier")])
    with pytest.raises(BadRequest):
        await run(policy(time), call, "sendAnimation")
    assert len(tries) == 1
    call, tries = scripted([retry_after(1), True])  # a 429 is waited out by every method
    assert await run(policy(time), call, "answerCallbackQuery") == {"ok": True}
