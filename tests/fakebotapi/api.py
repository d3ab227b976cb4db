"""FakeBotAPI: the parts of the fake Telegram assembled into the one object tests use.

Why a module of its own: each concern lives in its own mixin (methods, files, users,
faults, dispatch, the HTTP server, the in-process transport, webhook delivery,
queries, waits); this is where they meet, and where a FakeBotAPI is configured.
"""

from __future__ import annotations

from tests.fakebotapi.inprocess import InProcessMixin
from tests.fakebotapi.server import ServerMixin
from tests.fakebotapi.state import FakeState
from tests.fakebotapi.users import UsersMixin
from tests.fakebotapi.waits import WaitsMixin


class FakeBotAPI(ServerMixin, InProcessMixin, UsersMixin, WaitsMixin):
    """A fake Telegram Bot API: serves the bot, records everything, plays users.

    The bot reaches it over HTTP (``await start()``, then ``base_url`` /
    ``base_file_url``) or in this process with no socket (``in_process_bot(token)``,
    or ``InProcessRequest(api)`` as an Application's request objects).

    ``valid_token``: when set, any other token is answered 401. ``bot_username`` /
    ``bot_first_name``: the bot's identity in getMe and in the updates.
    """

    def __init__(
        self,
        *,
        valid_token: str | None = None,
        host: str = "127.0.0.1",
        bot_username: str = "sideglide_test_bot",
        bot_first_name: str = "Side Glide Coach",
    ) -> None:
        FakeState.__init__(
            self,
            valid_token=valid_token,
            host=host,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
        )
        self._handlers = self._method_handlers()
