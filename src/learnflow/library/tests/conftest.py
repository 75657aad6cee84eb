from __future__ import annotations

import http.server
import threading

import pytest


@pytest.fixture(autouse=True)
def _no_fetch_allowlist(settings):
    # Tests never reach the network: only the local page server below, and only when a test allows it.
    settings.LEARNFLOW_FETCH_ALLOW = []


@pytest.fixture
def topic(org):
    from learnflow.curation.services import topic_create

    return topic_create(actor=org.lena, name="Customer calls", description="Talking with customers.")


@pytest.fixture
def reviewed_topic(org):
    from learnflow.curation.services import topic_create
    from learnflow.library.services import topic_review_set

    topic = topic_create(actor=org.lena, name="Safety procedures")
    topic_review_set(topic=topic, actor=org.lena, review_required=True)
    return topic


@pytest.fixture
def resource_factory(db):
    from learnflow.library.services import resource_create

    def make(author, title="How to log a support call", kind="page", body="1. Open the ticket\n2. Note the time",
             **kw):
        return resource_create(author=author, kind=kind, title=title, body=body, **kw)

    return make


@pytest.fixture
def page_server(settings):
    """A small HTTP server on 127.0.0.1 serving `pages[path] = (content_type, bytes)`; allow-listed for the safe
    fetcher while the test runs."""
    pages: dict[str, tuple[str, bytes]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            found = pages.get(self.path)
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", found[0] if found else "text/plain")
            self.end_headers()
            self.wfile.write(found[1] if found else b"not here")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    settings.LEARNFLOW_FETCH_ALLOW = [f"127.0.0.1:{port}"]

    class Server:
        def __init__(self):
            self.pages = pages

        def url(self, path: str) -> str:
            return f"http://127.0.0.1:{port}{path}"

    yield Server()
    httpd.shutdown()
    httpd.server_close()
