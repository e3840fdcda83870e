from datetime import datetime, time, timedelta, timezone

import pytest
import time_machine

from services.notifications.schedule import KYIV, earliest_send, is_quiet, send_after

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


def test_per_copy_stages_wait_for_their_batching_window(monkeypatch):
    monkeypatch.setenv("NOTIFY_BATCH_WINDOW", "600")
    noon = kyiv(2026, 11, 28, 12, 0)
    assert send_after("on_shelves", noon, "email") == noon + timedelta(minutes=10)
    assert send_after("collected", noon, "email") == noon
    assert send_after("on_shelves", kyiv(2026, 11, 28, 20, 55), "sms") == kyiv(2026, 11, 29, 9, 0)


def test_configured_quiet_hours(monkeypatch):
    monkeypatch.setenv("NOTIFY_QUIET_START", "22:30")
    monkeypatch.setenv("NOTIFY_QUIET_END", "08:00")
    with time_machine.travel(kyiv(2026, 11, 28, 22, 45), tick=False):
        now = datetime.now(timezone.utc)
        assert send_after("collected", now, "sms") == kyiv(2026, 11, 29, 8, 0)
