"""When a Bot API call is tried again, and when it must not be.

The one question behind every rule here: could Telegram already have executed the
request? A message sent twice is a bug the user sees (two welcomes, two cards with the
same buttons); a reply lost is one too. So:

- 429 (flood control): Telegram executed nothing and says when to come back. The call
  waits `retry_after` and is tried again, as often as it takes, until it is delivered
  or `RETRY_AFTER_BUDGET_S` (60 s) have passed since its first try. A storm of a few
  seconds never loses a reply; a reply older than a minute is not worth sending.
  While one call waits, the others wait too (Telegram's flood control is the bot's).
- Provably not executed: no connection could be made, the pool had none free (the
  transport's `NotSent`), or an answer 5xx / a dropped connection without any answer.
  A send is retried after `SEND_BACKOFF` (0.3 s, then 1 s).
- Written, then timed out: Telegram may have executed it, so it is never retried
  (a retry could repeat the message); it is counted in
  `sideglide_send_timeouts_total` so an operator sees how often it happens.
- Any other answer (400, 403...) is Telegram's word about the request: never retried.

Only sends are retried after a 5xx or a reset: an edit or a callback answer that comes
late is worth less than none. Every method waits out a 429.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

from bot.ops.metrics import Metrics
from bot.telegram.transport import NotSent

log = logging.getLogger(__name__)

SEND_BACKOFF = (0.3, 1.0)  # seconds before each retry of a send that provably did not arrive
RETRY_AFTER_BUDGET_S = 60.0  # a call rate limited for longer than this is given up
RETRY_AFTER_MARGIN_S = 0.1  # Telegram's retry_after is whole seconds: do not come back early

Result = bool | dict[str, Any] | list[dict[str, Any]]


def retry_after_seconds(exc: RetryAfter) -> float:
    delay: Any = exc.retry_after  # a timedelta with PTB_TIMEDELTA, else int seconds
    return float(delay.total_seconds() if hasattr(delay, "total_seconds") else delay)


class SendPolicy(AIORateLimiter):
    """PTB's AIORateLimiter (the overall send cap) with the retry rules above.

    AIORateLimiter retries 429s itself up to `max_retries` times; here it is built with
    none, and this class does the waiting, by the clock rather than by a count.
    `clock` and `sleep` are the time this policy lives in (tests pass virtual ones).
    """

    def __init__(
        self,
        metrics: Metrics,
        *,
        budget_s: float = RETRY_AFTER_BUDGET_S,
        backoff: tuple[float, ...] = SEND_BACKOFF,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_retries=0, **kwargs)
        self.metrics = metrics
        self.budget_s = budget_s
        self.backoff = backoff
        self.clock = clock
        self.sleep = sleep
        self._resume_at = 0.0  # no call starts before this (Telegram's flood wait)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        started = self.clock()
        backoff = iter(self.backoff if endpoint.startswith("send") else ())
        while True:
            await self._flood_wait()
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # a NetworkError to PTB, but Telegram's answer about the call
                raise
            except RetryAfter as exc:
                wait = retry_after_seconds(exc) + RETRY_AFTER_MARGIN_S
                if self.clock() + wait - started > self.budget_s:
                    log.warning(
                        "%s still rate limited after %.0f s; given up",
                        endpoint,
                        self.clock() - started,
                    )
                    raise
                log.info("%s rate limited; trying again in %.1f s", endpoint, wait)
                self.metrics.count_send(endpoint, "retry")
                self._resume_at = max(self._resume_at, self.clock() + wait)
            except TimedOut as exc:
                if not isinstance(exc, NotSent):
                    # written, then no answer in time: it may have arrived
                    self.metrics.count_send_timeout(endpoint)
                    log.warning("%s timed out after it was sent; not repeated", endpoint)
                    raise
                await self._back_off(endpoint, exc, backoff)
            except NetworkError as exc:  # 5xx, a refused or dropped connection
                await self._back_off(endpoint, exc, backoff)

    async def _flood_wait(self) -> None:
        while (delay := self._resume_at - self.clock()) > 0:
            await self.sleep(delay)

    async def _back_off(self, endpoint: str, exc: NetworkError, delays: Any) -> None:
        delay = next(delays, None)
        if delay is None:
            raise exc
        log.info("%s failed (%s); retrying in %.1f s", endpoint, type(exc).__name__, delay)
        self.metrics.count_send(endpoint, "retry")
        await self.sleep(delay)
