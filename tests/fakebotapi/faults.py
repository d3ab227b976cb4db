"""Making the fake Telegram misbehave on purpose: errors, resets, stalls, delays, blocks.

Two families, because a client must treat them differently: faults where the method
is NOT executed (an error answer, a reset, a stall, a 429 storm: a retry is safe), and
faults that come AFTER it was executed (``stall_after``: the message is delivered and
the answer comes too late; ``garble``: delivered, and answered with something the
client cannot read): there a retry is a duplicate the user sees.

Why a module of its own: a test states what should go wrong (the next sendMessage is
rate limited, a share of calls fail, user 42 blocked the bot); this module keeps those
rules and decides, call by call, which one applies. How a chosen fault is answered
is the dispatcher's business (dispatch.py), the same for every transport.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tests.fakebotapi.records import Call, ChatKey, Fault, chat_key
from tests.fakebotapi.state import FakeState
from tests.fakebotapi.wire import HTTP_PHRASES, methods_set


@dataclass(eq=False)
class FaultRule:
    """A queued failure; consumed in order. ``cancel()`` retires it early."""

    methods: frozenset[str] | None  # None: any method
    # "http", "reset", "stall" (not executed); "executed_stall", "garble" (executed first)
    kind: str
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    chat_id: ChatKey | None = None
    remaining: int | None = 1  # None: forever
    stall_seconds: float = 30.0
    html_body: bool = False
    drop: tuple[str, ...] = ()  # "garble": the path of the field taken out of the result
    hits: int = 0
    active: bool = True

    @property
    def executes(self) -> bool:
        """True when the method runs before this fault strikes."""
        return self.kind in ("executed_stall", "garble")

    def cancel(self) -> None:
        self.active = False

    def _matches(self, method: str, chat: ChatKey | None) -> bool:
        if not self.active or self.remaining == 0:
            return False
        if self.methods is not None and method not in self.methods:
            return False
        return self.chat_id is None or self.chat_id == chat

    def _consume(self) -> None:
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1


@dataclass(eq=False)
class DelayRule:
    """A queued slow answer (``delay``) or a held one (``hold``, until ``release``)."""

    methods: frozenset[str] | None
    seconds: float
    remaining: int | None = 1
    chat_id: ChatKey | None = None
    hits: int = 0
    active: bool = True
    released: bool = False  # set by FakeBotAPI.release: held calls are answered now

    def cancel(self) -> None:
        self.active = False


@dataclass(eq=False)
class Storm:
    """Every matching call answered 429 (retry_after) for ``seconds`` from the first one.

    ``clock`` is the storm's time (the fake's monotonic clock unless a test passes its
    own): the storm's length is a setting, never a guess about a machine's speed.
    """

    methods: frozenset[str] | None
    seconds: float
    retry_after: int
    chat_id: ChatKey | None = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    started: float | None = None  # the first matching call's time
    hits: int = 0
    active: bool = True

    def cancel(self) -> None:
        self.active = False

    @property
    def over(self) -> bool:
        return self.started is not None and self.clock() >= self.started + self.seconds

    def _strikes(self, method: str, chat: ChatKey | None) -> bool:
        if not self.active or (self.methods is not None and method not in self.methods):
            return False
        if self.chat_id is not None and self.chat_id != chat:
            return False
        if self.started is None:
            self.started = self.clock()
        if self.over:
            self.active = False
            return False
        self.hits += 1
        return True


@dataclass(eq=False)
class RandomFaults:
    """A share ``p`` of matching calls fails, with a kind drawn from ``kinds``."""

    methods: frozenset[str] | None
    p: float
    kinds: tuple[str, ...]
    rng: random.Random = field(repr=False)
    stall_seconds: float = 30.0
    retry_after: int = 1
    hits: int = 0
    active: bool = True

    def cancel(self) -> None:
        self.active = False


class FaultsMixin(FakeState):
    """The fault-injection API of FakeBotAPI, and the choice of a fault for a call."""

    # queues the update of a user who blocked the bot: UsersMixin's (users.py), which
    # FakeBotAPI brings in after this class; declared here, not defined, so it stays its
    _push_kicked_update: Callable[[int], None]

    def fail(
        self,
        method: str | Iterable[str],
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> FaultRule:
        """Answer the next ``times`` matching calls with a Telegram error (None = forever).

        ``method`` may be a name, a list of names or "*". Rules are consumed in the order
        they were added. The answer is Telegram's shape, e.g. for 429:
        ``{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after
        1", "parameters": {"retry_after": 1}}``. PTB raises RetryAfter only when
        retry_after is at least 1.
        """
        if description is None:
            phrase = HTTP_PHRASES.get(status, "Error")
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429 and retry_after is not None
                else phrase
            )
        rule = FaultRule(
            methods_set(method),
            "http",
            status=status,
            description=description,
            retry_after=retry_after,
            chat_id=chat_key(chat_id),
            remaining=times,
        )
        self._rules.append(rule)
        return rule

    def reset(
        self, method: str | Iterable[str], times: int | None = 1, chat_id: ChatKey | None = None
    ) -> FaultRule:
        """Close the connection without any answer (the method is not executed)."""
        rule = FaultRule(methods_set(method), "reset", chat_id=chat_key(chat_id), remaining=times)
        self._rules.append(rule)
        return rule

    def stall(
        self,
        method: str | Iterable[str],
        seconds: float = 30.0,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> FaultRule:
        """Hold the request ``seconds`` then drop the connection: a client timeout.

        The method is not executed, so a client retry is not a duplicate.
        """
        rule = FaultRule(
            methods_set(method),
            "stall",
            chat_id=chat_key(chat_id),
            remaining=times,
            stall_seconds=seconds,
        )
        self._rules.append(rule)
        return rule

    def stall_after(
        self,
        method: str | Iterable[str],
        seconds: float = 30.0,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> FaultRule:
        """Execute the next ``times`` matching calls (the message is delivered), then hold
        the answer ``seconds`` before giving it: with ``seconds`` past the client's read
        timeout, the client times out on a request Telegram did execute. A retry of it
        is a message twice."""
        rule = FaultRule(
            methods_set(method),
            "executed_stall",
            chat_id=chat_key(chat_id),
            remaining=times,
            stall_seconds=seconds,
        )
        self._rules.append(rule)
        return rule

    def garble(
        self,
        method: str | Iterable[str],
        drop: str,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> FaultRule:
        """Execute the next ``times`` matching calls, and answer 200 with the result
        missing the field at ``drop`` ("animation.width"): delivered, but an answer the
        client cannot parse into its objects."""
        rule = FaultRule(
            methods_set(method),
            "garble",
            chat_id=chat_key(chat_id),
            remaining=times,
            drop=tuple(drop.split(".")),
        )
        self._rules.append(rule)
        return rule

    def storm(
        self,
        method: str | Iterable[str],
        seconds: float,
        retry_after: int = 2,
        chat_id: ChatKey | None = None,
        clock: Callable[[], float] | None = None,
    ) -> Storm:
        """A 429 storm: every matching call answers 429 with ``retry_after`` until
        ``seconds`` have passed since the first of them (nothing is executed meanwhile).
        ``clock`` measures it (default: time.monotonic)."""
        rule = Storm(
            methods_set(method),
            seconds,
            retry_after,
            chat_key(chat_id),
            clock=clock or time.monotonic,
        )
        self._storms.append(rule)
        return rule

    def delay(
        self,
        method: str | Iterable[str],
        seconds: float,
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> DelayRule:
        """Answer the next ``times`` matching calls normally, but ``seconds`` late."""
        rule = DelayRule(methods_set(method), seconds, times, chat_key(chat_id))
        self._delays.append(rule)
        return rule

    def hold(
        self,
        method: str | Iterable[str],
        times: int | None = 1,
        chat_id: ChatKey | None = None,
    ) -> DelayRule:
        """Keep the next ``times`` matching calls unanswered until ``release(rule)``.

        The call is recorded on arrival (``wait_for_calls`` sees it, ``status`` None) and
        executed normally once released. A test can so act while a request is provably
        in flight, instead of guessing a delay long enough for a slow machine.
        """
        return self.delay(method, float("inf"), times, chat_id)

    def release(self, rule: DelayRule) -> None:
        """Answer now the calls ``rule`` holds (a hold, or a delay cut short); retire it."""
        rule.released = True
        rule.cancel()
        self._bump()

    def fault_rate(
        self,
        methods: str | Iterable[str],
        p: float,
        kinds: Iterable[str] = ("429", "500", "502", "reset", "stall"),
        seed: int | None = None,
        stall_seconds: float = 30.0,
        retry_after: int = 1,
    ) -> RandomFaults:
        """Fail a share ``p`` of matching calls with a random kind (seeded, reproducible).

        Kinds: "429" (with retry_after), any other status code as a string ("500", "503"),
        "502" (an nginx HTML page, as Telegram's front end sends), "reset", "stall".
        Explicit fail/reset/stall rules are checked first.
        """
        kinds_tuple = tuple(kinds)
        for kind in kinds_tuple:
            if kind not in ("reset", "stall") and not kind.isdigit():
                raise ValueError(f"unknown fault kind {kind!r}")
        rule = RandomFaults(
            methods_set(methods),
            p,
            kinds_tuple,
            random.Random(seed),
            stall_seconds,
            retry_after,
        )
        self._random.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Retire every fail/reset/stall/delay/fault_rate/storm rule (blocks stay)."""
        for storm in self._storms:
            storm.cancel()
        self._storms.clear()
        for rule in self._rules:
            rule.cancel()
        for delay in self._delays:
            delay.cancel()
        for rnd in self._random:
            rnd.cancel()
        self._rules.clear()
        self._delays.clear()
        self._random.clear()

    def block_user(self, chat_id: int, notify: bool = False) -> None:
        """Every send to this chat answers 403 "Forbidden: bot was blocked by the user".

        ``notify=True`` also queues the my_chat_member update (status "kicked") Telegram
        sends. A message or press from that user unblocks, as the Telegram app does.
        """
        self._blocked.add(chat_id)
        if notify:
            self._push_kicked_update(chat_id)  # users.py
        self._bump()

    def is_blocked(self, chat_id: ChatKey) -> bool:
        return chat_key(chat_id) in self._blocked

    # ------------------------------------------------------------------ choosing a fault

    def _take_delay(self, call: Call) -> DelayRule | None:
        for rule in self._delays:
            if not rule.active or rule.remaining == 0:
                continue
            if rule.methods is not None and call.method not in rule.methods:
                continue
            if rule.chat_id is not None and rule.chat_id != call.chat_id:
                continue
            rule.hits += 1
            if rule.remaining is not None:
                rule.remaining -= 1
            return rule
        return None

    def _take_fault(self, call: Call) -> FaultRule | None:
        for storm in self._storms:
            if storm._strikes(call.method, call.chat_id):
                return FaultRule(
                    None,
                    "http",
                    status=429,
                    description=f"Too Many Requests: retry after {storm.retry_after}",
                    retry_after=storm.retry_after,
                )
        for rule in self._rules:
            if rule._matches(call.method, call.chat_id):
                rule._consume()
                return rule
        for rnd in self._random:
            if not rnd.active or (rnd.methods is not None and call.method not in rnd.methods):
                continue
            if rnd.rng.random() >= rnd.p:
                continue
            rnd.hits += 1
            kind = rnd.rng.choice(rnd.kinds)
            if kind in ("reset", "stall"):
                return FaultRule(None, kind, stall_seconds=rnd.stall_seconds)
            status = int(kind)
            if status == 429:
                return FaultRule(
                    None,
                    "http",
                    status=429,
                    description=f"Too Many Requests: retry after {rnd.retry_after}",
                    retry_after=rnd.retry_after,
                )
            return FaultRule(
                None,
                "http",
                status=status,
                description=HTTP_PHRASES.get(status, "Error"),
                html_body=status == 502,
            )
        return None

    def _record_fault(
        self,
        call: Call,
        kind: str,
        status: int | None,
        description: str | None,
        retry_after: int | None,
    ) -> Fault:
        fault = Fault(
            kind, call.method, status, description, retry_after, call.chat_id, call.at, call
        )
        call.fault = fault
        self._faults.append(fault)
        self._bump()
        return fault
