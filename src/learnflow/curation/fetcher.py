"""An HTTP(S) fetcher that cannot be turned against the inside of the network (server-side request forgery).

Every hop (the first request and each redirect) is checked the same way: http/https only; the host is resolved once
with getaddrinfo and every address it resolves to must be a public one (not private, loopback, link-local,
multicast, reserved, unspecified, shared CGNAT space, a cloud metadata address, or an IPv6 form embedding one of
those) unless the operator allow-lists it (setting LEARNFLOW_FETCH_ALLOW: CIDRs, addresses, host names, each
optionally with :port). The connection then goes to the address that was checked — no second DNS lookup, so a
name cannot resolve to a public address for the check and a private one for the connection (DNS rebinding) —
while the Host header and TLS SNI/certificate check still use the name. Redirects, time and size are bounded.
Standard library only.
"""
from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_TOTAL_TIMEOUT = 20.0
USER_AGENT = "Learnflow feed fetcher (+https://learnflow.invalid/fetcher)"
ACCEPT = ("application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
_REDIRECTS = {301, 302, 303, 307, 308}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
             ipaddress.ip_address("100.100.100.200")}  # AWS/GCP/Azure, AWS IPv6, Alibaba
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """Why a fetch was refused or failed. `reason` is a short stable code (for logs and tests), `message` a sentence
    for the curator."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass
class FetchResult:
    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    content: bytes = b""
    redirects: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")


# --- address policy ---------------------------------------------------------------------------------------------

def address_refusal(ip: IPAddress) -> str | None:
    """Why a connection to `ip` is refused, or None when it is a public address."""
    if ip in _METADATA:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or (ip.sixtofour) or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = address_refusal(embedded)
            if reason:
                return f"{reason} (inside an IPv6 address)"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a shared (CGNAT) address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a public address"
    return None


@dataclass(frozen=True)
class _Allowed:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    host: str | None
    port: int | None

    def permits(self, *, host: str, ip: IPAddress, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return ip.version == self.network.version and ip in self.network
        return self.host == host


def _parse_allow_entry(entry: str) -> _Allowed | None:
    entry = entry.strip().lower()
    if not entry:
        return None
    port: int | None = None
    if entry.startswith("["):  # [v6]:port or [v6]
        inside, _, rest = entry[1:].partition("]")
        entry = inside
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif entry.count(":") == 1:
        head, _, tail = entry.partition(":")
        if tail.isdigit():
            entry, port = head, int(tail)
    try:
        return _Allowed(network=ipaddress.ip_network(entry, strict=False), host=None, port=port)
    except ValueError:
        return _Allowed(network=None, host=entry.rstrip("."), port=port)


def allow_list() -> list[_Allowed]:
    try:
        from django.conf import settings

        raw = getattr(settings, "LEARNFLOW_FETCH_ALLOW", None)
    except Exception:  # used outside Django (a script): the environment alone decides
        raw = None
    if raw is None:
        raw = os.environ.get("LEARNFLOW_FETCH_ALLOW", "")
    if isinstance(raw, str):
        raw = raw.split(",")
    return [a for a in (_parse_allow_entry(str(e)) for e in raw) if a is not None]


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError("dns", f"The name {host} could not be resolved ({exc}).") from exc
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError("dns", f"The name {host} has no address.")
    return addresses


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


def vet_url(url: str, *, allowed: list[_Allowed] | None = None) -> _Target:
    """Check one URL against the policy and return where to connect. Raises FetchError."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError("bad_url", f"“{url[:200]}” is not a valid address.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("scheme", f"Only http and https addresses can be fetched, not “{scheme or 'none'}”.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("bad_url", "The address has no host name.")
    try:
        host.encode("idna")
    except UnicodeError as exc:
        raise FetchError("bad_url", f"“{host[:100]}” is not a valid host name.") from exc
    port = port or (443 if scheme == "https" else 80)
    allowed = allow_list() if allowed is None else allowed
    addresses = _resolve(host, port)
    for ip in addresses:
        reason = address_refusal(ip)
        if reason and not any(a.permits(host=host, ip=ip, port=port) for a in allowed):
            shown = host if str(ip) == host else f"{host} ({ip})"
            raise FetchError("forbidden_address", f"Refused to connect to {shown}:{port}: {reason}.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


# --- connections pinned to the vetted address --------------------------------------------------------------------

class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, ip: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        # The vetted address, never the name: no second lookup.
        self.sock = socket.create_connection((str(self._ip), self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


class _Deadline:
    """The total time budget of one fetch; closes the socket when it runs out, so even a server that trickles one
    byte at a time cannot hold a worker longer than the budget."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise FetchError("timeout", "The server took too long to answer.")
        return left

    def guard(self, sock: socket.socket) -> None:
        self.cancel()

        def stop() -> None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        self._timer = threading.Timer(max(self.ends - time.monotonic(), 0), stop)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _request_once(target: _Target, headers: dict[str, str], *, connect_timeout: float, deadline: _Deadline,
                  max_bytes: int) -> tuple[int, dict[str, str], bytes]:
    last_error: Exception | None = None
    for ip in target.addresses:
        cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        conn = cls(target.host, target.port, ip=ip, timeout=min(connect_timeout, deadline.remaining()))
        try:
            try:
                conn.connect()
            except ssl.SSLError as exc:
                raise FetchError("tls", f"The secure connection to {target.host} failed ({exc.reason}).") from exc
            except (TimeoutError, socket.timeout):
                last_error = FetchError("timeout", f"Connecting to {target.host} timed out.")
                continue
            except OSError as exc:
                last_error = FetchError("connection", f"Could not connect to {target.host} ({exc.strerror or exc}).")
                continue
            # http.client lets go of conn.sock once a "Connection: close" response starts; keep our own handle.
            sock = conn.sock
            deadline.guard(sock)
            sock.settimeout(deadline.remaining())
            conn.putrequest("GET", target.path, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            status = response.status
            response_headers = {k.lower(): v for k, v in response.getheaders()}
            if status in _REDIRECTS or status == 304 or status >= 400:
                return status, response_headers, b""
            declared = response_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError("too_large", f"The document is larger than {max_bytes // 1024} KB.")
            chunks, size = [], 0
            while not response.isclosed():  # closed: the whole declared length has been read
                sock.settimeout(deadline.remaining())
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("too_large", f"The document is larger than {max_bytes // 1024} KB.")
                chunks.append(chunk)
            return status, response_headers, b"".join(chunks)
        except FetchError:
            raise
        except (TimeoutError, socket.timeout) as exc:
            raise FetchError("timeout", "The server took too long to answer.") from exc
        except (http.client.HTTPException, OSError, ValueError) as exc:
            if time.monotonic() >= deadline.ends:
                raise FetchError("timeout", "The server took too long to answer.") from exc
            raise FetchError("protocol", f"The server's answer could not be read ({type(exc).__name__}).") from exc
        finally:
            deadline.cancel()
            conn.close()
    assert last_error is not None
    raise last_error


def fetch(url: str, *, etag: str = "", last_modified: str = "", max_bytes: int | None = None,
          max_redirects: int | None = None, connect_timeout: float | None = None,
          total_timeout: float | None = None, allowed: list[_Allowed] | None = None,
          accept: str = ACCEPT) -> FetchResult:
    """GET `url` safely. A conditional request when `etag` / `last_modified` are given (a 304 comes back as
    FetchResult.not_modified). `accept`: the Accept header (feeds by default; the library asks for images).
    Raises FetchError with a reason for every refusal and failure."""
    from_settings = _settings()
    max_bytes = max_bytes or from_settings["max_bytes"]
    max_redirects = from_settings["max_redirects"] if max_redirects is None else max_redirects
    connect_timeout = connect_timeout or from_settings["connect_timeout"]
    deadline = _Deadline(total_timeout or from_settings["total_timeout"])
    allowed = allow_list() if allowed is None else allowed

    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity", "Connection": "close"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current, redirects = url, 0
    while True:
        target = vet_url(current, allowed=allowed)
        status, response_headers, content = _request_once(target, headers, connect_timeout=connect_timeout,
                                                          deadline=deadline, max_bytes=max_bytes)
        if status in _REDIRECTS:
            location = response_headers.get("location", "").strip()
            if not location:
                raise FetchError("protocol", f"The server answered {status} without saying where to go.")
            if redirects >= max_redirects:
                raise FetchError("too_many_redirects", f"More than {max_redirects} redirects.")
            redirects += 1
            current = urllib.parse.urljoin(current, location)
            continue
        if status == 304:
            return FetchResult(url=current, status=304, headers=response_headers, redirects=redirects)
        if status >= 400 or status < 200:
            raise FetchError("http_status", f"The server answered {status}.")
        return FetchResult(url=current, status=status, headers=response_headers, content=content,
                           redirects=redirects)


def _settings() -> dict[str, float | int]:
    values: dict[str, float | int] = {"max_bytes": DEFAULT_MAX_BYTES, "max_redirects": DEFAULT_MAX_REDIRECTS,
                                      "connect_timeout": DEFAULT_CONNECT_TIMEOUT,
                                      "total_timeout": DEFAULT_TOTAL_TIMEOUT}
    try:
        from django.conf import settings

        values["max_bytes"] = getattr(settings, "LEARNFLOW_FETCH_MAX_BYTES", values["max_bytes"])
        values["max_redirects"] = getattr(settings, "LEARNFLOW_FETCH_MAX_REDIRECTS", values["max_redirects"])
        values["connect_timeout"] = getattr(settings, "LEARNFLOW_FETCH_CONNECT_TIMEOUT", values["connect_timeout"])
        values["total_timeout"] = getattr(settings, "LEARNFLOW_FETCH_TOTAL_TIMEOUT", values["total_timeout"])
    except Exception:
        pass
    return values
