"""Versioned event schemas, registered by (type, version).

Producers dump payloads through the schema (so an event that would not validate
is never written); consumers load tolerantly: unknown fields are ignored, and
within a version fields are only ever added.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError

from shared.events.envelope import EnvelopeSchema, Event

_SCHEMAS: dict[tuple[str, int], type[Schema]] = {}


class EventSchema(Schema):
    """Base of every payload schema. Subclasses set `event_type` and `event_version`."""

    event_type: str = ""
    event_version: int = 1

    class Meta:
        unknown = EXCLUDE


def register(schema_cls: type[EventSchema]) -> type[EventSchema]:
    key = (schema_cls.event_type, schema_cls.event_version)
    if key in _SCHEMAS:
        raise ValueError(f"event schema registered twice: {key}")
    _SCHEMAS[key] = schema_cls
    _latest.pop(schema_cls.event_type, None)
    return schema_cls


_instances: dict[tuple[str, int], EventSchema] = {}
_latest: dict[str, int] = {}  # event type → its newest registered version
_envelope_schema = EnvelopeSchema()


def _schema_instance(event_type: str, version: int) -> EventSchema:
    """Schemas are stateless once built, and building one is costly: one per process."""
    key = (event_type, version)
    if key not in _instances:
        _instances[key] = schema_for(event_type, version)()
    return _instances[key]


def schema_for(event_type: str, version: int) -> type[EventSchema]:
    _load_all()
    try:
        return _SCHEMAS[(event_type, version)]
    except KeyError:
        raise UnknownEvent(f"no schema for {event_type} v{version}") from None


def all_schemas() -> dict[tuple[str, int], type[EventSchema]]:
    _load_all()
    return dict(_SCHEMAS)


def event_types() -> set[str]:
    return {t for t, _ in all_schemas()}


class UnknownEvent(Exception):
    pass


def make_event(event_type: str, payload: dict[str, Any], *, producer: str,
               version: int | None = None, correlation_id: str | None = None) -> Event:
    """Validate a payload against its schema and wrap it in an envelope."""
    _load_all()
    if version is None:
        version = _latest_version(event_type)
    schema = _schema_instance(event_type, version)
    # Dump first (UUIDs, datetimes → JSON types), then prove a consumer could load it.
    wire_payload = schema.dump(payload)
    errors = schema.validate(wire_payload)
    if errors:
        raise ValidationError(errors)
    return Event(type=event_type, version=version, payload=wire_payload,
                 producer=producer, correlation_id=correlation_id)


def _latest_version(event_type: str) -> int:
    if event_type not in _latest:
        _latest[event_type] = max((v for t, v in _SCHEMAS if t == event_type), default=1)
    return _latest[event_type]


def load_envelope(data: dict[str, Any]) -> dict[str, Any]:
    """Validate an incoming envelope and its payload; returns the loaded envelope."""
    envelope = _envelope_schema.load(data)
    envelope["payload"] = _schema_instance(envelope["type"], envelope["version"]).load(envelope["payload"])
    return envelope


def _load_all() -> None:
    # One module per producer; importing registers its schemas.
    from shared.events import bus, catalog, donations, notifications  # noqa: F401
