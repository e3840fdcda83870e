"""Local servers that answer as outside parties do, shared by several tests."""
from __future__ import annotations

# The shape of https://openlibrary.org/api/books?bibkeys=ISBN:…&format=json&jscmd=data
KNOWN = {
    "ISBN:9780306406157": {
        "url": "https://openlibrary.org/books/OL7590325M/Signals_and_systems",
        "key": "/books/OL7590325M",
        "title": "Signals and systems",
        "subtitle": "an introduction",
        "authors": [{"url": "https://openlibrary.org/authors/OL1A", "name": "Simon Haykin"}],
        "number_of_pages": 750,
        "publishers": [{"name": "Plenum Press"}],
        "publish_date": "1985",
        "identifiers": {"isbn_13": ["9780306406157"]},
        "cover": {"small": "https://covers.openlibrary.org/b/id/1-S.jpg",
                  "medium": "https://covers.openlibrary.org/b/id/1-M.jpg",
                  "large": "https://covers.openlibrary.org/b/id/1-L.jpg"},
    },
}


class OpenLibraryStandIn:
    """Answers /api/books as Open Library does; `down` makes it answer 503."""

    def __init__(self):
        self.down = False

    def __call__(self, request):
        if self.down:
            return 503, {}
        bibkeys = request.query.get("bibkeys", [""])[0].split(",")
        return 200, {key: KNOWN[key] for key in bibkeys if key in KNOWN}


class Mailbox:
    """An aiosmtpd handler that keeps what it receives; `refuse` ("451 …" or "550 …") makes it
    turn recipients away, as a busy or strict server does; `delay` seconds makes it slow to
    accept each message (a loaded server answering the end of DATA late)."""

    def __init__(self, refuse: str | None = None):
        self.messages = []
        self.refuse = refuse
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        from email import policy

        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append((envelope.mail_from, envelope.rcpt_tos,
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for _, rcpt, m in self.messages if address in rcpt]


class SmtpServer:
    """A real SMTP server on loopback (aiosmtpd)."""

    def __init__(self, refuse: str | None = None):
        from aiosmtpd.controller import Controller

        from shared.embedded import free_port

        self.mailbox = Mailbox(refuse)
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=free_port())
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class SmsGatewayStandIn:
    """Answers as Twilio's Messages API does: 201 with a sid, or `fail_with` (status, body)."""

    def __init__(self):
        self.fail_with = None
        self.sent = []

    def __call__(self, request):
        from urllib.parse import parse_qs

        if self.fail_with:
            return self.fail_with
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        self.sent.append(form)
        return 201, {"sid": f"SM{len(self.sent):032d}", "status": "queued", "to": form["To"]}
