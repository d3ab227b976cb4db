"""What the sharing side sends, for any adapter: a rendered message, to whom, about whom.

The message is bot.presentation's (a text with buttons, a chart, a document), so every
adapter delivers a letter as it delivers a turn's messages.

Each letter says whose health data it carries (`about`), so the tests can check
the one promise that matters here: a letter about a patient reaches only that
patient, or a clinician holding a live share.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.presentation.messages import Button, Message


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
