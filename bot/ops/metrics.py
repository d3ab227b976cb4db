"""Prometheus metrics for the bot, in a registry of their own.

A private :class:`CollectorRegistry` (not prometheus-client's global one) lets tests and
benchmarks build as many ``Metrics`` as they like without "duplicated timeseries" errors,
and keeps /metrics limited to what this bot exports.

Label values are closed sets (see the ``Literal`` aliases) so a bug cannot explode the
number of series; the known values are created at zero so dashboards and alerts see a
flat line instead of a missing one.
"""

from __future__ import annotations

from typing import Literal, get_args

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.process_collector import ProcessCollector

__all__ = [
    "CONTENT_TYPE",
    "HANDLER_BUCKETS",
    "Metrics",
    "ReminderResult",
    "SendResult",
    "TtsCacheResult",
    "WebhookResult",
]

# The classic text format; what generate_latest() writes when no Accept header asks for
# anything else.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# "fallback": a media send Telegram refused (or answered unreadably), sent as its text
SendResult = Literal["ok", "retry", "blocked", "error", "fallback"]
# the reminder ticker's own report (bot.reminders.ticker.TickReport), counted per tick
ReminderResult = Literal[
    "sent", "skipped", "blocked", "failed", "deferred", "held_back", "retry_later", "after_crash"
]
TtsCacheResult = Literal["hit", "miss", "failure"]
# what the webhook server answered a request (bot.telegram.webhook)
WebhookResult = Literal["accepted", "forbidden", "too_large", "invalid", "throttled", "error"]

# Handlers mostly finish in a few ms (a state step and a SQLite write); a voice render or
# a slow Telegram reply takes seconds. Fine at the bottom, coarse at the top.
HANDLER_BUCKETS: tuple[float, ...] = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)


class Metrics:
    """Every metric the bot exports; one instance per process, passed to who counts."""

    def __init__(self, *, process_metrics: bool = True) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        if process_metrics:
            # CPU, memory and open fds of this process (Linux only; a no-op elsewhere).
            ProcessCollector(registry=self.registry)
        self.updates = Counter(
            "sideglide_updates_total",
            "Telegram updates received, by kind (message, callback_query, command...).",
            ["kind"],
            registry=self.registry,
        )
        self.errors = Counter(
            "sideglide_errors_total",
            "Unhandled errors, by where they surfaced (handler, job, send...).",
            ["where"],
            registry=self.registry,
        )
        self.sends = Counter(
            "sideglide_sends_total",
            "Bot API send calls, by method and result (ok, retry, blocked, error, fallback: "
            "a media send refused, its text and buttons sent without it).",
            ["method", "result"],
            registry=self.registry,
        )
        self.send_timeouts = Counter(
            "sideglide_send_timeouts_total",
            "Bot API requests that timed out after they were written, by method: not "
            "retried, since Telegram may have executed them (a retry could repeat a message).",
            ["method"],
            registry=self.registry,
        )
        self.reminders = Counter(
            "sideglide_reminders_total",
            "Reminders due, by what became of them: sent, skipped (held back by the "
            "conversation), blocked, failed, deferred (user busy), held_back (quiet hours), "
            "retry_later, after_crash (sent again: a stopped process had it in flight).",
            ["result"],
            registry=self.registry,
        )
        self.webhook = Counter(
            "sideglide_webhook_requests_total",
            "Requests to the webhook, by what they got: accepted (stored), forbidden (no or "
            "a wrong secret), too_large (refused unread), invalid (not an update), "
            "throttled (over the user's limit, not stored), error (could not be stored).",
            ["result"],
            registry=self.registry,
        )
        self.tts_cache = Counter(
            "sideglide_tts_cache_total",
            "Voice clip lookups, by result (hit, miss, failure).",
            ["result"],
            registry=self.registry,
        )
        self.handler_seconds = Histogram(
            "sideglide_handler_seconds",
            "Time to handle one update, from receipt to the last reply sent.",
            buckets=HANDLER_BUCKETS,
            registry=self.registry,
        )
        for result in get_args(ReminderResult):
            self.reminders.labels(result=result)
        for result in get_args(TtsCacheResult):
            self.tts_cache.labels(result=result)
        for result in get_args(WebhookResult):
            self.webhook.labels(result=result)

    # Typed shorthands: the Literal parameters let mypy catch a misspelt label value.

    def count_update(self, kind: str) -> None:
        self.updates.labels(kind=kind).inc()

    def count_error(self, where: str) -> None:
        self.errors.labels(where=where).inc()

    def count_send(self, method: str, result: SendResult) -> None:
        self.sends.labels(method=method, result=result).inc()

    def count_send_timeout(self, method: str) -> None:
        self.send_timeouts.labels(method=method).inc()

    def count_reminder(self, result: ReminderResult, n: int = 1) -> None:
        self.reminders.labels(result=result).inc(n)

    def count_webhook(self, result: WebhookResult) -> None:
        self.webhook.labels(result=result).inc()

    def count_tts_cache(self, result: TtsCacheResult) -> None:
        self.tts_cache.labels(result=result).inc()

    def render(self) -> bytes:
        """The registry in Prometheus text exposition format (see ``CONTENT_TYPE``)."""
        return generate_latest(self.registry)
