"""`bookcross`: the operators' command line.

The network's own commands are here (migrate, events, mail, status, up); each service adds
its own through the entry points of the group `bookcross.commands` in pyproject.toml (catalog:
`seed`, `staff`, `reports`), and says what `bookcross up` needs of it through `bookcross.up`.
Nothing here imports a service.
"""
from __future__ import annotations

import os
import sys
import uuid
from datetime import datetime, timezone
from importlib.metadata import entry_points

import click

from shared import config

COMMANDS_GROUP = "bookcross.commands"
UP_GROUP = "bookcross.up"


class BookcrossCli(click.Group):
    """The network's commands, and every service's (loaded when asked for)."""

    def _services_commands(self) -> dict:
        return {ep.name: ep for ep in entry_points(group=COMMANDS_GROUP)}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._services_commands()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in self._services_commands():
            command = self._services_commands()[name].load()
        return command


@click.group(cls=BookcrossCli)
def main() -> None:
    """bookcross: donated books, from the donor to the shelf."""


@main.command()
@click.option("--service", "services", multiple=True, type=click.Choice(config.SERVICES))
def migrate(services) -> None:
    """Bring the service databases to the latest schema."""
    from shared.migrate import upgrade

    for service in services or config.SERVICES:
        upgrade(service)
        click.echo(f"{service}: migrated")


@main.group()
def events() -> None:
    """The event bus."""


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@events.command("replay")
@click.option("--service", required=True, type=click.Choice(config.SERVICES),
              help="Outbox events of this producer, or dead letters of this consumer.")
@click.option("--event-id", "event_ids", multiple=True, help="Only these events.")
@click.option("--since", default=None, help="ISO time: events that occurred at or after.")
@click.option("--until", default=None, help="ISO time: events that occurred before.")
@click.option("--dead-letters", is_flag=True, help="Replay the service's dead letters instead.")
def replay(service, event_ids, since, until, dead_letters) -> None:
    """Send events again. Consumers are idempotent: duplicates have no second effect."""
    from shared.bus.publisher import install_publisher
    from shared.replay import replay_dead_letters, replay_outbox

    install_publisher(service)
    ids = [uuid.UUID(e) for e in event_ids] or None
    if dead_letters:
        count = replay_dead_letters(service, event_ids=ids)
        click.echo(f"{service}: {count} dead letters sent again")
    else:
        count, sent = replay_outbox(service, event_ids=ids, since=_parse_time(since),
                                    until=_parse_time(until))
        click.echo(f"{service}: {count} outbox events marked for replay, {sent} sent now")


@main.command()
@click.option("--count", default=20, show_default=True, help="How many of the newest to list.")
def mail(count: int) -> None:
    """List the e-mails the local SMTP server of `bookcross up` kept (var/mail)."""
    from shared.local_mail import latest

    found = latest(config.var_dir() / "mail", count)
    if not found:
        click.echo(f"no e-mails in {config.var_dir() / 'mail'}")
    for message in found:
        click.echo(f"{message['date']}  {message['to']}  {message['subject']}\n    {message['file']}")


@main.command()
def status() -> None:
    """Health of each component, queue depths, outbox backlog and dead letters."""
    from shared.status import network_status

    report = network_status()
    ok = True
    click.echo(f"redis  {report['redis']['url']}  {report['redis']['status']}")
    ok &= report["redis"]["status"] == "ok"
    if "beat" in report:
        click.echo(f"beat   {report['beat']}")
    for service, info in report["services"].items():
        ok &= info["web"] == "ready" and info.get("round_trip", "").endswith(" ms")
        click.echo(f"{service:14} web={info['web']:10} queue={info['queue']!s:>5} "
                   f"outbox_pending={info['outbox_pending']!s:>5} outbox_dead={info['outbox_dead']!s:>3} "
                   f"dead_letters={info['dead_letters']!s:>3} workers={info['workers']} "
                   f"round_trip={info.get('round_trip', '?')}")
    sys.exit(0 if ok else 1)


@main.command()
@click.option("--demo/--no-demo", default=True, help="Demo values for unknown centre facts.")
def up(demo: bool) -> None:
    """Start the whole network in the foreground (Ctrl-C stops it). A process that crashes is
    restarted with a growing pause; the rest keep running."""
    from shared.embedded import EmbeddedRedis
    from shared.processes import network_programs
    from shared.supervisor import Program, Supervisor

    var = config.var_dir()
    env = config.environment(BOOKCROSS_VAR_DIR=str(var))
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(var / "metrics"))
    programs: list[Program] = []
    redis_program = None
    if not config.env("REDIS_URL"):
        embedded = EmbeddedRedis(var / "redis", port=config.env_int("REDIS_PORT", 0) or None)
        (var / "redis.url").write_text(embedded.url)
        env["REDIS_URL"] = embedded.url
        redis_program = Program("redis", embedded.command(), ready=embedded.wait_ready)
        programs.append(redis_program)
        click.echo(f"embedded Redis: {embedded.url} (data in {var / 'redis'}, append-only file)")
    local_mail_port = None
    if not config.env("SMTP_URL"):
        # No mail server given: a local one keeps every e-mail in var/mail (see `bookcross mail`).
        from shared.embedded import free_port

        local_mail_port = config.env_int("LOCAL_SMTP_PORT", 0) or free_port()
        env["SMTP_URL"] = f"smtp://127.0.0.1:{local_mail_port}"
        click.echo(f"local SMTP server: {env['SMTP_URL']} (e-mails kept in {var / 'mail'}/new)")
    config.set_environment(env)  # this process migrates and seeds with the same settings
    metrics_dir = env["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(metrics_dir, exist_ok=True)
    for name in os.listdir(metrics_dir):
        os.remove(os.path.join(metrics_dir, name))
    programs += [Program(name, args) for name, args in
                 network_programs(str(var), local_mail_port=local_mail_port)]
    supervisor = Supervisor(programs, env=env, cwd=os.getcwd())
    if redis_program is not None:
        supervisor.start(redis_program)

    # Migrating and seeding load every service's models: done in a child process, so the
    # supervisor, which runs as long as the network, stays small.
    import subprocess

    prepared = subprocess.run([sys.executable, "-m", "shared.cli", "prepare-network",
                               "--demo" if demo else "--no-demo"], env=env, capture_output=True, text=True)
    if prepared.returncode:
        click.echo(prepared.stdout + prepared.stderr, err=True)
        supervisor.stop_all()
        sys.exit(prepared.returncode)

    click.echo("")
    for service in config.SERVICES:
        base = config.service_url(service)
        click.echo(f"{service:14} {base}   API docs: {base}/api/docs")
    click.echo(prepared.stdout, nl=False)
    sys.exit(supervisor.run())


@main.command("prepare-network", hidden=True)
@click.option("--demo/--no-demo", default=True)
def prepare_network(demo: bool) -> None:
    """`bookcross up`'s first step: migrate every database, then each service's own preparation
    (catalog seeds the centres and prints the first admin's token)."""
    from shared.migrate import upgrade

    for service in config.SERVICES:
        upgrade(service)
    for line in [line for hook in entry_points(group=UP_GROUP) for line in hook.load()(demo)]:
        click.echo(line)


if __name__ == "__main__":
    main()
