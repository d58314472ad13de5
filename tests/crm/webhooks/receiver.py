"""A receiver for the tests and the bench: an HTTP server on 127.0.0.1 in a thread, answering from
a script (the answers to give, in order, then 200) and keeping what it received."""

import hashlib
import hmac
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: Any  # an http.client.HTTPMessage: names in any case
    body: bytes


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    secret: str = ""
    answers: list = field(default_factory=list)  # (code, headers) given in order, then 200
    received: list[Received] = field(default_factory=list)
    verified: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: HMAC-SHA256 of the raw body, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def start() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.received.append(Received(self.headers, body))  # names in any case
                if receiver.secret and verify(receiver.secret, body, self.headers.get("X-CRM-Signature", "")):
                    receiver.verified += 1
                code, headers = receiver.answers.pop(0) if receiver.answers else (200, {})
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            reply = b"ok" if code < 300 else b"receiver says no"
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
