"""Configuration from the environment (and an optional `.env`).

Unset means the embedded default: a SQLite file per service under `var/` and a
Redis URL that `bookcross up` fills in after starting the embedded server.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

SERVICES = ("catalog", "donations", "notifications")
DEFAULT_PORTS = {"catalog": 8001, "donations": 8002, "notifications": 8003}

load_dotenv(os.environ.get("BOOKCROSS_ENV_FILE", ".env"), override=False)


def var_dir() -> Path:
    path = Path(os.environ.get("BOOKCROSS_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(service: str) -> str:
    value = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if value:
        return value
    return f"sqlite:///{var_dir() / (service + '.db')}"


def redis_url() -> str:
    value = os.environ.get("REDIS_URL")
    if value:
        return value
    # `bookcross up` writes the embedded server's URL here for every process it starts.
    marker = var_dir() / "redis.url"
    if marker.exists():
        return marker.read_text().strip()
    return "redis://127.0.0.1:6379/0"


def secret_key() -> str:
    value = os.environ.get("BOOKCROSS_SECRET_KEY")
    if value:
        return value
    # Never a key from the repository: a random one, made once per installation.
    path = var_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _derived(label: str) -> str:
    """A key of its own for one purpose, derived from BOOKCROSS_SECRET_KEY when not given."""
    return hmac.new(secret_key().encode(), f"bookcross.{label}".encode(), hashlib.sha256).hexdigest()


def _keys(variable: str, label: str) -> list[str]:
    """Signing keys, newest first (`NEW,OLD` while rotating: both are accepted, the new one signs)."""
    value = os.environ.get(variable)
    keys = [k.strip() for k in value.split(",") if k.strip()] if value else [_derived(label)]
    return keys


def staff_keys() -> list[str]:
    """Keys of staff tokens, cookies and form tokens (BOOKCROSS_STAFF_KEY). Rotating them signs
    every member of staff out; donor links keep working."""
    return _keys("BOOKCROSS_STAFF_KEY", "staff")


def donor_link_keys() -> list[str]:
    """Keys of the signed links in donors' messages (BOOKCROSS_DONOR_LINK_KEY). Rotating them
    never touches staff sign-ins."""
    keys = _keys("BOOKCROSS_DONOR_LINK_KEY", "donor-links")
    if not os.environ.get("BOOKCROSS_DONOR_LINK_KEY"):
        keys.append(secret_key())  # links in letters sent before the keys were separated
    return keys


def port(service: str) -> int:
    return int(os.environ.get(f"{service.upper()}_PORT", DEFAULT_PORTS[service]))


def public_base_url(service: str = "donations") -> str:
    """Where people outside reach a service's pages (tracking links, QR labels): its own
    `<SERVICE>_PUBLIC_URL`, else PUBLIC_BASE_URL (one host routing /track/ and /c/), else local."""
    base = os.environ.get(f"{service.upper()}_PUBLIC_URL") or os.environ.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/")
    return f"http://127.0.0.1:{port(service)}"


def service_url(service: str) -> str:
    return os.environ.get(f"{service.upper()}_URL", f"http://127.0.0.1:{port(service)}").rstrip("/")


@dataclass(frozen=True)
class BusSettings:
    """Tuning of the outbox relay and the consumers, one place, from the environment."""

    relay_batch: int
    relay_max_attempts: int
    relay_max_backoff: float
    sweep_seconds: float
    consumer_max_retries: int


def bus_settings() -> BusSettings:
    env = os.environ.get
    return BusSettings(
        relay_batch=int(env("OUTBOX_RELAY_BATCH", "200")),
        relay_max_attempts=int(env("OUTBOX_MAX_ATTEMPTS", "30")),
        relay_max_backoff=float(env("OUTBOX_MAX_BACKOFF_SECONDS", "60")),
        sweep_seconds=float(env("OUTBOX_SWEEP_SECONDS", "2")),
        consumer_max_retries=int(env("CONSUMER_MAX_RETRIES", "8")),
    )


# --- reading a setting --------------------------------------------------------------------
# Every setting is read here or in a service's own `config.py` through these, never with
# os.environ scattered through the code: `grep -rn environ services shared` finds them all.

def env(name: str, default: str | None = None) -> str | None:
    """The variable's value as it is set (an empty value too), else the default."""
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    return int(env(name) or default)


def env_float(name: str, default: float) -> float:
    return float(env(name) or default)


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment with `overrides`: what `bookcross up` hands its processes."""
    return {**os.environ, **overrides}


def set_environment(values: dict[str, str]) -> None:
    os.environ.update(values)
