"""bookcross shared package: event contracts, the bus, the outbox, and what every service uses."""
