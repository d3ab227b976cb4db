"""The values the fake Bot API hands to tests: what was called, sent, pressed, stored.

Why a module of its own: these are what a test reads and asserts on, and every other
part of the fake builds them; keeping them free of any behaviour lets each part
depend on them without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
ChatKey = int | str


class WaitTimeout(AssertionError, TimeoutError):
    """A wait helper gave up; an AssertionError so pytest shows it as a failed expectation."""


class ApiError(Exception):
    """An answer Telegram gives as ``{"ok": false, ...}``; raised inside method handlers."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def chat_key(value: Any) -> ChatKey | None:
    """A chat id as the fake keys chats: an int, or a string such as "@channel"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return str(value).strip() or None


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part, exactly as the client sent it."""

    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return (
            f"UploadedFile(filename={self.filename!r}, content_type={self.content_type!r}, "
            f"size={self.size})"
        )


@dataclass(eq=False)
class Call:
    """One request to a Bot API method, whatever its outcome (attempts, not deliveries)."""

    method: str
    token: str = field(repr=False)
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float  # time.monotonic() when the request arrived
    http_method: str = "POST"
    encoding: str = "empty"  # "form", "multipart" or "empty" (any other body: no fields)
    status: int | None = None  # HTTP status answered; None while pending, reset or stalled
    response: Any = field(default=None, repr=False)  # the JSON answered, if any
    answered_at: float | None = None  # time.monotonic() when the answer was made
    fault: Fault | None = None  # set when the answer was an injected fault or a block

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> ChatKey | None:
        return chat_key(self.params.get("chat_id"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (the parsed JSON, not a PTB object)."""
        if isinstance(self.response, dict):
            return self.response.get("result")
        return None


@dataclass(eq=False)
class Fault:
    """An injected failure (or a block): what the client got instead of a normal answer."""

    # "429", "500", "502", "http" (other statuses), "reset", "stall", "blocked"; and two
    # that come after the method ran: "executed_stall" (answered late), "garbled"
    kind: str
    method: str
    status: int | None  # None for reset / stall: no HTTP answer at all
    description: str | None
    retry_after: int | None
    chat_id: ChatKey | None
    at: float
    call: Call = field(repr=False)


@dataclass(eq=False)
class StoredFile:
    """A file the fake knows by file_id: uploaded bytes, or a placeholder id."""

    file_id: str
    file_unique_id: str
    kind: str  # "voice", "photo", "document", "sticker" or "animation"
    file_path: str
    data: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    sizes: list[StoredFile] = field(default_factory=list, repr=False)  # photo variants

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)


def inline_buttons(raw: JSON) -> list[JSON]:
    """The buttons of a Message's inline keyboard, row after row."""
    return [b for row in (raw.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def find_button(raw: JSON, label: str) -> JSON:
    """The button labelled ``label`` (exact, else a unique case-insensitive substring)."""
    buttons = inline_buttons(raw)
    exact = [b for b in buttons if b.get("text") == label]
    if not exact:
        exact = [b for b in buttons if label.casefold() in str(b.get("text", "")).casefold()]
    if len(exact) != 1:
        labels = [b.get("text") for b in buttons]
        found = "no" if not exact else "several"
        raise LookupError(f"{found} button matches {label!r}; buttons: {labels}")
    button: JSON = exact[0]
    if "callback_data" not in button:
        raise LookupError(f"button {label!r} has no callback_data: {button}")
    return button


@dataclass(eq=False)
class SentMessage:
    """A message the bot delivered to a chat."""

    chat_id: ChatKey
    message_id: int
    kind: str  # "text", "voice", "photo", "document" or "animation"
    text: str | None  # the text, or the caption of media
    reply_markup: JSON | None  # the inline keyboard as sent
    method: str
    call: Call = field(repr=False)
    raw: JSON = field(repr=False)  # the Bot API Message as the fake returned it
    file: StoredFile | None = None  # for media: the file (largest size for photos)
    uploaded: bool = False  # True when the bytes came with this request (not a file_id)
    at: float = 0.0

    @property
    def caption(self) -> str | None:
        return None if self.kind == "text" else self.text

    @property
    def buttons(self) -> list[list[JSON]]:
        """Rows of the inline keyboard (empty when there is none)."""
        markup = self.raw.get("reply_markup") or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[str]:
        return [str(b.get("text", "")) for b in inline_buttons(self.raw)]

    @property
    def callback_datas(self) -> list[str]:
        return [str(b["callback_data"]) for b in inline_buttons(self.raw) if "callback_data" in b]

    def callback_data(self, label: str) -> str:
        """The callback_data of the button labelled ``label`` (exact, else unique substring)."""
        return str(find_button(self.raw, label)["callback_data"])

    @property
    def data(self) -> bytes | None:
        return None if self.file is None else self.file.data

    @property
    def filename(self) -> str | None:
        return None if self.file is None else self.file.filename


@dataclass(eq=False)
class CallbackPress:
    """A button press sent as a user; ``answer`` fills in when the bot answers the query."""

    id: str
    user_id: int
    chat_id: ChatKey
    message_id: int | None
    data: str
    update: JSON = field(default_factory=dict, repr=False)
    answer: dict[str, Any] | None = None
    answered_at: float | None = None

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass
class WebhookState:
    """The webhook the bot registered (url "" when none), and the last delivery error."""

    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook, by deliver_webhook or auto-delivery."""

    url: str
    update_id: int | None
    secret_token: str | None
    status: int | None  # None when the connection failed
    body: str
    error: str | None
    at: float
