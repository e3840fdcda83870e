from shared.bus import settings
from shared.outbox.relay import backoff_seconds


def test_a_healthy_task_is_never_older_than_the_visibility_timeout():
    # countdown before it runs + waiting for a pool slot + its own run
    worst_age = settings.RETRY_MAX_COUNTDOWN + 2 * settings.TASK_TIME_LIMIT
    assert worst_age < settings.VISIBILITY_TIMEOUT
    assert max(settings.retry_countdown(n) for n in range(50)) <= settings.RETRY_MAX_COUNTDOWN


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
