"""Notifications' own settings, from the environment (the network's are in `shared/config.py`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from shared import config

SERVICE = "notifications"


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_hours() -> tuple[time, time]:
    """Kyiv time when SMS and Telegram wait (NOTIFY_QUIET_START–NOTIFY_QUIET_END, 21:00–09:00)."""
    return (_clock(config.env("NOTIFY_QUIET_START", "21:00")), _clock(config.env("NOTIFY_QUIET_END", "09:00")))


def batch_window() -> timedelta:
    """How long per-copy news gathers into one message (NOTIFY_BATCH_WINDOW, 600 s)."""
    return timedelta(seconds=config.env_int("NOTIFY_BATCH_WINDOW", 600))


def tick_seconds() -> float:
    """How often beat runs the delivery loop (NOTIFY_TICK_SECONDS)."""
    return config.env_float("NOTIFY_TICK_SECONDS", 2)


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int
    retry_seconds: float
    max_backoff: float
    contact_wait: timedelta
    stale_after: timedelta
    batch: int
    tick_budget: float


def delivery() -> DeliverySettings:
    return DeliverySettings(
        max_attempts=config.env_int("NOTIFY_MAX_ATTEMPTS", 4),
        retry_seconds=config.env_float("NOTIFY_RETRY_SECONDS", 30),
        max_backoff=config.env_float("NOTIFY_MAX_BACKOFF_SECONDS", 3600),
        contact_wait=timedelta(seconds=config.env_float("NOTIFY_CONTACT_WAIT_SECONDS", 900)),
        stale_after=timedelta(seconds=config.env_float("NOTIFY_STALE_SECONDS", 600)),
        batch=config.env_int("NOTIFY_DELIVERY_BATCH", 100),
        tick_budget=config.env_float("NOTIFY_TICK_BUDGET_SECONDS", 3),
    )


def staff_alerts_mailbox() -> str | None:
    """Where alerts to staff go (STAFF_ALERTS_EMAIL); unset: kept, marked `skipped`."""
    return config.env("STAFF_ALERTS_EMAIL") or None


def pickup_grace() -> timedelta:
    return timedelta(hours=config.env_float("NOTIFY_PICKUP_GRACE_HOURS", 2))


def shipment_days() -> timedelta:
    return timedelta(days=config.env_float("NOTIFY_SHIPMENT_DAYS", 5))


def sms_countries() -> set[str]:
    """SMS go only to numbers of these countries (SMS_COUNTRIES, ISO codes, default UA)."""
    return {c.strip().upper() for c in (config.env("SMS_COUNTRIES", "UA") or "").split(",") if c.strip()}


def daily_cap() -> int:
    """Messages to one address in 24 hours, however many offers name it (NOTIFY_RECIPIENT_DAILY_CAP)."""
    return config.env_int("NOTIFY_RECIPIENT_DAILY_CAP", 6)


@dataclass(frozen=True)
class Channels:
    """The channels' settings; a channel without its address is not configured."""

    smtp_url: str | None
    smtp_from: str
    sms_gateway_url: str | None
    sms_sender: str
    telegram_token: str | None
    telegram_api_url: str


def channels() -> Channels:
    return Channels(
        smtp_url=config.env("SMTP_URL") or None,
        smtp_from=config.env("SMTP_FROM", "bookcross <no-reply@bookcross.local>"),
        sms_gateway_url=config.env("SMS_GATEWAY_URL") or None,
        sms_sender=config.env("SMS_SENDER", "bookcross"),
        telegram_token=config.env("TELEGRAM_BOT_TOKEN") or None,
        telegram_api_url=config.env("TELEGRAM_API_URL", "https://api.telegram.org"),
    )


def telegram_bot_username() -> str | None:
    return config.env("TELEGRAM_BOT_USERNAME") or None


def telegram_webhook_secret() -> str | None:
    return config.env("TELEGRAM_WEBHOOK_SECRET") or None


def tracking_url(tracking_code: str) -> str:
    """The donor's tracking page, as every message links it."""
    return f"{config.public_base_url('donations')}/track/{tracking_code}"


def own_urls() -> set[str]:
    """Every service's public address: only these become links in an e-mail."""
    return {config.public_base_url(service) for service in config.SERVICES}


def assistant_keep_days() -> float:
    """How long the consultation assistant keeps a question's words and a quiet conversation
    (ASSISTANT_KEEP_DAYS)."""
    return config.env_float("ASSISTANT_KEEP_DAYS", 30)
