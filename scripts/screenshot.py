#!/usr/bin/env python3
"""Take the README screenshots from a freshly seeded demo organisation.

    .venv/bin/python scripts/screenshot.py

Seeds the demo organisation into a temporary data folder, serves it with `learnflow serve` on a free port, signs in
as ann and saves docs/screenshot.png (home page, 1280x900) and docs/screenshot-mobile.png (her timeline, 390x844).
Needs the test extras (playwright) and a system Chromium (`apt-get install chromium`); nothing is downloaded.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DEMO_USER, DEMO_PASSWORD = "ann", "learnflow-demo"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SERVER_START_TIMEOUT_S = 90


def chromium_executable() -> str:
    explicit = os.environ.get("LEARNFLOW_CHROMIUM")
    candidates = [explicit] if explicit else ["/usr/bin/chromium", "/usr/bin/chromium-browser",
                                              shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("No chromium found: install it with `apt-get install chromium` or set LEARNFLOW_CHROMIUM.")


def learnflow_command() -> str:
    beside_python = Path(sys.executable).parent / "learnflow"
    found = str(beside_python) if beside_python.exists() else shutil.which("learnflow")
    if not found:
        sys.exit("The `learnflow` command was not found: run this with the project's virtualenv python.")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"learnflow serve exited early with code {server.returncode}")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)  # polling a server that is starting; there is nothing to wait on instead
    sys.exit(f"learnflow serve did not answer {url}healthz within {SERVER_START_TIMEOUT_S} s")


def sign_in(page, base_url: str) -> None:
    page.goto(base_url + "login/")
    page.get_by_label("Username").fill(DEMO_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url)


def take_screenshots(base_url: str) -> None:
    from playwright.sync_api import sync_playwright

    DOCS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS, headless=True)
        try:
            desktop = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
            page = desktop.new_page()
            sign_in(page, base_url)
            page.screenshot(path=str(DOCS / "screenshot.png"), animations="disabled", caret="hide")

            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        device_scale_factor=2, color_scheme="light")
            page = phone.new_page()
            sign_in(page, base_url)
            page.goto(base_url + "journal/")
            page.screenshot(path=str(DOCS / "screenshot-mobile.png"), animations="disabled", caret="hide")
        finally:
            browser.close()


def main() -> int:
    learnflow = learnflow_command()
    with tempfile.TemporaryDirectory(prefix="learnflow-screenshot-") as data_dir:
        env = {**os.environ, "LEARNFLOW_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)  # the screenshots show the embedded SQLite quick start
        subprocess.run([learnflow, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}/"
        server = subprocess.Popen(
            [learnflow, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-task-worker"],
            env=env, stdout=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_until_healthy(base_url, server)
            take_screenshots(base_url)
        finally:
            if server.poll() is None:
                # The server runs in its own session, so this reaches its worker processes and nothing else.
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    print(f"Saved {DOCS / 'screenshot.png'} and {DOCS / 'screenshot-mobile.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
