"""Two Chromium pages in one shared world: one presses "Play together", the other opens the invite link; a command
typed on one page changes the other's view and chat log."""
import time

import cv2
import numpy as np
import pytest
from app_harness import FRAME, launched_app

from oyster.serve.encode import parse_data_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]   # a launched app and two pages: CI runs -m slow


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with launched_app(str(tmp_path_factory.mktemp("wl") / "w.db"), width=320, height=180, max_players=4) as a:
        yield a


def frame(page) -> np.ndarray:
    _, jpeg = parse_data_url(page.get_attribute("#screen img", "src"))
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)


def wait_for(what, timeout: float = 15.0, page=None):
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        assert time.monotonic() < deadline, "timed out"
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)


def test_two_pages_share_one_world(app, browser):
    a = browser.new_page(viewport={"width": 1280, "height": 900})
    a.goto(app.url)
    a.wait_for_selector(FRAME, timeout=60_000)
    a.get_by_role("tab", name="Play together").click()
    a.fill("#together-name textarea, #together-name input", "<b>Ada</b>")
    a.click("#together-button")
    link = wait_for(lambda: a.input_value("#invite-link textarea, #invite-link input"), page=a)
    assert "?join=" in link and link.startswith(app.url.rstrip("/"))
    assert "<b>Ada</b>" in a.inner_text("#together-players")          # shown as text, not markup

    b = browser.new_page(viewport={"width": 1280, "height": 900})
    b.goto(link)
    b.wait_for_selector(FRAME, timeout=60_000)
    sids = app.runner.session_ids()
    assert len(sids) == 2
    infos = [app.runner.together(s) for s in sids]
    assert all(i and i["code"] == infos[0]["code"] for i in infos)     # one live world, not a copy
    assert "joined a shared world" in b.inner_text("#play-status")

    wait_for(lambda: frame(b).mean() > 60, page=b)       # daylight first
    before = frame(b).astype(int)
    a.get_by_role("tab", name="Direct mode").click()
    a.fill("#direct-input textarea", "make it midnight")
    a.press("#direct-input textarea", "Enter")
    # the other page's view goes dark and its chat log says who did it
    wait_for(lambda: frame(b).astype(int).mean() < before.mean() - 30, page=b)
    wait_for(lambda: "<b>Ada</b>: make it midnight" in b.inner_text("#direct-log"), page=b)
    assert b.locator("#direct-log b").count() == 0                    # the name's HTML stayed text
    a.close()
    b.close()
