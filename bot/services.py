"""What a handler may use, built once by bot.bootstrap and shared by the adapters.

Every field is typed: storage is reached through its ports (bot.storage.ports),
never through the SQLite classes behind them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.animation.service import AnimationService
from bot.coach.coach import Coach
from bot.config import Settings
from bot.ops.metrics import Metrics
from bot.sharing.clinic import Clinic
from bot.storage.ports import (
    Conversations,
    Health,
    History,
    Inbox,
    Leadership,
    ReminderQueue,
    VoiceFiles,
)
from bot.voice.service import VoiceService
from bot.voice.stt import Transcriber


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    coach: Coach
    clinic: Clinic  # who may see whose progress: the physical therapist's side
    conversations: Conversations
    history: History
    reminders: ReminderQueue
    voice_files: VoiceFiles
    health: Health
    leader: Leadership  # several processes on PostgreSQL: one sends the reminders
    inbox: Inbox  # webhook updates accepted and not yet handled
    metrics: Metrics
    voice: VoiceService | None  # None when SIDEGLIDE_TTS=off
    animations: AnimationService | None  # None when SIDEGLIDE_ANIMATIONS=false
    speech: Transcriber | None = None  # voice notes in; None when SIDEGLIDE_STT=off
