"""The Dream tab in Debian Chromium: "Dream along" makes dream frames arrive with a live PSNR, they follow the
keys, the toggle stops them, and closing the page clears the visitor's dream. Never `playwright install`."""
import re
import time

import pytest
from app_harness import launched_app

from oyster.app.dream_tab import add_dream_view

pytestmark = pytest.mark.browser
DREAM = "#dream-view img[src^='data:image/jpeg']"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with launched_app(str(tmp_path_factory.mktemp("wl") / "w.db"), extensions=[add_dream_view],
                      width=320, height=180, max_players=2) as a:
        yield a


def dream_fid(page) -> int:
    src = page.evaluate("document.querySelector('#dream-view img')?.src || ''")
    m = re.search(r"fid=(\d+)", src)
    return int(m.group(1)) if m else 0


def wait_dream_frames(page, n: int, timeout: float = 20.0) -> None:
    start, deadline = dream_fid(page), time.monotonic() + timeout
    while dream_fid(page) < start + n:
        assert time.monotonic() < deadline, "dream frames stopped arriving"
        page.wait_for_timeout(50)


@pytest.mark.slow
def test_dream_along_streams_frames_with_psnr(app, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(app.url)
        page.wait_for_selector("#screen img[src^='data:image/jpeg']", timeout=60_000)
        page.get_by_role("tab", name="Dream").click()
        assert "ground truth" in page.inner_text("#dream-about")
        page.click("#dream-toggle")
        page.wait_for_selector(DREAM, timeout=30_000)
        wait_dream_frames(page, 10)
        assert re.search(r"PSNR vs engine \d+\.\d dB · \d+ frames since anchor", page.inner_text("#dream-view"))
        assert page.inner_text("#dream-toggle").strip() == "Stop dreaming"
        page.click("#screen")
        page.keyboard.down("w")
        wait_dream_frames(page, 10)          # the play stream and the dream run side by side
        page.keyboard.up("w")
        assert len(app.runner.session_ids()) == 1
        page.click("#dream-toggle")
        page.wait_for_function("document.querySelector('#dream-toggle').innerText.trim() == 'Dream along'")
        page.wait_for_function("document.querySelector('#dream-view').innerText.includes('Stopped.')")
        stopped = dream_fid(page)
        page.wait_for_timeout(800)
        assert dream_fid(page) == stopped    # no more frames once stopped
    finally:
        page.close()
    deadline = time.monotonic() + 10
    while app.runner.session_ids():
        assert time.monotonic() < deadline, "closing the page did not end the visit"
        time.sleep(0.1)
