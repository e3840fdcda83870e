"""Event contracts: the envelope and one module of versioned schemas per producer."""
from shared.events.envelope import EnvelopeSchema, Event
from shared.events.registry import (
                                    EventSchema,
                                    UnknownEvent,
                                    all_schemas,
                                    event_types,
                                    load_envelope,
                                    make_event,
                                    register,
                                    schema_for,
)

__all__ = ["Event", "EnvelopeSchema", "EventSchema", "UnknownEvent", "all_schemas",
           "event_types", "load_envelope", "make_event", "register", "schema_for"]
