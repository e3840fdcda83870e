"""Delivery channels. Each sends one message and says how it failed, if it did."""


class TemporaryFailure(Exception):
    """Worth trying again later (the server is away, busy, or said so)."""


class PermanentFailure(Exception):
    """Trying again will not help (no such recipient, blocked, refused)."""
