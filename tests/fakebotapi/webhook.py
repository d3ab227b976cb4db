"""Telegram's side of a webhook: POSTing updates to the bot, in order, until it accepts.

Why a module of its own: with a webhook set, the fake is the client and the bot the
server. Deliveries go out over a real HTTP client whatever transport the bot uses to
call the API, are retried with back-off like Telegram's, and are recorded so tests
can read what the bot's endpoint answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import aiohttp

from tests.fakebotapi.methods import MethodsMixin
from tests.fakebotapi.records import JSON, WebhookDelivery


class WebhookMixin(MethodsMixin):
    """deliver_webhook for tests, and the worker that auto-delivers pending updates."""

    _session: aiohttp.ClientSession | None = None  # open while the server runs
    _worker: asyncio.Task[None] | None = None

    def _start_webhook_delivery(self) -> None:
        self._session = aiohttp.ClientSession()
        self._worker = asyncio.create_task(self._webhook_worker(), name="fakebotapi-webhook")

    async def _stop_webhook_delivery(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def deliver_webhook(
        self,
        url: str,
        update: JSON,
        secret_token: str | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, str]:
        """POST one update to a webhook as Telegram does; returns (status, body text).

        An update without update_id gets the next one (it is not queued for getUpdates).
        Connection errors propagate (aiohttp.ClientError / TimeoutError).
        """
        body = dict(update)
        if "update_id" not in body:
            body = {"update_id": self._next_update_id, **body}
            self._next_update_id += 1
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        session = self._session
        own_session = session is None
        if session is None:
            session = aiohttp.ClientSession()
        update_id = body.get("update_id")
        try:
            async with session.post(
                url,
                data=json.dumps(body),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.webhook_deliveries.append(
                WebhookDelivery(
                    url, update_id, secret_token, None, "", repr(exc), time.monotonic()
                )
            )
            self._bump()
            raise
        finally:
            if own_session:
                await session.close()
        self.webhook_deliveries.append(
            WebhookDelivery(url, update_id, secret_token, status, text, None, time.monotonic())
        )
        self._bump()
        return status, text

    async def _webhook_worker(self) -> None:
        """Deliver queued updates to the registered webhook, in order, one at a time."""
        backoff = 0.05
        while not self._closing:
            hook = self.webhook
            if not (hook.url and self._pending):
                await self._wait_change(None)
                continue
            update = self._pending[0]
            if not self._is_allowed(update, self._allowed_updates):
                self._pending.pop(0)
                self._bump()
                continue
            error: str | None = None
            try:
                status, body = await self.deliver_webhook(hook.url, update, hook.secret_token)
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {body[:100]}"
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {exc!r}"
            if error is None:
                if self._pending and self._pending[0] is update:
                    self._pending.pop(0)
                self._bump()
                backoff = 0.05
            else:
                self.webhook.last_error_date = int(time.time())
                self.webhook.last_error_message = error
                await self._sleep(backoff)
                backoff = min(backoff * 2, 1.0)
