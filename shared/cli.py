"""`bookcross`: the operators' command line."""
from __future__ import annotations

import importlib
import os
import sys
import uuid
from datetime import datetime, timezone

import click

from shared import config


def _service_tasks(service: str):
    """Import a service's Celery app: it registers the publisher the relay needs."""
    return importlib.import_module(f"services.{service}.tasks")


@click.group()
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


@main.command()
@click.option("--demo/--no-demo", default=False,
              help="Fill unknown visitors, shelves and priorities with demo values (marked 'demo').")
def seed(demo: bool) -> None:
    """Load the network's service centres into the catalog."""
    from services.catalog.services import seed_centres

    result = seed_centres(demo=demo)
    click.echo(f"centres: {result['total']} in the register ({result['added']} new)"
               + (", demo values filled where unknown" if demo else ""))


@main.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(("logistics", "centre_staff", "admin")))
@click.option("--centre", default=None, help="Centre code, for centre staff.")
@click.option("--password", default=None, help="Password for the staff pages (optional).")
@click.option("--days", default=None, type=click.FloatRange(min=0.01, max=3650),
              help="How long the printed API token lasts (default STAFF_TOKEN_DAYS, 30).")
def staff_add(name: str, role: str, centre: str | None, password: str | None, days: float | None) -> None:
    """Create a staff account and print its API token."""
    from services.catalog.services import StaffError, add_staff, first_token

    try:
        account = add_staff(name, role, centre, password)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(first_token(account, days))


def _staff_action(action, *args, **kwargs):
    from services.catalog.services import StaffError

    try:
        return action(*args, **kwargs)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None


@staff.command("token")
@click.argument("name")
@click.option("--days", default=None, type=click.FloatRange(min=0.01, max=3650),
              help="How long the new token lasts (default STAFF_TOKEN_DAYS, 30).")
@click.option("--revoke", is_flag=True, help="Only revoke: the account's API tokens stop working, none is printed.")
def staff_token(name: str, days: float | None, revoke: bool) -> None:
    """Issue a new API token for NAME (the ones issued before stop working), or --revoke them."""
    from services.catalog.services import issue_staff_token, revoke_tokens

    if revoke:
        _staff_action(revoke_tokens, name)
        click.echo(f"{name}: API tokens revoked")
    else:
        click.echo(_staff_action(issue_staff_token, name, days))


@staff.command("disable")
@click.argument("name")
def staff_disable(name: str) -> None:
    """Disable NAME: every token and sign-in of theirs stops at once."""
    from services.catalog.services import set_active

    _staff_action(set_active, name, False)
    click.echo(f"{name}: disabled")


@staff.command("enable")
@click.argument("name")
def staff_enable(name: str) -> None:
    """Enable NAME again (old tokens stay dead: issue a new one with `staff token`)."""
    from services.catalog.services import set_active

    _staff_action(set_active, name, True)
    click.echo(f"{name}: enabled")


@staff.command("remove")
@click.argument("name")
def staff_remove(name: str) -> None:
    """Remove NAME's account."""
    from services.catalog.services import remove_staff

    _staff_action(remove_staff, name)
    click.echo(f"{name}: removed")


@staff.command("change")
@click.argument("name")
@click.option("--role", default=None, type=click.Choice(("logistics", "centre_staff", "admin")))
@click.option("--centre", default=None, help="Centre code (centre staff).")
def staff_change(name: str, role: str | None, centre: str | None) -> None:
    """Change NAME's role or centre; in force at their next request."""
    from services.catalog.services import change_staff

    identity = _staff_action(change_staff, name, role=role, centre=centre if centre is not None else False)
    click.echo(f"{name}: {identity.role}" + (f" of centre {identity.centre_code}" if identity.centre_code else ""))


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
    from shared.replay import replay_dead_letters, replay_outbox

    _service_tasks(service)
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
    from services.notifications.local_mail import latest

    found = latest(config.var_dir() / "mail", count)
    if not found:
        click.echo(f"no e-mails in {config.var_dir() / 'mail'}")
    for message in found:
        click.echo(f"{message['date']}  {message['to']}  {message['subject']}\n    {message['file']}")


@main.group()
def reports() -> None:
    """The reports read model (catalog's dashboard, map and open data)."""


@reports.command("rebuild")
def reports_rebuild() -> None:
    """Make the read model again from catalog's records and its event archive (live events
    wait for it), and say how long it took."""
    import time

    from services.catalog.reports import rebuild

    started = time.perf_counter()
    counts = rebuild(echo=click.echo)
    click.echo(f"reports rebuilt in {time.perf_counter() - started:.1f} s: {counts['copies']} copies, "
               f"{counts['donations']} donations, {counts['messages']} messages, {counts['events']} events")


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
    env = dict(os.environ, BOOKCROSS_VAR_DIR=str(var))
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(var / "metrics"))
    programs: list[Program] = []
    redis_program = None
    if not os.environ.get("REDIS_URL"):
        embedded = EmbeddedRedis(var / "redis", port=int(os.environ.get("REDIS_PORT", "0")) or None)
        (var / "redis.url").write_text(embedded.url)
        env["REDIS_URL"] = embedded.url
        redis_program = Program("redis", embedded.command(), ready=embedded.wait_ready)
        programs.append(redis_program)
        click.echo(f"embedded Redis: {embedded.url} (data in {var / 'redis'}, append-only file)")
    local_mail_port = None
    if not os.environ.get("SMTP_URL"):
        # No mail server given: a local one keeps every e-mail in var/mail (see `bookcross mail`).
        from shared.embedded import free_port

        local_mail_port = int(os.environ.get("LOCAL_SMTP_PORT", "0")) or free_port()
        env["SMTP_URL"] = f"smtp://127.0.0.1:{local_mail_port}"
        click.echo(f"local SMTP server: {env['SMTP_URL']} (e-mails kept in {var / 'mail'}/new)")
    os.environ.update(env)
    metrics_dir = env["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(metrics_dir, exist_ok=True)
    for name in os.listdir(metrics_dir):
        os.remove(os.path.join(metrics_dir, name))
    programs += [Program(name, args) for name, args in
                 network_programs(str(var), local_mail_port=local_mail_port)]
    supervisor = Supervisor(programs, env=env, cwd=os.getcwd())
    if redis_program is not None:
        supervisor.start(redis_program)

    from services.catalog.services import issue_staff_token, seed_centres
    from shared.migrate import upgrade

    for service in config.SERVICES:
        upgrade(service)
    seed_centres(demo=demo)
    admin = _first_admin()

    click.echo("")
    for service in config.SERVICES:
        base = config.service_url(service)
        click.echo(f"{service:14} {base}   API docs: {base}/api/docs")
    click.echo(f"{'staff sign-in':14} {config.service_url('catalog')}/staff/login")
    # A new token every run (the previous run's stops working), valid for a day.
    click.echo(f"\nadmin token (Authorization: Bearer …, valid 24 h):\n{issue_staff_token(admin.name, 1)}\n")
    sys.exit(supervisor.run())


def _first_admin():
    from sqlalchemy import select

    from services.catalog.models import StaffAccount
    from services.catalog.services import add_staff
    from shared import db
    from shared.auth import Staff

    with db.session_scope("catalog") as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.role == "admin")
                                 .order_by(StaffAccount.id).limit(1))
        if account is not None:
            return Staff(id=account.id, name=account.name, role="admin")
    return add_staff("admin", "admin")


if __name__ == "__main__":
    main()
