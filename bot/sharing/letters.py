"""What the sharing side sends, for any adapter: a text with buttons, a photo, a file.

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
    message: Message
    photo: bytes | None = None  # the message's text is then the caption
    file: tuple[str, bytes] | None = None  # (file name, content)


def button(label: str, value: str) -> Button:
    """A sharing button: "p:<value>", outside the conversation's numbered questions."""
    return Button(label, f"p:{value}")
