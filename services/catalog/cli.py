"""Catalog's commands of `bookcross` (registered as entry points of the group
`bookcross.commands` in pyproject.toml; `shared/cli.py` adds them): the centre register, staff
accounts, the reports read model; and what `bookcross up` asks of catalog once the databases
are migrated (`bookcross.up`: centres seeded, an admin's token printed)."""
from __future__ import annotations

import time

import click

from services.catalog import config
from services.catalog.services import centres
from services.catalog.services import staff as accounts

ROLES = click.Choice(("logistics", "centre_staff", "admin"))
DAYS = click.FloatRange(min=0.01, max=3650)


@click.command()
@click.option("--demo/--no-demo", default=False,
              help="Fill unknown visitors, shelves and priorities with demo values (marked 'demo').")
def seed(demo: bool) -> None:
    """Load the network's service centres into the catalog."""
    result = centres.seed_centres(demo=demo)
    click.echo(f"centres: {result['total']} in the register ({result['added']} new)"
               + (", demo values filled where unknown" if demo else ""))


def _staff_action(action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except accounts.StaffError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("add")
@click.argument("name")
@click.option("--role", required=True, type=ROLES)
@click.option("--centre", default=None, help="Centre code, for centre staff.")
@click.option("--password", default=None, help="Password for the staff pages (optional).")
@click.option("--days", default=None, type=DAYS, help="How long the printed API token lasts (default STAFF_TOKEN_DAYS, 30).")
def staff_add(name: str, role: str, centre: str | None, password: str | None, days: float | None) -> None:
    """Create a staff account and print its API token."""
    account = _staff_action(accounts.add_staff, name, role, centre, password)
    click.echo(accounts.first_token(account, days))


@staff.command("token")
@click.argument("name")
@click.option("--days", default=None, type=DAYS, help="How long the new token lasts (default STAFF_TOKEN_DAYS, 30).")
@click.option("--revoke", is_flag=True, help="Only revoke: the account's API tokens stop working, none is printed.")
def staff_token(name: str, days: float | None, revoke: bool) -> None:
    """Issue a new API token for NAME (the ones issued before stop working), or --revoke them."""
    if revoke:
        _staff_action(accounts.revoke_tokens, name)
        click.echo(f"{name}: API tokens revoked")
    else:
        click.echo(_staff_action(accounts.issue_staff_token, name, days))


@staff.command("disable")
@click.argument("name")
def staff_disable(name: str) -> None:
    """Disable NAME: every token and sign-in of theirs stops at once."""
    _staff_action(accounts.set_active, name, False)
    click.echo(f"{name}: disabled")


@staff.command("enable")
@click.argument("name")
def staff_enable(name: str) -> None:
    """Enable NAME again (old tokens stay dead: issue a new one with `staff token`)."""
    _staff_action(accounts.set_active, name, True)
    click.echo(f"{name}: enabled")


@staff.command("remove")
@click.argument("name")
def staff_remove(name: str) -> None:
    """Remove NAME's account."""
    _staff_action(accounts.remove_staff, name)
    click.echo(f"{name}: removed")


@staff.command("change")
@click.argument("name")
@click.option("--role", default=None, type=ROLES)
@click.option("--centre", default=None, help="Centre code (centre staff).")
def staff_change(name: str, role: str | None, centre: str | None) -> None:
    """Change NAME's role or centre; in force at their next request."""
    identity = _staff_action(accounts.change_staff, name, role=role, centre=centre if centre is not None else False)
    click.echo(f"{name}: {identity.role}" + (f" of centre {identity.centre_code}" if identity.centre_code else ""))


@click.group()
def reports() -> None:
    """The reports read model (catalog's dashboard, map and open data)."""


@reports.command("rebuild")
def reports_rebuild() -> None:
    """Make the read model again from catalog's records and its event archive (live events
    wait for it), and say how long it took."""
    from services.catalog.services.reports import rebuild

    started = time.perf_counter()
    counts = rebuild(echo=click.echo)
    click.echo(f"reports rebuilt in {time.perf_counter() - started:.1f} s: {counts['copies']} copies, "
               f"{counts['donations']} donations, {counts['messages']} messages, {counts['events']} events")


def prepare_network(demo: bool) -> list[str]:
    """For `bookcross up`, once the databases are migrated: the centres, and a fresh 24-hour
    token of the first admin (made if there is none; the previous run's token stops working)."""
    centres.seed_centres(demo=demo)
    admin = accounts.first_admin()
    return [f"{'staff sign-in':14} {config.public_url()}/staff/login",
            f"\nadmin token (Authorization: Bearer …, valid 24 h):\n{accounts.issue_staff_token(admin.name, 1)}\n"]
