"""Shared test fixtures: Debian Chromium through Playwright for the tests marked `browser`.

Needs /usr/bin/chromium (apt-get install chromium); never `playwright install`. Without it those tests skip,
except where OYSTER_REQUIRE_BROWSER=1 (CI sets it): there a missing browser is an error, not a silent skip.
Likewise the Ray tests skip where Ray (the optional extra, requirements-ray.txt) is not installed, except where
OYSTER_REQUIRE_RAY=1 (CI sets it too).
"""
import importlib.util
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("OYSTER_REQUIRE_RAY") == "1" and importlib.util.find_spec("ray") is None:
        raise pytest.UsageError("Ray is missing but OYSTER_REQUIRE_RAY=1: pip install -r requirements-ray.txt")
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("OYSTER_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"{CHROMIUM} is missing but OYSTER_REQUIRE_BROWSER=1: install Debian's chromium")
    skip = pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for one test module (pages are cheap; a browser per test is not)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
