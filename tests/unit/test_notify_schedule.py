from datetime import datetime, time, timedelta, timezone

import pytest
import time_machine

from services.notifications import config
from services.notifications.domain import KYIV, backoff, earliest_send, is_quiet, superseded

QUIET = (time(21), time(9))


def kyiv(*args):
    return datetime(*args, tzinfo=KYIV).astimezone(timezone.utc)


@pytest.mark.parametrize("moment,quiet", [
    (kyiv(2026, 11, 28, 20, 59), False), (kyiv(2026, 11, 28, 21, 0), True),
    (kyiv(2026, 11, 29, 3, 0), True), (kyiv(2026, 11, 29, 8, 59), True), (kyiv(2026, 11, 29, 9, 0), False),
])
def test_quiet_hours_cross_midnight_in_kyiv_time(moment, quiet):
    assert is_quiet(moment, *QUIET) is quiet


def test_sms_at_night_waits_for_nine_in_the_morning_kyiv():
    assert earliest_send(kyiv(2026, 11, 28, 23, 15), "sms", QUIET) == kyiv(2026, 11, 29, 9, 0)
    assert earliest_send(kyiv(2026, 11, 29, 2, 0), "telegram", QUIET) == kyiv(2026, 11, 29, 9, 0)


def test_email_is_never_held():
    assert earliest_send(kyiv(2026, 11, 28, 23, 15), "email", QUIET) == kyiv(2026, 11, 28, 23, 15)


def test_daytime_messages_go_at_once():
    assert earliest_send(kyiv(2026, 11, 28, 12, 0), "sms", QUIET) == kyiv(2026, 11, 28, 12, 0)


def test_the_morning_after_a_clock_change_is_still_nine_oclock():
    # The night of 2026-10-24/25 is when summer time ends (by the tz database this machine has):
    # whatever the offset did overnight, the SMS waits for 09:00 on the Kyiv wall clock.
    held = earliest_send(kyiv(2026, 10, 24, 22, 0), "sms", QUIET)
    assert held == kyiv(2026, 10, 25, 9, 0)
    assert (held.astimezone(KYIV).hour, held.astimezone(KYIV).minute) == (9, 0)


def test_configured_quiet_hours(monkeypatch):
    monkeypatch.setenv("NOTIFY_QUIET_START", "22:30")
    monkeypatch.setenv("NOTIFY_QUIET_END", "08:00")
    with time_machine.travel(kyiv(2026, 11, 28, 22, 45), tick=False):
        now = datetime.now(timezone.utc)
        assert earliest_send(now, "sms", config.quiet_hours()) == kyiv(2026, 11, 29, 8, 0)


def test_news_of_a_pickup_is_not_told_once_newer_news_is_known():
    noon = kyiv(2026, 11, 28, 12, 0)
    later = noon + timedelta(hours=1)
    assert superseded("pickup_scheduled", noon, [("pickup_rescheduled", later)])
    assert superseded("pickup_failed", noon, [("collected", later)])
    assert not superseded("pickup_scheduled", later, [("pickup_rescheduled", noon)])
    assert not superseded("collected", noon, [("cancelled", later)])  # only pickup news goes stale
    assert not superseded("pickup_scheduled", noon, [("on_shelves", later)])


def test_retries_back_off_exponentially_up_to_a_cap():
    assert [backoff(n, 30, 3600) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20, 30, 3600) == 3600
