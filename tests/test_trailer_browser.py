"""The Trailer tab in Debian Chromium: make a trailer, see the video, click "Step into this world", stand there.

Chromium comes from the `browser` fixture in conftest.py (skipped where it is not installed).
"""
import math

import pytest
from app_harness import FRAME, launched_app

from oyster import Session
from oyster.app.trailer_tab import add_trailer_tab

pytestmark = pytest.mark.browser


@pytest.mark.slow
def test_make_a_trailer_then_step_into_its_last_frame(tmp_path, browser):
    with launched_app(str(tmp_path / "w.db"), extensions=[add_trailer_tab], width=320, height=180,
                      max_players=2) as app:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(app.url)
            page.wait_for_selector(FRAME, timeout=60_000)
            (sid,) = app.runner.session_ids()
            page.get_by_role("tab", name="Trailer").click()
            page.fill("#trailer-prompt textarea", "a village by the lake in the afternoon")
            page.fill("#trailer-seconds input[type=number]", "2")
            page.press("#trailer-seconds input[type=number]", "Enter")
            page.click("#trailer-make")
            page.wait_for_selector("#trailer-video video", timeout=120_000)
            page.wait_for_selector("#trailer-step-in:not([disabled])", timeout=30_000)
            assert "village" in page.inner_text("#trailer-info")
            assert "?world=" in page.get_attribute("#trailer-link a", "href")
            code = page.input_value("#trailer-code textarea")
            page.click("#trailer-step-in")
            page.wait_for_selector("#screen", state="visible", timeout=30_000)   # back on the Play tab
            page.wait_for_timeout(500)
            want = Session.from_share_code(code, width=320, height=180)
            try:
                w = want.state()["player"]
            finally:
                want.close()
            got = app.runner.state(sid)["player"]
            assert math.dist((got["x"], got["y"]), (w["x"], w["y"])) < 0.05
            assert abs(got["yaw"] - w["yaw"]) < 1e-6
        finally:
            page.close()
