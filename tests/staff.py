"""Real staff accounts for tests and benchmarks: made through catalog's use case, and their
identities copied to the other services' databases at once (the event that carries them does
the same on a running network, a moment later; the revision makes the two agree)."""
from __future__ import annotations

from sqlalchemy import select

from shared import config, db, staff_identity
from shared.staff_identity import StaffIdentity


def sync_identities() -> None:
    """Every staff identity catalog has, applied in donations and notifications."""
    with db.session_scope("catalog") as session:
        identities = [staff_identity._identity(row) for row in session.scalars(select(StaffIdentity))]
    for service in config.SERVICES:
        if service == "catalog":
            continue
        with db.session_scope(service) as session:
            for identity in identities:
                staff_identity.apply(session, identity.payload())
    staff_identity.forget()


def make_staff(name: str, role: str, centre: str | None = None, *, password: str | None = None,
               days: float = 1) -> str:
    """A new account's API token, usable on every service right away."""
    from services.catalog.services.staff import add_staff, first_token

    token = first_token(add_staff(name, role, centre, password), days)
    sync_identities()
    return token


def staff_token(name: str, role: str, centre: str | None = None, **kwargs) -> str:
    """The token of account `name`, made if it does not exist yet (a new token if it does)."""
    from services.catalog.models import StaffAccount
    from services.catalog.services.staff import issue_staff_token

    with db.session_scope("catalog") as session:
        exists = session.scalar(select(StaffAccount.id).where(StaffAccount.name == name)) is not None
    if not exists:
        return make_staff(name, role, centre, **kwargs)
    token = issue_staff_token(name, kwargs.get("days", 1))
    sync_identities()
    return token


def staff_cookie(name: str, role: str, centre: str | None = None):
    """(Staff, the value of the staff pages' cookie) of account `name`, made if needed — what the
    sign-in form would set."""
    from shared.auth import Staff, cookie_value

    staff_token(name, role, centre)
    with db.session_scope("catalog") as session:
        row = session.scalar(select(StaffIdentity).where(StaffIdentity.name == name))
        staff = Staff(id=row.staff_id, name=row.name, role=row.role, centre=row.centre_code)
        return staff, cookie_value(row.staff_id, row.session_version)
