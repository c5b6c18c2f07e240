"""A real headless Chromium (Debian's package) driven by Playwright against a live server.

Playwright's own browser download does not work on our machines, so we launch /usr/bin/chromium.
Set REFUGE_REQUIRE_BROWSER=1 (CI does) to fail instead of skipping when Chromium is missing.
"""

import os
import threading
from pathlib import Path

import pytest

from refuge.testing import PASSWORD

CHROMIUM = os.environ.get("REFUGE_CHROMIUM", "/usr/bin/chromium")
# Playwright's event loop trips Django's async-safety guard in the test thread; the server
# thread is a normal thread, so this only relaxes the check for the test's own ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("REFUGE_SCREENSHOTS", "var/screenshots"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _ReleasedOnClose:
    """A response's body, holding the server's lock until the server has sent it all (a
    streamed export reads the database while it is sent)."""

    def __init__(self, body, lock):
        self._body, self._lock, self._held = body, lock, True

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            if self._held:
                self._held = False
                self._lock.release()


@pytest.fixture(scope="session", autouse=True)
def _static_files_as_in_production():
    """Pages name static files by their hashed names, which only WhiteNoise (serving what
    collectstatic wrote) knows; the live server's own static handler looks for the unhashed
    originals. Let every request through to the application, as a deployment does.

    The live server answers each browser connection in its own thread, but on SQLite they all
    share the test's one in-memory connection, and two requests at once on it (a form saved
    while its htmx check is still running) fail with "SQL statements in progress": a fault of
    the test server, not of the app. So requests are answered one at a time, body included."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    lock = threading.Lock()

    def one_at_a_time(self, environ, start_response):
        lock.acquire()
        try:
            body = self.application(environ, start_response)
        except BaseException:
            lock.release()
            raise
        return _ReleasedOnClose(body, lock)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StaticFilesHandler, "__call__", one_at_a_time)
        yield


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REFUGE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, audit_flushable, settings):
    context = browser.new_context(viewport={"width": 1024, "height": 1200}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    # Every browser test also proves the pages run under the Content-Security-Policy.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not refused, f"The Content-Security-Policy refused: {refused}"


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def settle(page) -> None:
    """Wait for the form's delayed htmx checks and suggestions to finish, as a clerk's pause
    before saving would: the test server shares one in-memory SQLite connection between
    requests, so a check still running while the form saves breaks the test, not the app."""
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, [data-suggesting]')", timeout=15_000
    )
