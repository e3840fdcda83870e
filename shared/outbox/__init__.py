"""The transactional outbox: write events with the change, relay them after commit."""
from shared.outbox.relay import RelayResult, relay_pending, set_publisher
from shared.outbox.writer import add_event

__all__ = ["add_event", "relay_pending", "set_publisher", "RelayResult"]
