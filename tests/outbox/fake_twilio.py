"""A local stand-in for Twilio's Messages API: a threaded HTTP server on the loopback.

It speaks the documented request and replies: POST
/2010-04-01/Accounts/{AccountSid}/Messages.json with basic authentication
and form fields, 201 with the message's `sid`, and Twilio's JSON errors
(`code`, `message`, `more_info`, `status`) for the failures a clinic meets:
an invalid number, an account without credit, too many requests (429) and
no answer at all (the request hangs until the test lets it go).
"""

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.test_support import serving_thread

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
# Ports this test server may take (the first free one).
PORTS = range(8650, 8700)


def error(status: int, code: int, message: str, headers: dict | None = None):
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Reply(status=status, body=body, headers=headers or {})


@dataclass
class Reply:
    status: int = 201
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    hang: bool = False


def accepted() -> Reply:
    return Reply(status=201, body={"sid": "SM" + uuid.uuid4().hex, "status": "queued"})


INVALID_NUMBER = error(400, 21211, "The 'To' number is not a valid phone number.")
NOT_A_MOBILE = error(400, 21614, "'To' number is not a valid mobile number")
NO_CREDIT = error(401, 20005, "Account not active")
RATE_LIMITED = error(429, 20429, "Too Many Requests", headers={"Retry-After": "900"})
OPTED_OUT = error(400, 21610, "Attempt to send to unsubscribed recipient")
HANG = Reply(hang=True)


@dataclass
class Received:
    path: str
    authorization: str
    fields: dict[str, str]


class FakeTwilio:
    """`replies` are served in order (then every request is accepted); `received` lists the requests."""

    def __init__(self):
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self.release = threading.Event()
        self.server = self._bind()
        self.thread = serving_thread(self.server)

    def _bind(self) -> ThreadingHTTPServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                fake.received.append(
                    Received(
                        path=self.path,
                        authorization=self.headers.get("Authorization", ""),
                        fields={key: values[0] for key, values in form.items()},
                    )
                )
                reply = fake.replies.pop(0) if fake.replies else accepted()
                if self.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
                    reply = error(404, 20404, "The requested resource was not found")
                elif not fake.authorised(self.headers.get("Authorization", "")):
                    reply = error(401, 20003, "Authenticate")
                if reply.hang:
                    fake.release.wait(10)
                    return
                payload = json.dumps(reply.body or {}).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                pass

        for port in PORTS:
            try:
                return ThreadingHTTPServer(("127.0.0.1", port), Handler)
            except OSError:
                continue
        raise RuntimeError("no free port for the fake Twilio server")

    @staticmethod
    def authorised(header: str) -> bool:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        return header == f"Basic {expected}"

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
