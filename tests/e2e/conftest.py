"""Fixtures for the end-to-end tests: Debian's chromium driven by Playwright against pytest-django's live server.

Nothing is downloaded: Playwright's bundled driver talks to the system chromium. Where no chromium is found the
browser tests skip and say how to install it.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# Generous enough for a loaded CI machine running two workers; every wait below is for a condition, never a time.
ACTION_TIMEOUT_MS = 15_000


def chromium_executable() -> str | None:
    explicit = os.environ.get("LEARNFLOW_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Kept on the item so that the page fixture can tell, while tearing down, whether the test failed.
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if path is None:
        pytest.skip("browser test skipped: no chromium found (install Debian's with `apt-get install chromium`, "
                    "or point LEARNFLOW_CHROMIUM at a Chromium binary)")
    return path


@pytest.fixture
def browser(chromium_path):
    # Function-scoped on purpose: Playwright's event loop must not outlive the browser test, or every later test in
    # this worker would find a running loop and have its database calls refused by Django.
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="browser test skipped: the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; Django would then refuse ORM calls made here
    # (SynchronousOnlyOperation) even though nothing runs concurrently. The live server answers from its own thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server keeps one thread per browser connection (HTTP keep-alive); with persistent database connections
    # those threads would still hold a PostgreSQL session when the test database is dropped. Close after each request.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    from playwright.sync_api import expect

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "_report_call", None)
    if report is not None and report.failed:
        artifacts = Path(request.config.rootpath) / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    context.close()
    # A database connection opened in this thread while Playwright runs lives in Playwright's context, where
    # pytest-django never closes it; on PostgreSQL it would then block dropping the test database.
    connections.close_all()
