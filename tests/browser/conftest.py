"""Real Chromium (Debian's package) driven by Playwright, against the running network."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import unavailable
from tests.e2e.conftest import (  # noqa: F401
    admin_token,
    control,
    e2e_env,
    logistics_token,
    network,
    network_env,
    open_library,
    sms_gateway,
    smtp_server,
)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="uk-UA", viewport={"width": 420, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
