"""The README a newcomer reads: short, every link resolves, generated parts match the code."""

from __future__ import annotations

import re
from pathlib import Path

from bot.presentation.texts import COMMAND_DESCRIPTIONS

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def commands_block() -> str:
    """The menu Telegram shows, as the README lists it (bot.presentation.texts)."""
    return "\n".join(f"- /{name}: {text}" for name, text in COMMAND_DESCRIPTIONS.items())


def test_the_readme_is_read_in_minutes() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 250, len(lines)
    text = "\n".join(lines)
    assert "make run" in text and "make test" in text


def test_every_relative_link_resolves() -> None:
    pages = [README, *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_the_commands_are_the_menus() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- commands: generated -->\n(.*?)\n<!-- /commands -->", text, re.S)
    assert block is not None, "README.md lacks the generated command list"
    assert block.group(1).strip() == commands_block(), (
        "the README's command list is stale: paste tests.test_readme.commands_block()"
    )
