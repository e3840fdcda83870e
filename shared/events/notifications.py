"""Events published by the notifications service (none yet: it only listens)."""
