from __future__ import annotations

import http.server
import socket
import threading
from dataclasses import dataclass, field
from typing import Callable

import pytest


@pytest.fixture(autouse=True)
def _no_fetch_allowlist(settings):
    settings.LEARNFLOW_FETCH_ALLOW = []


@pytest.fixture
def topic(org):
    from learnflow.curation.services import topic_create

    return topic_create(actor=org.lena, name="Secure coding", description="Writing software that holds up.")


Reply = tuple[int, dict[str, str], bytes]


@dataclass
class FeedServer:
    """A small HTTP server on 127.0.0.1 for the fetcher's tests; `routes` maps a path to a function of the request
    handler that returns (status, headers, body)."""

    port: int
    routes: dict[str, Callable[[http.server.BaseHTTPRequestHandler], Reply]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def allow(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def feed_server():
    state: dict[str, FeedServer] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            server = state["server"]
            server.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            route = server.routes.get(self.path.split("?")[0])
            status, headers, body = route(self) if route else (404, {}, b"not here")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state["server"] = FeedServer(port=httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state["server"]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def silent_server():
    """Accepts connections (the kernel completes the handshake) and never says a word."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


def rss(*items: tuple[str, str], title: str = "Example feed") -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{link}</link><description>About {t}</description>"
                   f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>" for t, link in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://example.org/</link>{body}</channel></rss>").encode()
