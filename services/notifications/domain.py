"""Pure rules of notifications: what a donor is told, when, and on which channel.

- Stages: a donation's news (offered, a pickup time, collected, …) is told once per stage; a
  pickup window or a failure is told once per window or failure (`occasion`); per-copy news
  (catalogued, on shelves, taken by a reader, a reader's note) is gathered into batches, one
  message per batch (`batch`), so a donor of 300 books gets one letter per stage and window.
- Only what is still true: news of a pickup is never told once newer news of the donation is
  known (`superseded`).
- Quiet hours, in Kyiv time, hold SMS and Telegram, which buzz a phone; e-mail waits for nobody.
- Retries back off exponentially.

Held and batched messages are rows with a time in the database, never Celery countdowns. The
settings (windows, hours, retries) come from `config.py` and are handed in.

No Flask, no SQLAlchemy here.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from shared.i18n import KYIV

CHANNELS = ("email", "sms", "telegram")
QUIET_CHANNELS = frozenset({"sms", "telegram"})

# Per-copy news, gathered per donation and stage into numbered batches.
PER_COPY_STAGES = frozenset({"catalogued", "on_shelves", "taken", "noted"})
# News that can happen more than once to a donation: each window or failure is its own notice.
PICKUP_STAGES = frozenset({"pickup_scheduled", "pickup_rescheduled", "pickup_failed"})
DONATION_STAGES = PICKUP_STAGES | {"collected", "cancelled"}
SILENT_STAGES = frozenset({"at_hub"})          # the donor heard "collected" a moment ago
READER_STAGES = frozenset({"taken", "noted"})  # only for donors who asked for reader news


def is_quiet(moment: datetime, start: time, end: time) -> bool:
    local = moment.astimezone(KYIV).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # the quiet span crosses midnight


def earliest_send(moment: datetime, channel: str, quiet: tuple[time, time]) -> datetime:
    """The first moment at or after `moment` when this channel may disturb the donor (UTC-aware)."""
    start, end = quiet
    if channel not in QUIET_CHANNELS or not is_quiet(moment, start, end):
        return moment
    local = moment.astimezone(KYIV)
    morning = local.date() if local.time() < end else local.date() + timedelta(days=1)
    # Built from the wall clock, so a change to or from summer time lands on 09:00 all the same.
    return datetime.combine(morning, end, tzinfo=KYIV).astimezone(moment.tzinfo)


def superseded(stage: str, occurred_at: datetime | None,
               others: list[tuple[str, datetime | None]]) -> bool:
    """Is this notice's news overtaken by another notice of the same donation? News of a pickup
    is only worth telling while nothing newer is known about the donation: a pickup time the bus
    brings after a newer time, a failure, the collection or a cancellation (events can overtake
    each other) would tell the donor something no longer true."""
    if stage not in PICKUP_STAGES or occurred_at is None:
        return False
    return any(other in DONATION_STAGES and at is not None and at > occurred_at for other, at in others)


def backoff(attempts: int, retry_seconds: float, max_backoff: float) -> float:
    """30 s, 60 s, 120 s, … capped: exponential, so a server that is down is not hammered."""
    return min(retry_seconds * 2 ** max(attempts - 1, 0), max_backoff)
