"""What each service plugs into the network through entry points (pyproject.toml) is found and
loads: its commands of `bookcross`, its part of `bookcross up`, its beat entries."""
from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from click.testing import CliRunner

from shared.bus.periodic import periodic_tasks
from shared.cli import COMMANDS_GROUP, UP_GROUP, main

ROOT = Path(__file__).resolve().parents[2]


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


def test_every_periodic_task_is_registered_by_the_worker_of_its_queue():
    """Beat sends each tick to its service's relay queue: that service's worker must know the
    task (an unknown one is discarded there, every tick), the instrumented worker of the
    failure tests as well as production's. Each app is loaded alone, as its worker loads it
    (Celery shares a task with every app of the process that defined it)."""
    apps = {"catalog": ["services.catalog.tasks", "tests.e2e.instrumented_app"],
            "donations": ["services.donations.tasks"], "notifications": ["services.notifications.tasks"]}
    for service, modules in apps.items():
        wanted = {task.task for task in periodic_tasks() if task.service == service}
        for module in modules:
            known = subprocess.run([sys.executable, "-c", f"import {module} as m; m.app.finalize(); "
                                    "print('\\n'.join(m.app.tasks))"], capture_output=True, text=True,
                                   check=True, cwd=ROOT).stdout.split()
            assert wanted <= set(known), (module, wanted - set(known))
