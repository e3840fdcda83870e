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


# "Was this useful?" under a message (stage) or on the tracking page: donations serves it.
_FEEDBACK_SALT = "bookcross.feedback.v1"
# A donation's (or an organisation's) impact report, shareable: donations serves it.
_IMPACT_SALT = "bookcross.impact.v1"


def feedback_token(donation_id, stage: str) -> str:
    return URLSafeSerializer(config.secret_key(), salt=_FEEDBACK_SALT).dumps({"n": str(donation_id), "s": stage})


def read_feedback_token(token: str) -> tuple[str, str] | None:
    try:
        data = URLSafeSerializer(config.secret_key(), salt=_FEEDBACK_SALT).loads(token)
        return data["n"], data["s"]
    except (BadSignature, KeyError, TypeError):
        return None


def feedback_url(donation_id, stage: str, answer: str) -> str:
    return f"{config.public_base_url('donations')}/feedback/{feedback_token(donation_id, stage)}?answer={answer}"


def impact_token(kind: str, key) -> str:
    """`kind` 'd': one donation (key: its id); 'o': an organisation's donations (key: the id of
    the donor record of one of them)."""
    return URLSafeSerializer(config.secret_key(), salt=_IMPACT_SALT).dumps({"k": kind, "i": str(key)})


def read_impact_token(token: str) -> tuple[str, str] | None:
    try:
        data = URLSafeSerializer(config.secret_key(), salt=_IMPACT_SALT).loads(token)
        return (data["k"], data["i"]) if data["k"] in ("d", "o") else None
    except (BadSignature, KeyError, TypeError):
        return None
