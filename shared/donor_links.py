"""Signed links that let a donor manage their messages with no account: one-click unsubscribe
per channel, and the preferences page. Notifications serves them; any service may print them
(the tracking page does), since every service holds the donor link key."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from shared import config

_UNSUBSCRIBE_SALT = "bookcross.unsubscribe.v1"


def _keys() -> list[str]:
    # BOOKCROSS_DONOR_LINK_KEY, apart from the staff key: rotating one never breaks the other.
    return list(reversed(config.donor_link_keys()))

_PREFERENCES_SALT = "bookcross.preferences.v1"


def unsubscribe_token(donor_id, channel: str) -> str:
    return URLSafeSerializer(_keys(), salt=_UNSUBSCRIBE_SALT).dumps({"d": str(donor_id), "c": channel})


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    try:
        data = URLSafeSerializer(_keys(), salt=_UNSUBSCRIBE_SALT).loads(token)
        return data["d"], data["c"]
    except (BadSignature, KeyError, TypeError):
        return None


def preferences_token(donor_id) -> str:
    return URLSafeSerializer(_keys(), salt=_PREFERENCES_SALT).dumps({"d": str(donor_id)})


def read_preferences_token(token: str) -> str | None:
    try:
        return URLSafeSerializer(_keys(), salt=_PREFERENCES_SALT).loads(token)["d"]
    except (BadSignature, KeyError, TypeError):
        return None


def preferences_url(donor_id) -> str:
    return f"{config.public_base_url('notifications')}/preferences/{preferences_token(donor_id)}"


def unsubscribe_url(donor_id, channel: str) -> str:
    return f"{config.public_base_url('notifications')}/unsubscribe/{unsubscribe_token(donor_id, channel)}"
