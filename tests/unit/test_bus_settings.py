import os
import subprocess
import sys
from pathlib import Path

from shared.bus import settings
from shared.outbox.relay import backoff_seconds

ROOT = Path(__file__).resolve().parents[2]


def test_a_healthy_task_is_never_older_than_the_visibility_timeout():
    # waiting for a pool slot + its own run (retries pause inside the run, no countdown)
    assert 2 * settings.TASK_TIME_LIMIT < settings.VISIBILITY_TIMEOUT
    assert max(settings.retry_pause(n) for n in range(50)) <= settings.RETRY_MAX_PAUSE
    assert settings.RETRY_MAX_PAUSE < settings.TASK_SOFT_TIME_LIMIT


def test_a_task_killed_at_the_hard_time_limit_is_requeued_not_acknowledged():
    conf = settings.celery_settings("q")
    assert conf["task_acks_late"] and conf["task_acks_on_timeout"] is False


def test_redelivery_sweep_runs_every_second():
    options = settings.celery_settings("q")["broker_transport_options"]
    assert options["unacked_restore_interval"] == 1
    assert options["unacked_restore_throttle"] == 1
    assert options["visibility_timeout"] == settings.VISIBILITY_TIMEOUT


def test_celery_is_json_only_late_ack_prefetch_one():
    conf = settings.celery_settings("q")
    assert conf["accept_content"] == ["json"] and conf["task_serializer"] == "json"
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1


def test_relay_backoff_grows_and_is_capped():
    values = [backoff_seconds(n, 60) for n in range(1, 12)]
    assert values == sorted(values)
    assert values[0] == 0.5 and values[-1] == 60


def _behind_the_web_in_own_session(nice: str) -> list[str]:
    """What a process started in a session of its own (as the supervisor starts a worker) sees
    after `behind_the_web()`: its nice value and its session group's line."""
    code = ("import os; from shared.bus.settings import behind_the_web; behind_the_web(); "
            "group = open('/proc/self/autogroup').read().strip() if os.path.exists('/proc/self/autogroup') else '-'; "
            "print(os.nice(0)); print(group)")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, BACKGROUND_NICE=nice, PYTHONPATH=str(ROOT)),
                         start_new_session=True, capture_output=True, text=True, check=True, timeout=60).stdout
    return out.split("\n")[:2]


def test_a_worker_in_its_own_session_yields_to_the_web_servers_of_other_sessions():
    # With autogroups on, the kernel weighs a nice value only within its session: the session's
    # group must be niced too, or a worker competes with each web server as an equal.
    nice, group = _behind_the_web_in_own_session("7")
    assert int(nice) == os.nice(0) + 7
    if group != "-" and Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1":
        assert group.endswith(" nice 7"), group
    assert _behind_the_web_in_own_session("0")[0] == str(os.nice(0))
