"""A local HTTP server that stands in for an outside party we cannot reach (Open Library, an
SMS gateway, Telegram): it records every request and answers as the test scripts it, in the
party's documented format."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlparse


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Received], tuple[int, dict]]


class StandInServer:
    def __init__(self, respond: Responder):
        self.respond = respond
        self.received: list[Received] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(self.command, url.path, parse_qs(url.query), dict(self.headers),
                                   self.rfile.read(length) if length else b"")
                server.received.append(request)
                status, body = server.respond(request)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self._http.server_address[1]}"
        self.url = f"http://{self.address}"

    def __enter__(self) -> "StandInServer":
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._http.shutdown()
        self._http.server_close()


def scripted(*answers: tuple[int, dict]) -> Responder:
    """Answer each request with the next of `answers`, in order."""
    queue = list(answers)
    return lambda _request: queue.pop(0)
