"""Alembic, run programmatically: each service has its own migrations and database."""
from __future__ import annotations

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from shared import config, db


def alembic_config(service: str, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", f"services.{service}:migrations")
    cfg.attributes["service"] = service
    cfg.attributes["url"] = url or config.database_url(service)
    return cfg


def upgrade(service: str, url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, url), revision)


def run_env(metadata: list[MetaData]) -> None:
    """The body of every service's migrations/env.py."""
    cfg = context.config
    url = cfg.attributes.get("url") or config.database_url(cfg.attributes["service"])
    engine = db.make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=db.is_sqlite(url), compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
