"""The staff workspace: every staff page of every service in one layout
(`shared/templates/staff_base.html`) — a header with the navigation of the signed-in person's
role across the three services, the language switch and sign-out — so a person moves through
their day by links, never by typing a port.

Links go to each service's public address (`config.public_base_url`): behind the reverse
proxy of `docker compose` that is one origin, on a laptop each service's own port. Where the
staff pages are is the one table below: paths, not code (shared imports no service).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlparse

from flask import abort, redirect, request

from shared import auth, config
from shared.i18n import current_language, t


@dataclass(frozen=True)
class StaffLink:
    key: str                    # its words are the message `nav.<key>`
    service: str
    path: str                   # `{centre}`: the person's own centre
    roles: tuple[str, ...]      # who sees it besides admin (admin sees all but a centre's own)


STAFF_LINKS = (
    StaffLink("home", "catalog", "/staff/", auth.ROLES),
    StaffLink("board", "donations", "/staff/board", ("logistics",)),
    StaffLink("hub", "catalog", "/staff/hub", ("logistics",)),
    StaffLink("shipments", "catalog", "/staff/shipments", ("logistics", "centre_staff")),
    StaffLink("scan", "catalog", "/staff/centres/{centre}/scan", ("centre_staff",)),
    StaffLink("reports", "catalog", "/staff/reports", ("logistics",)),
    StaffLink("questions", "donations", "/staff/questions", ("logistics",)),
    StaffLink("wishes", "catalog", "/staff/reports/wishes", ()),
)
SIGN_IN = ("catalog", "/staff/login")
SIGN_OUT = ("catalog", "/staff/logout")


def staff_url(service: str, path: str, **query) -> str:
    """A staff page's address as people reach it, in the page's language."""
    query = {**query, "lang": current_language()}
    return f"{config.public_base_url(service)}{path}?{urlencode(query)}"


def navigation(staff: auth.Staff) -> list[dict]:
    """The links of this person's role, in the order of a day's work; the page being shown
    is marked current."""
    links = []
    for link in STAFF_LINKS:
        if "{centre}" in link.path and not staff.centre:
            continue
        if staff.role != "admin" and staff.role not in link.roles:
            continue
        path = link.path.format(centre=staff.centre)
        links.append({"key": link.key, "label": t(f"nav.{link.key}"), "url": staff_url(link.service, path),
                      "path": path, "current": False})
    # The page shown is in the section of the longest path it lies under (a shipment under
    # shipments, the map under reports).
    within = [link for link in links if request.path == link["path"]
              or (link["path"] != "/staff/" and request.path.startswith(link["path"].rstrip("/") + "/"))]
    if within:
        max(within, key=lambda link: len(link["path"]))["current"] = True
    return links


def workspace() -> dict:
    """What the staff layout shows: the person, their navigation, where to sign out."""
    staff = auth.current_staff()
    if staff is None:
        return {"staff": None, "nav": [], "sign_out": None, "role": ""}
    return {"staff": staff, "nav": navigation(staff), "role": t(f"role.{staff.role}"),
            "sign_out": staff_url(*SIGN_OUT)}


def sign_in_url(next_url: str | None = None) -> str:
    return staff_url(*SIGN_IN, **({"next": next_url} if next_url else {}))


def page_staff(*roles: str) -> auth.Staff:
    """The signed-in staff member of a staff page: signed-out visitors are sent to the sign-in
    form (and back afterwards), the wrong role gets 403. Admin may open every page."""
    staff = auth.current_staff()
    if staff is None:
        abort(redirect(sign_in_url(request.url)))
    if staff.role != "admin" and staff.role not in roles:
        abort(403)
    return staff


def own_address(target: str | None) -> str | None:
    """`target` if it is a page of ours (a path, or any of our services' addresses): the
    sign-in form's `next` never sends anyone to somebody else's site."""
    if not target:
        return None
    parsed = urlparse(target)
    if not parsed.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    own = {urlparse(url).netloc for service in config.SERVICES
           for url in (config.service_url(service), config.public_base_url(service))} | {request.host}
    return target if parsed.scheme in ("http", "https") and parsed.netloc in own else None
