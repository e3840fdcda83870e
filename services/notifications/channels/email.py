"""The e-mail channel: one message over SMTP, with a text and an HTML part and a one-click
unsubscribe header (RFC 8058). The server comes from SMTP_URL: smtp://[user:pass@]host:port,
or smtps:// for TLS from the first byte."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlparse

from services.notifications.channels import PermanentFailure, TemporaryFailure


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    language: str = "uk"
    # The delivery log's id of this message: the Message-ID is made from it, so a letter sent
    # again (a worker stopped between the server's OK and our commit) carries the same id, and
    # mail clients show it once.
    key: str | None = None


class SmtpSender:
    def __init__(self, smtp_url: str, sender: str = "bookcross <no-reply@bookcross.local>",
                 timeout: float = 10):
        url = urlparse(smtp_url)
        if url.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {url.scheme}://")
        self.tls = url.scheme == "smtps"
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or (465 if self.tls else 25)
        self.username = unquote(url.username) if url.username else None
        self.password = unquote(url.password) if url.password else None
        self.sender = sender
        self.timeout = timeout

    def build(self, email: Email) -> EmailMessage:
        message = EmailMessage()
        name, _, address = self.sender.rpartition(" ")
        message["From"] = formataddr((name, address.strip("<>"))) if name else self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        domain = address.strip("<>").rpartition("@")[2] or "bookcross.local"
        message["Message-ID"] = f"<bookcross.{email.key}@{domain}>" if email.key else make_msgid(domain=domain)
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        message["Content-Language"] = email.language  # after the body: set_content drops Content-* headers
        return message

    def send(self, email: Email) -> str:
        """Send; returns the Message-ID. Raises TemporaryFailure or PermanentFailure."""
        message = self.build(email)
        try:
            if self.tls:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
            finally:
                _quit(client)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise (TemporaryFailure if all(400 <= c < 500 for c in codes) else PermanentFailure)(
                f"recipient refused: {exc.recipients}") from None
        except smtplib.SMTPResponseException as exc:
            raise (TemporaryFailure if 400 <= exc.smtp_code < 500 else PermanentFailure)(
                f"{exc.smtp_code} {exc.smtp_error!r}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
        return message["Message-ID"]


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; once the server has taken the message (250 after DATA), a goodbye that goes
    wrong must not turn into a failure — that would send the letter again."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
