"""Staff accounts: made, changed and removed by the operators' command line (`bookcross staff`),
signed in on the staff pages. Every change writes the account's identity and
`catalog.staff_account_changed`, so each service checks the account as it is now."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from services.catalog import config
from services.catalog.models import Centre, StaffAccount
from shared import db, staff_identity
from shared.auth import ROLES, Staff, issue_token
from shared.models import utcnow
from shared.outbox import add_event
from shared.staff_identity import Identity, StaffIdentity

SERVICE = "catalog"


class StaffError(ValueError):
    pass


def token_days() -> float:
    return config.staff_token_days()


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def _check_role(session: Session, role: str, centre: str | None) -> None:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if role == "centre_staff" and not centre:
        raise StaffError("centre staff need --centre CODE")
    if role != "centre_staff" and centre:
        raise StaffError("only centre staff are bound to a centre")
    if centre and session.get(Centre, centre) is None:
        raise StaffError(f"no centre {centre} (run `bookcross seed` first?)")


def _publish(session: Session, identity: StaffIdentity) -> Identity:
    """Every change of an account: its identity row here, and the event for the other services."""
    snapshot = Identity(identity.staff_id, identity.name, identity.role, identity.centre_code,
                        identity.active, identity.token_version, identity.session_version, identity.revision)
    add_event(session, "catalog.staff_account_changed", snapshot.payload(), producer=SERVICE)
    staff_identity.forget(identity.staff_id)
    return snapshot


def _account(session: Session, name: str) -> tuple[StaffAccount, StaffIdentity]:
    account = session.scalar(select(StaffAccount).where(StaffAccount.name == name).with_for_update())
    if account is None:
        raise StaffError(f"no staff account {name!r}")
    identity = session.get(StaffIdentity, account.id, with_for_update=True)
    if identity is None:  # an account made before identities existed
        identity = StaffIdentity(staff_id=account.id, name=account.name, role=account.role,
                                 centre_code=account.centre_code, active=True, token_version=1,
                                 session_version=1, revision=0)
        session.add(identity)
    return account, identity


def add_staff(name: str, role: str, centre: str | None = None,
              password: str | None = None) -> Staff:
    with db.session_scope(SERVICE) as session:
        _check_role(session, role, centre)
        if session.scalar(select(StaffAccount).where(StaffAccount.name == name)):
            raise StaffError(f"staff {name!r} exists already")
        account = StaffAccount(name=name, role=role, centre_code=centre,
                               password_hash=generate_password_hash(password) if password else None)
        session.add(account)
        session.flush()
        identity = StaffIdentity(staff_id=account.id, name=name, role=role, centre_code=centre, active=True,
                                 token_version=1, session_version=1, revision=1, updated_at=utcnow())
        session.add(identity)
        _publish(session, identity)
        return Staff(id=account.id, name=account.name, role=account.role, centre=account.centre_code)


def _change(name: str, change) -> Identity:
    with db.session_scope(SERVICE) as session:
        account, identity = _account(session, name)
        change(session, account, identity)
        identity.revision += 1
        identity.updated_at = utcnow()
        return _publish(session, identity)


def issue_staff_token(name: str, days: float | None = None) -> str:
    """A new API token for the account; the ones issued before stop working."""
    def bump(_session, _account, identity):
        identity.token_version += 1
    identity = _change(name, bump)
    return issue_token(identity.staff_id, identity.token_version, days if days is not None else token_days())


def first_token(staff: Staff, days: float | None = None) -> str:
    """The token of an account just added (its first version)."""
    with db.session_scope(SERVICE) as session:
        identity = session.get(StaffIdentity, staff.id)
        return issue_token(staff.id, identity.token_version, days if days is not None else token_days())


def revoke_tokens(name: str) -> None:
    def bump(_session, _account, identity):
        identity.token_version += 1
    _change(name, bump)


def set_active(name: str, active: bool) -> None:
    """Disable (every token and session stops at once) or enable an account."""
    def switch(_session, _account, identity):
        identity.active = active
        if not active:  # a later enable must not bring old tokens back to life
            identity.token_version += 1
            identity.session_version += 1
    _change(name, switch)


def change_staff(name: str, *, role: str | None = None, centre: str | None | bool = False) -> Identity:
    """A new role or centre, in force at the next request."""
    def apply_change(session, account, identity):
        new_role = role or account.role
        new_centre = account.centre_code if centre is False else centre
        if new_role != "centre_staff":
            new_centre = None if centre is False else new_centre
        _check_role(session, new_role, new_centre)
        account.role, account.centre_code = new_role, new_centre
        identity.role, identity.centre_code = new_role, new_centre
    return _change(name, apply_change)


def remove_staff(name: str) -> None:
    """The account goes; its identity stays, inactive, so a late event cannot bring it back."""
    def remove(session, account, identity):
        identity.active = False
        identity.token_version += 1
        identity.session_version += 1
        session.delete(account)
    _change(name, remove)


def sign_out_everywhere(staff_id: int) -> None:
    with db.session_scope(SERVICE) as session:
        account = session.get(StaffAccount, staff_id)
        if account is None:
            return
    _change(account.name, lambda _s, _a, identity: setattr(identity, "session_version", identity.session_version + 1))


def check_login(name: str, password: str) -> tuple[Staff, int] | None:
    """The account and its session version if the password is right. An unknown name costs the
    same time as a wrong password (a hash is checked either way): nothing to tell them apart."""
    with db.session_scope(SERVICE) as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.name == name))
        identity = session.get(StaffIdentity, account.id) if account is not None else None
        stored = account.password_hash if account is not None and account.password_hash else None
        ok = check_password_hash(stored or _dummy_hash(), password)
        if not ok or stored is None or identity is None or not identity.active:
            return None
        return (Staff(id=account.id, name=account.name, role=identity.role, centre=identity.centre_code),
                identity.session_version)


def first_admin() -> Staff:
    """The oldest admin account, made (as `admin`) if there is none."""
    with db.session_scope(SERVICE) as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.role == "admin")
                                 .order_by(StaffAccount.id).limit(1))
        if account is not None:
            return Staff(id=account.id, name=account.name, role="admin")
    return add_staff("admin", "admin")
