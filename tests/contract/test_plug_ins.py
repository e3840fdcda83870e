"""What each service plugs into the network through entry points (pyproject.toml) is found and
loads: its commands of `bookcross`, its part of `bookcross up`, its beat entries."""
from __future__ import annotations

from importlib.metadata import entry_points

from click.testing import CliRunner

from shared.bus.periodic import periodic_tasks
from shared.cli import COMMANDS_GROUP, UP_GROUP, main


def test_the_services_commands_are_bookcross_commands():
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"]).output
    for command in ("seed", "staff", "reports", "migrate", "events", "mail", "status", "up"):
        assert f"  {command} " in listed, command
    assert "add" in runner.invoke(main, ["staff", "--help"]).output
    assert {ep.name for ep in entry_points(group=COMMANDS_GROUP)} == {"seed", "staff", "reports"}
    assert all(callable(ep.load()) for ep in entry_points(group=UP_GROUP))


def test_beat_sends_the_delivery_tick_its_service_registered():
    from services.notifications.tasks import DELIVER_TASK, app

    ticks = [task for task in periodic_tasks() if task.name == "notifications-deliver"]
    assert [(t.task, t.service, t.queue) for t in ticks] == [(DELIVER_TASK, "notifications", "notifications.relay")]
    assert DELIVER_TASK in app.tasks
