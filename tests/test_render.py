"""Renderer behaviour on synthetic scenes: frame format, purity, weather, light, z-tested sprites, actions, lava."""
import copy
from dataclasses import fields, replace

import numba
import numpy as np
import pytest

from oyster.render import render
from oyster.render.fixture import character_scene, make_scene
from oyster.world.kinds import ACTIONS, KIND_ID, KINDS
from oyster.world.scene import MAT_LAVA, RingMap

W, H = 192, 108   # small frames keep the suite fast


def frame(scene, w: int = W, h: int = H) -> np.ndarray:
    return render(scene, np.zeros((h, w, 3), np.uint8))


def lum(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.fixture(scope="module")
def view():
    """Looking over the fixture's lake and village towards the volcano at noon."""
    return make_scene(cam_x=-60.0, cam_y=-20.0, pitch=-0.08)


def test_frame_format(view):
    out = np.zeros((H, W, 3), np.uint8)
    res = render(view, out)
    assert res is out and res.dtype == np.uint8 and res.shape == (H, W, 3) and res.flags.c_contiguous
    assert res.std() > 10, "a landscape, not a flat fill"


def test_rejects_bad_output_buffer(view):
    with pytest.raises(ValueError):
        render(view, np.zeros((H, W, 3), np.float32))
    with pytest.raises(ValueError):
        render(view, np.zeros((H, W), np.uint8))


def test_deterministic(view):
    assert np.array_equal(frame(view), frame(view))


def test_scene_not_mutated(view):
    s = replace(view, rain=0.7, lightning=0.5, snow_cover=0.4)
    before = copy.deepcopy(s)
    frame(s)
    for f in fields(s):
        a, b = getattr(s, f.name), getattr(before, f.name)
        if isinstance(a, RingMap):
            for g in fields(a):
                assert np.array_equal(getattr(a, g.name), getattr(b, g.name)), f"ring.{g.name} changed"
        elif isinstance(a, np.ndarray):
            assert np.array_equal(a, b), f"{f.name} changed"
        else:
            assert a == b, f"{f.name} changed"


def test_parallel_terrain_kernel_draws_what_the_serial_one_draws(view):
    """The prange variant must draw exactly what the one-thread variant draws. Both kernels are run directly, so this
    holds whether or not this machine's probe chose the parallel one for frames (OYSTER_FAST_PATHS=0 included)."""
    from oyster.render.params import frame_params
    from oyster.render.terrain_pass import terrain_pass
    P = frame_params(view, W, H)
    drawn = []
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    try:
        for parallel in (False, True):
            img, depth = np.zeros((W, H, 3), np.uint8), np.zeros((W, H), np.float32)
            terrain_pass(img, depth, view.ring, P, parallel)
            drawn.append((img, depth))
    finally:
        numba.set_num_threads(1)
    (img0, depth0), (img1, depth1) = drawn
    assert img0.any() and np.array_equal(img0, img1) and np.array_equal(depth0, depth1)


@pytest.mark.parametrize("dist", [6.0, 2.5, 40.0])
def test_parallel_sprite_weather_and_transpose_passes_draw_what_the_serial_ones_draw(dist):
    """Sprites and weather split into column bands (any count, in parallel) and the row-tiled transpose give the
    one-thread frame exactly: near sprites shaded per block (blocks straddle band edges), far silhouettes, rain,
    snow and a lightning bolt. Kernels are run directly, whatever the probe chose (OYSTER_FAST_PATHS=0 included)."""
    import cv2

    from oyster.render.frame import _arr, transpose_parallel
    from oyster.render.params import frame_params
    from oyster.render.sprites import draw_sprites, draw_sprites_parallel, sprite_seeds
    from oyster.render.terrain_pass import terrain_pass
    from oyster.render.weather import draw_weather
    w, h = 640, 360
    base = character_scene("walk", "villager", dist=dist)
    rng = np.random.default_rng(5)         # a crowd of trees and characters, near to far, overlapping on screen
    n = 300
    d, side = rng.uniform(3.0, 300.0, n), rng.uniform(-0.6, 0.6, n)
    crowd = np.stack([d, d * side, np.ones(n)], 1).astype(np.float32)
    kinds = rng.choice([KIND_ID[k] for k in ("tree", "pine", "villager", "rock")], n).astype(np.int32)
    scene = replace(base, rain=1.0, snow=0.8, lightning=0.9, time=3.3,
                    sprite_xyz=np.concatenate([base.sprite_xyz, crowd]),
                    sprite_kind=np.concatenate([base.sprite_kind, kinds]),
                    sprite_action=np.concatenate([base.sprite_action, np.zeros(n, np.int32)]),
                    sprite_phase=np.concatenate([base.sprite_phase, rng.uniform(0, 1, n).astype(np.float32)]),
                    sprite_scale=np.concatenate([base.sprite_scale, rng.uniform(0.7, 1.4, n).astype(np.float32)]))
    P = frame_params(scene, w, h)
    args = (_arr(scene.sprite_xyz, np.float32, (3,)), _arr(scene.sprite_kind, np.int32),
            _arr(scene.sprite_action, np.int32), _arr(scene.sprite_phase, np.float32),
            _arr(scene.sprite_scale, np.float32), sprite_seeds(scene))
    img0, depth0 = np.zeros((w, h, 3), np.uint8), np.zeros((w, h), np.float32)
    terrain_pass(img0, depth0, scene.ring, P, False)
    img1, depth1 = img0.copy(), depth0.copy()
    draw_sprites(img0, depth0, P, *args)
    draw_weather(img0, depth0, P)
    out0 = np.empty((h, w, 3), np.uint8)
    cv2.transpose(img0, out0)
    assert not np.array_equal(img0, img1), "sprites and weather drew something"
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    try:
        for bands in (2, 3, 7):
            img, depth = img1.copy(), depth1.copy()
            draw_sprites_parallel(img, depth, P, *args, bands)
            assert np.array_equal(depth, depth0), f"sprite depth differs with {bands} bands"
            draw_weather(img, depth, P, bands)
            assert np.array_equal(img, img0), f"frame differs with {bands} bands"
            out = np.zeros_like(out0)
            transpose_parallel(img, out)
            assert np.array_equal(out, out0)
    finally:
        numba.set_num_threads(1)


@pytest.mark.parametrize("kind", ["rain", "snow", "fog", "storm"])
def test_each_weather_changes_the_frame(view, kind):
    clear = frame(view)
    w = frame(replace(view, **{kind: 1.0}))
    assert diff(clear, w) > 6.0, f"{kind} barely visible"


def test_rain_draws_streaks():
    """Rain streaks: thin bright lines over flat ground that move between two moments (light is the same)."""
    s = replace(character_scene("idle", "rock", dist=500.0), rain=1.0, pitch=-0.3)
    a, b = lum(frame(replace(s, time=1.0))), lum(frame(replace(s, time=1.37)))
    ground = slice(H // 2, H)
    moved = np.abs(a - b)[ground] > 20
    assert moved.sum() > 0.01 * moved.size, "streaks over the ground"
    wide = moved[:, 1:-1] & moved[:, :-2] & moved[:, 2:]
    assert wide.sum() < 0.2 * moved.sum(), "streaks are thin lines, not blotches"
    assert lum(frame(replace(s, rain=0.0)))[ground].std() < a[ground].std(), "streaks add texture"


def test_snow_draws_falling_flakes():
    """Flakes move between two moments over flat ground. The weather test above would not notice missing
    flakes: snow's haze and fog alone change the frame enough."""
    s = replace(character_scene("idle", "rock", dist=500.0), snow=1.0, pitch=-0.3)
    a, b = lum(frame(replace(s, time=1.0))), lum(frame(replace(s, time=1.37)))
    ground = slice(H // 2, H)
    moved = np.abs(a - b)[ground] > 20
    assert moved.sum() > 0.002 * moved.size, "falling flakes over the ground"


def test_snow_brightens(view):
    clear = frame(view)
    snowy = frame(replace(view, snow=1.0, snow_cover=1.0))
    assert lum(snowy).mean() > lum(clear).mean() + 10


def test_fog_reduces_contrast(view):
    """Local contrast (mean gradient) and colour saturation both drop in thick fog."""
    def detail(img):
        y = lum(img)
        return np.abs(np.diff(y, axis=0)).mean() + np.abs(np.diff(y, axis=1)).mean()

    def saturation(img):
        f = img.astype(np.float32)
        return (f.max(axis=2) - f.min(axis=2)).mean()

    clear, foggy = frame(view), frame(replace(view, fog=1.0))
    assert detail(foggy) < 0.7 * detail(clear)
    assert saturation(foggy) < 0.7 * saturation(clear)


def test_lightning_brightens(view):
    storm = replace(view, storm=1.0, rain=1.0)
    dark = frame(storm)
    flash = frame(replace(storm, lightning=1.0))
    assert lum(flash).mean() > lum(dark).mean() + 25
    # the sky light alone brightens the frame that much: the bolt shows that the lightning pass ran
    assert (flash.min(axis=2) > 245).sum() >= 10, "a white bolt"


def test_night_darker_than_noon_with_stars(view):
    noon, night = frame(view), frame(replace(view, hour=0.5, pitch=0.5))
    assert lum(night).mean() < 0.4 * lum(noon).mean()
    top = lum(night)[: H // 3]
    assert (top > top.mean() + 40).sum() >= 3, "a few stars in the night sky"


def test_dawn_and_dusk_are_warm(view):
    for hour, yaw in ((6.3, 0.0), (17.7, np.pi)):        # looking towards the low sun
        noon = frame(replace(view, yaw=yaw, pitch=0.2)).astype(np.float32)
        low = frame(replace(view, hour=hour, yaw=yaw, pitch=0.2)).astype(np.float32)
        warmth = lambda img: (img[..., 0] - img[..., 2]).mean()   # noqa: E731
        assert warmth(low) > warmth(noon) + 15, f"hour {hour}: the low sun should warm the view"


def _ridge_scene(sprite_x: float, kind: str = "house") -> object:
    """Flat ground with a 30 m ridge at x = 20 m; one sprite at sprite_x on the ground."""
    s = character_scene("idle", "villager", dist=5.0)
    ring = RingMap()
    ring.height[:] = 1.0
    ring.height[:, 20:26] = 30.0                          # cells x = 20..25 (all y): a wall-like ridge
    ring.color[:] = (90, 140, 60)
    xyz = np.array([[sprite_x, 0.0, 1.0]], np.float32)
    return replace(s, ring=ring, sprite_xyz=xyz, sprite_kind=np.array([KIND_ID[kind]], np.int32), pitch=0.0)


def test_sprites_are_depth_tested():
    empty = replace(_ridge_scene(10.0), sprite_xyz=np.zeros((0, 3), np.float32),
                    sprite_kind=np.zeros(0, np.int32), sprite_action=np.zeros(0, np.int32),
                    sprite_phase=np.zeros(0, np.float32), sprite_scale=np.zeros(0, np.float32))
    base = frame(empty)
    in_front = frame(_ridge_scene(10.0))
    behind = frame(_ridge_scene(40.0))
    assert (np.abs(in_front.astype(int) - base).sum(axis=2) > 30).sum() > 50, "house in front of the ridge shows"
    assert np.array_equal(behind, base), "house behind the ridge is hidden"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_draws_something(kind):
    s = character_scene("idle", kind, dist=8.0)
    empty = replace(s, sprite_xyz=np.zeros((0, 3), np.float32), sprite_kind=np.zeros(0, np.int32),
                    sprite_action=np.zeros(0, np.int32), sprite_phase=np.zeros(0, np.float32),
                    sprite_scale=np.zeros(0, np.float32))
    assert (np.abs(frame(s).astype(int) - frame(empty)).sum(axis=2) > 30).sum() > 20


@pytest.mark.parametrize("kind", ["villager", "animal"])
@pytest.mark.parametrize("action", [a for a in ACTIONS if a != "idle"])
def test_each_action_looks_different_from_idle(kind, action):
    idle = frame(character_scene("idle", kind, dist=3.0, phase=0.45))
    acting = frame(character_scene(action, kind, dist=3.0, phase=0.45))
    changed = (np.abs(acting.astype(int) - idle).sum(axis=2) > 30).sum()
    assert changed > 40, f"{kind} {action} looks like idle ({changed} pixels differ)"


def test_lava_glows():
    s = character_scene("idle", "rock", dist=40.0)
    ring = RingMap()
    ring.height[:] = 1.0
    ring.color[:] = (70, 62, 60)
    ring.material[:, 2:90] = MAT_LAVA
    hot = copy.deepcopy(ring)
    hot.heat[:, 2:90] = 1.0
    for hour in (12.0, 0.5):
        cold_img = frame(replace(s, ring=ring, hour=hour)).astype(np.float32)
        hot_img = frame(replace(s, ring=hot, hour=hour)).astype(np.float32)
        ground = slice(H // 2 + 5, H)
        assert hot_img[ground, :, 0].mean() > cold_img[ground, :, 0].mean() + 40, f"hour {hour}"
        assert hot_img[ground, :, 0].mean() > hot_img[ground, :, 2].mean() + 60, "glow is red-orange"


def test_particles_visible(view):
    none = replace(view, particle_xyz=np.zeros((0, 3), np.float32), particle_kind=np.zeros(0, np.int32),
                   particle_size=np.zeros(0, np.float32))
    assert diff(frame(view), frame(none)) > 0.05
