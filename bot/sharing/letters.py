"""What the sharing side sends, for any adapter: a rendered message, to whom, about whom.

The message is bot.presentation's (a text with buttons, a chart, a document), so every
adapter delivers a letter as it delivers a turn's messages.

Each letter says whose health data it carries (`about`), so the tests can check
the one promise that matters here: a letter about a patient reaches only that
patient, or a clinician holding a live share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.presentation.i18n import translate
from bot.presentation.messages import Button, Message
from flows.clinician.desk import Desk, pack
from flows.effects import Choice

Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Letter:
    chat_id: int
    about: int | None  # the patient whose data it holds; None: nobody's
    message: Message  # a chart or a document rides in message.file, the text its caption

    @property
    def photo(self) -> bytes | None:
        """The chart it carries, if any."""
        file = self.message.file
        return file.data if file is not None and file.kind == "chart" else None

    @property
    def file(self) -> tuple[str, bytes] | None:
        """The document it carries, if any: (file name, content)."""
        file = self.message.file
        return (file.name, file.data) if file is not None and file.kind != "chart" else None


def button(label: str, value: str) -> Button:
    """A sharing button: "p:<value>", outside the conversation's numbered questions."""
    return Button(label, f"p:{value}")


def keyboard(
    lang: str,
    desk: Desk,
    choices: Sequence[Choice],
    columns: int,
    params: Mapping[str, object],
) -> Rows:
    """A screen's buttons in the reader's language, `columns` to a row, each carrying its
    place in the PT's conversation (flows.clinician.desk.pack)."""
    buttons = [
        button(c.label if c.literal else translate(lang, c.label, params), pack(desk, c.value))
        for c in choices
    ]
    return tuple(tuple(buttons[i : i + columns]) for i in range(0, len(buttons), columns))
