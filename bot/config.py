"""Settings from the environment (and a `.env` file), validated once at start.

A bad value must stop the process with one line naming the variable, never a
traceback: operators read that line in a systemd journal or a CI log.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_BASE_FILE_URL = "https://api.telegram.org/file/bot"
PG_SCHEMES = ("postgresql", "postgres")
MIN_WEBHOOK_SECRET = 32  # characters: 192 bits and more from token_urlsafe's alphabet
# the model names faster-whisper knows (SIDEGLIDE_STT_MODEL: one of these, or a folder)
STT_MODELS = (
    *("tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium"),
    *("large-v1", "large-v2", "large-v3", "large", "large-v3-turbo", "turbo"),
    *("distil-small.en", "distil-medium.en", "distil-large-v2", "distil-large-v3"),
    "distil-large-v3.5",
)


class ConfigError(Exception):
    """One clear line for the operator."""


def _host_port(value: str, name: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{name} must be HOST:PORT, got {value!r}")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=True, env_ignore_empty=True
    )

    TELEGRAM_BOT_TOKEN: SecretStr | None = None
    TELEGRAM_BASE_URL: str = DEFAULT_BASE_URL
    TELEGRAM_BASE_FILE_URL: str = DEFAULT_BASE_FILE_URL
    # a file path (SQLite, the default) or postgresql://user:password@host/dbname
    SIDEGLIDE_DB: str = "var/sideglide.sqlite3"
    SIDEGLIDE_TTS: Literal["gtts", "espeak", "off"] = "gtts"
    SIDEGLIDE_AUDIO_CACHE: Path = Path("var/audio")
    SIDEGLIDE_ANIMATIONS: bool = True
    # voice notes in: transcribed on this machine (README, "Answers in your own words")
    SIDEGLIDE_STT: Literal["on", "off"] = "off"
    SIDEGLIDE_STT_MODEL: str = "tiny.en"
    SIDEGLIDE_WEBHOOK_URL: str | None = None
    SIDEGLIDE_WEBHOOK_SECRET: SecretStr | None = None
    # behind the TLS proxy on the same host; the container sets 0.0.0.0 (deploy/)
    SIDEGLIDE_LISTEN: str = "127.0.0.1:8443"
    SIDEGLIDE_HEALTH_LISTEN: str | None = "127.0.0.1:8081"
    SIDEGLIDE_PROGRESS_AFTER: int = Field(default=3, ge=1, le=20)
    SIDEGLIDE_REMINDER_RATE: float = Field(default=25.0, gt=0, le=1000)
    SIDEGLIDE_REMINDER_TICK: float = Field(default=10.0, ge=0.2, le=300)
    # seconds a process may hold a due reminder it is sending; when one dies mid-ping,
    # another sends the ping once this has run out
    SIDEGLIDE_REMINDER_LEASE: float = Field(default=300.0, ge=1, le=3600)
    # webhook mode: seconds an accepted update may take before another process (or this
    # one restarted) handles it, its own having died
    SIDEGLIDE_UPDATE_LEASE: float = Field(default=60.0, ge=1, le=3600)
    # Telegram's overall limit is about 30 messages/s per bot; 0 turns the limiter's
    # overall cap off (a local Bot API server in load tests)
    SIDEGLIDE_SEND_RATE: float = Field(default=30.0, ge=0, le=10_000)
    # per-user flood control: messages a second (and a burst of 3 s worth); 0 = off
    SIDEGLIDE_USER_RATE: float = Field(default=4.0, ge=0, le=10_000)
    SIDEGLIDE_CONCURRENCY: int = Field(default=32, ge=1, le=1024)
    SIDEGLIDE_LOG_FORMAT: Literal["text", "json"] = "text"
    SIDEGLIDE_LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("TELEGRAM_BOT_TOKEN")
    @classmethod
    def _token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None or not v.get_secret_value().strip():
            return None
        token = v.get_secret_value().strip()
        head, sep, tail = token.partition(":")
        if not sep or not head.isdigit() or len(tail) < 20:
            raise ValueError("does not look like a bot token (expected 123456:ABC...)")
        return SecretStr(token)

    @field_validator("SIDEGLIDE_DB", mode="before")
    @classmethod
    def _db(cls, v: object) -> str:
        text = str(v).strip()
        if not text:
            raise ValueError("must be a file path or a postgresql:// URL")
        scheme, sep, rest = text.partition("://")
        if sep and scheme.lower() not in PG_SCHEMES:
            raise ValueError(f"{scheme}:// is not supported: use a file path or postgresql://")
        if sep and not rest.strip("/"):
            raise ValueError("a postgresql:// URL needs a host or a database name")
        if not sep and ":" in text.split("/")[0] and text != ":memory:":
            # "postgresql:/x" or "mysql:x": a typo'd URL must not become a folder
            raise ValueError("neither a file path nor a postgresql:// URL")
        return text

    @field_validator("TELEGRAM_BASE_URL", "TELEGRAM_BASE_FILE_URL")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @field_validator("SIDEGLIDE_WEBHOOK_URL")
    @classmethod
    def _webhook(cls, v: str | None) -> str | None:
        if v and not v.startswith("https://") and not v.startswith("http://127.0.0.1"):
            raise ValueError("must be an https:// URL")
        return v or None

    @field_validator("SIDEGLIDE_WEBHOOK_SECRET")
    @classmethod
    def _secret(cls, v: SecretStr | None) -> SecretStr | None:
        # Telegram refuses other secrets at setWebhook, far from where the value was set
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v.get_secret_value()):
            raise ValueError("must be 1-256 characters from A-Z a-z 0-9 _ -")
        # the secret is all that stands between the internet and a forged /forget: a short
        # one is guessed in seconds (a 2-character one was, at 1,200 tries a second)
        if v is not None and len(v.get_secret_value()) < MIN_WEBHOOK_SECRET:
            raise ValueError(
                f"must have at least {MIN_WEBHOOK_SECRET} characters (make one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(32))")'
            )
        return v

    @field_validator("SIDEGLIDE_STT_MODEL")
    @classmethod
    def _stt_model(cls, v: str) -> str:
        name = v.strip()
        if name in STT_MODELS:
            return name
        folder = Path(name).expanduser()
        if folder.is_dir():
            if not (folder / "model.bin").is_file():
                raise ValueError(f"{name} has no model.bin (a CTranslate2 Whisper model folder)")
            return name
        if "/" in name or name.startswith("."):
            raise ValueError(f"no such folder: {name}")
        raise ValueError(f"unknown model {name!r}: a folder, or one of {', '.join(STT_MODELS)}")

    @field_validator("SIDEGLIDE_LISTEN")
    @classmethod
    def _listen(cls, v: str) -> str:
        return _host_port(v, "SIDEGLIDE_LISTEN")

    @field_validator("SIDEGLIDE_HEALTH_LISTEN")
    @classmethod
    def _health(cls, v: str | None) -> str | None:
        if not v or v.lower() == "off":
            return None
        return _host_port(v, "SIDEGLIDE_HEALTH_LISTEN")

    @property
    def db_url(self) -> str | None:
        """The PostgreSQL URL, or None: SIDEGLIDE_DB is then an SQLite file."""
        scheme, sep, _ = self.SIDEGLIDE_DB.partition("://")
        return self.SIDEGLIDE_DB if sep and scheme.lower() in PG_SCHEMES else None

    @property
    def data_dir(self) -> Path:
        """Where local files go (console log, console reports): beside an SQLite file."""
        if self.db_url is not None or self.SIDEGLIDE_DB == ":memory:":
            return Path.cwd()
        return Path(self.SIDEGLIDE_DB).parent

    @property
    def token(self) -> str | None:
        return self.TELEGRAM_BOT_TOKEN.get_secret_value() if self.TELEGRAM_BOT_TOKEN else None

    @property
    def webhook_secret(self) -> str | None:
        s = self.SIDEGLIDE_WEBHOOK_SECRET
        return s.get_secret_value() if s else None


def load_settings(env_file: str | None = ".env") -> Settings:
    """Environment variables win over `.env` (pydantic-settings' own order)."""
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "configuration"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"configuration error: {name}: {msg}") from None
    if settings.SIDEGLIDE_WEBHOOK_URL and not settings.webhook_secret:
        raise ConfigError(
            "configuration error: SIDEGLIDE_WEBHOOK_SECRET: required when "
            "SIDEGLIDE_WEBHOOK_URL is set"
        )
    return settings
