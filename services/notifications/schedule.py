"""When may a message go out? Quiet hours and batching windows, as pure rules.

Quiet hours are in Kyiv time (default 21:00–09:00) and hold SMS and Telegram, which buzz a
phone; e-mail waits for nobody. Per-copy stages (catalogued, on shelves, taken by a reader) are
gathered per donation and stage for a window (default 10 minutes) into one message. Held and
batched messages are rows with a `send_after` time in the database, never Celery countdowns.
"""
from __future__ import annotations

import os
from datetime import datetime, time, timedelta

from shared.i18n import KYIV

QUIET_CHANNELS = frozenset({"sms", "telegram"})
PER_COPY_STAGES = frozenset({"catalogued", "on_shelves", "taken", "noted"})


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_hours() -> tuple[time, time]:
    return (_parse(os.environ.get("NOTIFY_QUIET_START", "21:00")),
            _parse(os.environ.get("NOTIFY_QUIET_END", "09:00")))


def batch_window() -> timedelta:
    return timedelta(seconds=int(os.environ.get("NOTIFY_BATCH_WINDOW", "600")))


def is_quiet(moment: datetime, start: time, end: time) -> bool:
    local = moment.astimezone(KYIV).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # the quiet span crosses midnight


def earliest_send(moment: datetime, channel: str, quiet: tuple[time, time] | None = None) -> datetime:
    """The first moment at or after `moment` when this channel may disturb the donor (UTC-aware)."""
    start, end = quiet or quiet_hours()
    if channel not in QUIET_CHANNELS or not is_quiet(moment, start, end):
        return moment
    local = moment.astimezone(KYIV)
    morning = local.date() if local.time() < end else local.date() + timedelta(days=1)
    # Built from the wall clock, so a change to or from summer time lands on 09:00 all the same.
    return datetime.combine(morning, end, tzinfo=KYIV).astimezone(moment.tzinfo)


def send_after(stage: str, first_seen: datetime, channel: str) -> datetime:
    """When a notice for this stage may be sent: after its batching window (per-copy stages),
    and not in quiet hours (phones)."""
    due = first_seen + batch_window() if stage in PER_COPY_STAGES else first_seen
    return earliest_send(due, channel)


# News of a pickup is only worth telling while nothing newer is known about the donation: a
# pickup time the bus brings after a newer time, a failure, the collection or a cancellation
# (events can overtake each other) would tell the donor something no longer true.
PICKUP_STAGES = frozenset({"pickup_scheduled", "pickup_rescheduled", "pickup_failed"})
DONATION_STAGES = PICKUP_STAGES | {"collected", "cancelled"}


def superseded(stage: str, occurred_at: datetime | None,
               others: list[tuple[str, datetime | None]]) -> bool:
    """Is this notice's news overtaken by another notice of the same donation?"""
    if stage.split(":")[0] not in PICKUP_STAGES or occurred_at is None:
        return False
    return any(other.split(":")[0] in DONATION_STAGES and at is not None and at > occurred_at
               for other, at in others)
