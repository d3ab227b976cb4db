"""Everything a handler needs, built once at start and shared by the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.coach.coach import Coach
from bot.config import Settings
from bot.storage.sqlite.conversation import Store
from bot.telegram.throttle import Throttle


@dataclass
class Services:
    settings: Settings
    store: Store
    coach: Coach
    voice: Any = None  # bot.voice.service.VoiceService when voice is on
    metrics: Any = None  # bot.ops.metrics.Metrics
    throttle: Throttle = field(default_factory=Throttle)
    extras: dict[str, Any] = field(default_factory=dict)
