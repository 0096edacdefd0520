"""An eruption is a spectacle from where visitors stand: a large share of the start view changes, a dark ash
plume fills sky above the volcano, and the flow glows at night."""
import numpy as np
import pytest

from oyster import Session

W, H = 320, 180


def _before_after(where: str | None, hour: float, seconds: float, pitch: float = 0.0):
    s = Session(seed=7, width=W, height=H)
    try:
        if where:
            s.apply({"op": "teleport", "target": where, "pitch": pitch})
        s.apply({"op": "time", "hour": hour, "speed": 0})
        before = s.step(set(), 0.1)
        s.apply({"op": "eruption", "strength": 1.0})
        after = None
        for _ in range(int(seconds / 0.25)):
            after = s.step(set(), 0.25)
        return before.astype(np.int32), after.astype(np.int32)
    finally:
        s.close()


def test_eruption_changes_a_large_share_of_the_start_view():
    before, after = _before_after(None, 12.5, 30.0)
    changed = (np.abs(after - before).max(axis=2) > 40).mean()
    assert changed > 0.02, f"only {changed:.2%} of the start view changed"
    # and some of it is bright orange lava (flow, bombs, trails)
    hot = lambda f: (f[..., 0] > 200) & (f[..., 0] - f[..., 2] > 120)     # noqa: E731
    assert hot(after).mean() > 0.002 and hot(before).mean() < 0.0005


@pytest.fixture(scope="module")
def volcano_noon():
    return _before_after("volcano", 12.5, 20.0, pitch=0.25)


def test_dark_ash_plume_fills_sky_above_the_crater(volcano_noon):
    before, after = volcano_noon
    luma = lambda f: f @ np.array([0.299, 0.587, 0.114])          # noqa: E731
    sky = (before[..., 2] > 150) & (before[..., 2] > before[..., 0] + 40)   # blue sky pixels before
    ash = sky & (luma(after) < 110) & (np.abs(after[..., 0] - after[..., 2]) < 50)   # now dark grey
    assert ash.sum() > 0.04 * W * H, f"plume covers {ash.sum()} px"


def test_eruption_glows_at_night():
    before, after = _before_after("volcano", 21.0, 20.0, pitch=0.25)
    glow = (after[..., 0] > 180) & (after[..., 0] > after[..., 2] + 120)
    assert glow.mean() > 0.005 and ((before[..., 0] > 180) & (before[..., 0] > before[..., 2] + 120)).mean() < 1e-3
