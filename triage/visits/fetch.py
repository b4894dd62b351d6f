"""Fetching the booking system's published calendar over the web, safely.

Only `https` to public addresses, unless private ones are allowed (`allow_private`, which also
allows plain `http`): the host is resolved once, every address it resolves to is checked, and the
connection goes to the checked address (so a name that resolves differently a moment later, DNS
rebinding, cannot reach the clinic's own network); TLS still verifies the certificate against the
host's name. Redirects are followed by hand, each hop checked the same way. The answer is read
up to a size limit and within a total time; conditional requests (ETag, Last-Modified) let the
server answer 304 when nothing changed.

Errors are `FetchError` with a short code (the `CalendarSync.Error` values) and never carry the
address, which may hold a secret token.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3

MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """The calendar could not be fetched; `code` says why, `status` the HTTP status if any."""

    def __init__(self, code: str, status: int | None = None):
        super().__init__(code if status is None else f"{code} {status}")
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Fetched:
    # None: 304, the calendar has not changed since the validators were given.
    content: bytes | None
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.content is None


def normalize_url(url: str) -> str:
    """`webcal://` (how calendar apps name a subscription) is https."""
    url = (url or "").strip()
    if url.lower().startswith("webcal://"):
        return "https://" + url[len("webcal://") :]
    return url


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not private, loopback, link-local, reserved,
    multicast or unspecified (an IPv4 address written as IPv6 is judged as itself)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to, in the resolver's order, each once."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError("dns_failed") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str
    host_header: str


def _target(url: str, *, allow_private: bool, allow_http: bool) -> _Target:
    """Where to connect for `url`, after checking its scheme and every address of its host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("invalid_url") from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise FetchError("invalid_url")
    if scheme != "https" and not allow_http:
        raise FetchError("scheme_refused")
    port = port or (443 if scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise FetchError("dns_failed")
    if not allow_private:
        for text in addresses:
            if not is_public(ipaddress.ip_address(text.split("%", 1)[0])):
                raise FetchError("address_refused")
    default_port = port == (443 if scheme == "https" else 80)
    bracketed = f"[{host}]" if ":" in host else host
    return _Target(
        scheme=scheme,
        host=host,
        port=port,
        address=addresses[0],
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        host_header=bracketed if default_port else f"{bracketed}:{port}",
    )


def _pool(target: _Target, timeout: float):
    options = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        # Connect to the checked address; the certificate must still name the host.
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, **options)


def _read(response, *, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too_large")
    body = bytearray()
    # Decoded bytes are counted, so a small compressed answer cannot unpack into a huge one.
    for chunk in response.stream(CHUNK_BYTES, decode_content=True):
        body.extend(chunk)
        if len(body) > max_bytes:
            raise FetchError("too_large")
        if time.monotonic() > deadline:
            raise FetchError("timeout")
    return bytes(body)


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    allow_private: bool = False,
    allow_http: bool | None = None,
    timeout: float = 20.0,
    max_bytes: int = 2 * 1024 * 1024,
) -> Fetched:
    """GET the calendar at `url`, conditionally; raises FetchError. The whole fetch, redirects
    included, lasts at most about twice `timeout`. Plain http is allowed with private addresses
    unless `allow_http` says otherwise."""
    if allow_http is None:
        allow_http = allow_private
    deadline = time.monotonic() + 2 * timeout
    headers = {"Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    url = normalize_url(url)
    for _hop in range(MAX_REDIRECTS + 1):
        target = _target(url, allow_private=allow_private, allow_http=allow_http)
        pool = _pool(target, timeout)
        try:
            response = pool.urlopen(
                "GET",
                target.path,
                headers={**headers, "Host": target.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.SSLError:
            raise FetchError("tls_failed") from None
        except urllib3.exceptions.NewConnectionError:
            # Refused or unreachable (urllib3 counts this as a connect timeout too).
            raise FetchError("connection_failed") from None
        except (TimeoutError, urllib3.exceptions.TimeoutError):
            raise FetchError("timeout") from None
        except urllib3.exceptions.HTTPError:
            raise FetchError("connection_failed") from None
        try:
            if response.status in REDIRECTS and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status == 304:
                return Fetched(None, etag=etag, last_modified=last_modified)
            if response.status != 200:
                raise FetchError("http_status", response.status)
            try:
                content = _read(response, max_bytes=max_bytes, deadline=deadline)
            except (TimeoutError, urllib3.exceptions.TimeoutError):
                raise FetchError("timeout") from None
            except urllib3.exceptions.HTTPError:
                raise FetchError("connection_failed") from None
            return Fetched(
                content,
                etag=response.headers.get("ETag", "")[:500],
                last_modified=response.headers.get("Last-Modified", "")[:100],
            )
        finally:
            response.release_conn()
            pool.close()
    raise FetchError("too_many_redirects")
