"""A booking system's published calendar on the loopback: a tiny threaded HTTP server whose answer
to each path a test sets, and which records every request it receives."""

import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.redis_server import spare_port
from tests.test_support import serving_thread


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    # With an ETag, a request carrying it in If-None-Match is answered 304 without a body.
    etag: str = ""
    last_modified: str = ""
    # Announce no length and stream the body in chunks (a server that hides how much it sends).
    chunked: bool = False


class CalendarServer:
    def __init__(self, *, tls_cert: tuple[str, str] | None = None):
        self.answers: dict[str, Answer] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                answer = server.answers.get(self.path, Answer(status=404))
                if answer.etag and self.headers.get("If-None-Match") == answer.etag:
                    self.send_response(304)
                    self.send_header("ETag", answer.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(answer.status)
                headers = {"Content-Type": "text/calendar; charset=utf-8", **answer.headers}
                if answer.etag:
                    headers["ETag"] = answer.etag
                if answer.last_modified:
                    headers["Last-Modified"] = answer.last_modified
                for name, value in headers.items():
                    self.send_header(name, value)
                if answer.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(answer.body), 65536):
                        chunk = answer.body[start : start + 65536]
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                if "Content-Length" not in answer.headers:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                pass

        self.port = spare_port(8760, 8799)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls_cert is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls_cert)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = serving_thread(self.httpd)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def serve(self, path: str, **answer) -> str:
        self.answers[path] = Answer(**answer)
        return self.url(path)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentServer:
    """Accepts connections and never answers: a server that hangs."""

    def __init__(self):
        self.port = spare_port(8760, 8799)
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", self.port))
        self.socket.listen(5)

    def url(self, path: str = "/calendar.ics") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.socket.close()


def self_signed_certificate(directory, name: str) -> tuple[str, str]:
    """(certificate, key) files of a self-signed certificate for `name`, made by openssl."""
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", key, "-out", cert, "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True,
        capture_output=True,
    )
    return cert, key
