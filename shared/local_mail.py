"""The SMTP server of `make run` when SMTP_URL is not set: every e-mail the network sends is
kept as a file in a Maildir (var/mail/new/), where staff can open it with any mail reader or
list it with `bookcross mail`. Nothing leaves the machine.

    python -m shared.local_mail --port 8025 --maildir var/mail
"""
from __future__ import annotations

import argparse
import mailbox
import signal
import threading
from email import policy
from email.parser import BytesParser
from pathlib import Path


class MaildirHandler:
    def __init__(self, path: Path):
        self.maildir = mailbox.Maildir(str(path), create=True)

    async def handle_DATA(self, server, session, envelope):
        self.maildir.add(envelope.original_content or envelope.content)
        return "250 Message kept in the local mailbox"


def latest(path: Path, count: int = 20) -> list[dict]:
    """The newest messages of the Maildir: when, to whom, about what."""
    box = mailbox.Maildir(str(path), create=True)
    found = []
    for key in box.keys():
        raw = box.get_bytes(key)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        found.append({"file": str(path / ("new" if (path / "new" / key).exists() else "cur") / key),
                      "date": message["Date"] or "", "to": message["To"] or "", "subject": message["Subject"] or ""})
    found.sort(key=lambda m: m["file"])
    return found[-count:]


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", default="var/mail")
    args = parser.parse_args()
    controller = Controller(MaildirHandler(Path(args.maildir)), hostname=args.host, port=args.port)
    controller.start()
    print(f"local SMTP server on smtp://{args.host}:{args.port}, keeping mail in {args.maildir}/new", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
