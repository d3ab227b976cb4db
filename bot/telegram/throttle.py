"""Per-user flood control: one user hammering the bot must not slow the others.

A token bucket per user, kept only for users active in the last minutes; the
first update over the limit gets one "slow down" reply, the rest are dropped
(a tap is still answered so the phone stops spinning). Button presses cost
the same as messages: a flood is a flood.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Allowance(Enum):
    OK = "ok"
    WARN = "warn"  # first refusal: tell the user once
    DROP = "drop"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class Throttle:
    def __init__(
        self,
        rate: float = 4.0,
        burst: float = 12.0,
        max_users: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.max_users, self.clock = rate, burst, max_users, clock
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def check(self, user_id: int) -> Allowance:
        now = self.clock()
        bucket = self._buckets.pop(user_id, None)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        self._buckets[user_id] = bucket  # most recent last: the oldest are evicted first
        while len(self._buckets) > self.max_users:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            # only a user who has calmed down (bucket refilled) is warned again: in a
            # sustained flood the odd update that fits the rate must not re-arm it
            if bucket.tokens >= self.burst - 1.0:
                bucket.warned = False
            return Allowance.OK
        if not bucket.warned:
            bucket.warned = True
            return Allowance.WARN
        return Allowance.DROP
