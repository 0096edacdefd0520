"""Every style is recognisable at a glance from its spawn, on rendered pixels and on ground heights, at several
seeds; distinct styles look distinct; the spawn is on dry land with a view."""
import math
from functools import cache

import numpy as np
import pytest

from oyster.session import Session
from oyster.world import places, terrain
from oyster.world.recipe import PRESETS, preset
from oyster.world.scene import MAT_LAVA

W, H = 160, 90
SEEDS = (1, 2)
pytestmark = pytest.mark.slow


@cache
def view(name: str, seed: int) -> tuple:
    """(frame from the spawn, frame of the same pose at midnight, state, unedited heights around the spawn, share of
    lava cells nearby, view score of the spawn pose)."""
    with Session(seed, width=W, height=H, recipe=name) as s:
        img = s.frame()
        st = s.state()
        s.apply({"op": "time", "hour": 0.0})
        night = s.frame()
        p = st["player"]
        lava = _lava_share(s.world, p["x"], p["y"])
        score = places.view_score(s.world, p["x"], p["y"], p["yaw"])
    return img, night, st, relief(name, seed, p["x"], p["y"]), lava, score


def relief(name: str, seed: int, x0: float, y0: float, half: float = 400.0, n: int = 21) -> np.ndarray:
    r = preset(name)
    xs = np.linspace(-half, half, n)
    return np.array([[terrain.height_at(seed, x0 + a, y0 + b, r) for a in xs] for b in xs])


def _lava_share(world, x: float, y: float) -> float:
    c = world.cache
    cx, cy = math.floor(x / 64), math.floor(y / 64)
    mats = [c.get(cx + a, cy + b).material for a in range(-3, 4) for b in range(-3, 4)]
    return float(np.mean([np.mean(m == MAT_LAVA) for m in mats]))


def sky(img):
    return img[: H // 5].reshape(-1, 3).astype(np.float32)


def ground(img):
    return img[H - H // 3:].reshape(-1, 3).astype(np.float32)


def share(px, cond) -> float:
    r, g, b = px[:, 0], px[:, 1], px[:, 2]
    return float(np.mean(cond(r, g, b)))


WHITE = lambda r, g, b: (np.minimum(np.minimum(r, g), b) > 170) & (np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b) < 45)  # noqa: E731,E501
GREEN = lambda r, g, b: (g > r + 6) & (g > b + 6)                                             # noqa: E731
SAND = lambda r, g, b: (r > 140) & (r > g + 10) & (g > b + 10)                                 # noqa: E731
RED = lambda r, g, b: (r > 1.3 * g) & (r > 1.5 * b) & (r > 80)                                 # noqa: E731
GREY = lambda r, g, b: (np.abs(r - g) < 14) & (np.abs(g - b) < 14) & (r > 45) & (r < 215)      # noqa: E731
DARK = lambda r, g, b: (r + g + b) < 60                                                        # noqa: E731
PURPLE = lambda r, g, b: (b > g + 20) & (r > g + 10)                                           # noqa: E731
ORANGE = lambda r, g, b: (r > 1.35 * g) & (g > b) & (r > 100)                                  # noqa: E731
WATER = lambda r, g, b: (b > r + 10) & (b > 40)                                                # noqa: E731
LIT = lambda r, g, b: (r > 200) & (g > 150) & (b < g)                                          # noqa: E731
GLOW = lambda r, g, b: (r > 180) & (r > 1.6 * g) & (r > 2.5 * b)                               # noqa: E731


@pytest.mark.parametrize("seed", SEEDS)
def test_snowy_worlds_have_white_ground(seed):
    for name in ("alpine", "tundra"):
        img, _, _, hts, _, _ = view(name, seed)
        assert share(ground(img), WHITE) > 0.5, name
    assert np.ptp(view("alpine", seed)[3]) > 150.0, "alpine: high mountains around the valley"
    assert np.ptp(view("alpine", seed)[3]) > 4.0 * np.ptp(view("plains", seed)[3])
    assert np.ptp(view("tundra", seed)[3]) < np.ptp(view("meadow", seed)[3]), "tundra: flat"


@pytest.mark.parametrize("seed", SEEDS)
def test_deserts_are_sand_without_grass(seed):
    img, _, st, _, _, _ = view("dunes", seed)
    g = ground(img)
    assert share(g, SAND) > 0.6 and share(g, GREEN) < 0.03
    assert st["biome"] == "desert"


@pytest.mark.parametrize("seed", SEEDS)
def test_canyons_are_red_rock_with_cliffs(seed):
    img, _, _, hts, _, _ = view("canyon", seed)
    assert share(ground(img), RED) > 0.4 and share(ground(img), GREEN) < 0.03
    steps = np.abs(np.diff(hts, axis=1))
    assert steps.max() > 12.0, "canyon walls: a drop of more than 12 m between samples 40 m apart"


@pytest.mark.parametrize("seed", SEEDS)
def test_islands_stand_in_open_water(seed):
    img, _, st, hts, _, _ = view("archipelago", seed)
    assert st["player"]["z"] > 0.5 and not st["player"]["in_water"]
    assert float(np.mean(hts < 0.0)) > 0.35, "mostly sea around the start"
    assert share(img[H // 2 - 4:H // 2 + H // 6].reshape(-1, 3).astype(np.float32), WATER) > 0.1, "water in view"


@pytest.mark.parametrize("seed", SEEDS)
def test_moon_is_grey_under_a_black_starry_sky(seed):
    img, _, st, _, _, _ = view("moon", seed)
    assert share(sky(img), DARK) > 0.8
    assert share(ground(img), GREY) > 0.7 and share(ground(img), GREEN) < 0.02
    assert st["gravity"] < 0.2
    stars = sky(img).sum(axis=1)
    assert (stars > 150).sum() >= 2, "stars show by day"


@pytest.mark.parametrize("seed", SEEDS)
def test_alien_sky_is_purple_and_ground_odd(seed):
    img, _, _, _, _, _ = view("alien", seed)
    assert share(sky(img), PURPLE) > 0.6
    assert share(ground(img), GREEN) > 0.3 and share(ground(img), lambda r, g, b: b > r + 20) > 0.3


@pytest.mark.parametrize("seed", SEEDS)
def test_volcanic_land_has_glowing_lava(seed):
    img, night, _, _, lava, _ = view("volcanic", seed)
    assert lava > 0.01, "lava flows in the land around the start"
    assert share(night.reshape(-1, 3).astype(np.float32), GLOW) > 0.002, "lava glows in the dark"
    assert share(ground(img), GREEN) < 0.02


@pytest.mark.parametrize("seed", SEEDS)
def test_autumn_canopies_are_orange_and_red(seed):
    img, _, _, _, _, _ = view("autumn_forest", seed)
    assert share(img.reshape(-1, 3).astype(np.float32), ORANGE) > 0.08
    assert share(view("meadow", seed)[0].reshape(-1, 3).astype(np.float32), ORANGE) < 0.02


@pytest.mark.parametrize("seed", SEEDS)
def test_city_buildings_are_lit_at_night(seed):
    img, night, st, _, _, _ = view("city", seed)
    assert share(night.reshape(-1, 3).astype(np.float32), LIT) > 0.005
    assert share(view("meadow", seed)[1].reshape(-1, 3).astype(np.float32), LIT) < 0.001


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_spawn_is_on_dry_land_with_a_view(name, seed):
    img, _, st, _, _, score = view(name, seed)
    p = st["player"]
    assert not p["in_water"] and p["z"] >= 0.0
    assert score > -50.0, "not facing a wall"
    assert img.std() > 8, "a view, not a flat fill"


@pytest.mark.parametrize("seed", SEEDS)
def test_distinct_styles_look_distinct(seed):
    names = sorted(PRESETS)
    feats = {}
    for n in names:
        img, _, _, hts, _, _ = view(n, seed)
        feats[n] = np.concatenate([sky(img).mean(0), ground(img).mean(0), [3.0 * np.log1p(np.ptp(hts))]])
    close = [(a, b, round(float(np.linalg.norm(feats[a] - feats[b])), 1)) for i, a in enumerate(names)
             for b in names[i + 1:] if np.linalg.norm(feats[a] - feats[b]) < 12.0]
    assert not close, close
