"""The world recipe as data: schema, changes, documents, keys, the recipe edit, share codes v2, places and ground."""
import json
import math

import numpy as np
import pytest
from test_world_golden import chunk_digest

from oyster.session import Session
from oyster.world import persist, terrain
from oyster.world.chunks import forget_shared
from oyster.world.recipe import DEFAULT, MAX_DOC_BYTES, PRESETS, WorldRecipe, from_doc, preset
from oyster.world.recipe_pack import HABITAT, pack
from oyster.world.world import World

W, H = 96, 54
CONTRACT_PRESETS = ("meadow", "alpine", "plains", "dunes", "canyon", "archipelago", "moon", "volcanic", "tundra",
                    "autumn_forest", "jungle", "alien", "city", "swamp", "savanna")


# ------------------------------------------------------------------------------------------------ schema
def test_presets_exist_and_meadow_is_default():
    assert set(CONTRACT_PRESETS) <= set(PRESETS)
    assert PRESETS["meadow"] is DEFAULT and DEFAULT.is_default
    assert all(not PRESETS[n].is_default for n in CONTRACT_PRESETS if n != "meadow")
    assert len({PRESETS[n].key() for n in PRESETS}) == len(PRESETS), "every preset is a different world"


def test_default_packs_to_todays_numbers():
    kp = pack(DEFAULT)
    assert np.array_equal(kp.density[:, :5], HABITAT[:, :5]) and not kp.density[:, 5:].any()
    assert kp.vec[0] == 0.0, "no style term runs for the default world"
    assert kp.volcano and kp.village_rate == 0.6


def test_changed_sets_dotted_paths_and_leaves_the_original():
    r = DEFAULT.changed({"sky.day_color": [150, 60, 200], "water.frozen": True, "flora.palm": 0.6,
                         "ground.season": "autumn", "gravity": 0.5, "hour": 18})
    assert r.sky.day_color == (150, 60, 200) and r.water.frozen and r.flora.palm == 0.6
    assert r.ground.season == "autumn" and r.gravity == 0.5 and r.hour == 18.0
    assert DEFAULT.sky.day_color is None and not DEFAULT.water.frozen
    assert r.get("sky.day_color") == (150, 60, 200)
    assert r.diff(DEFAULT) == {"sky.day_color": (150, 60, 200), "water.frozen": True, "flora.palm": 0.6,
                               "ground.season": "autumn", "gravity": 0.5, "hour": 18.0}


@pytest.mark.parametrize("changes", [
    {"sky.nope": 1}, {"nope": 1}, {"sky": {}}, {"water.frozen": 1}, {"gravity": 99}, {"gravity": float("nan")},
    {"sky.day_color": [1, 2]}, {"sky.day_color": [1, 2, 300]}, {"sky.day_color": "purple"},
    {"ground.season": "monsoon"}, {"sky.moons": 1.5}, {"version": 2}, {"terrain.style": ""},
    {"a.b.c": 1}, {3: 1}, "sky.day_color",
])
def test_bad_changes_raise_and_change_nothing(changes):
    before = DEFAULT.key()
    with pytest.raises(ValueError):
        DEFAULT.changed(changes)
    assert DEFAULT.key() == before


@pytest.mark.parametrize("name", CONTRACT_PRESETS)
def test_documents_round_trip(name):
    r = PRESETS[name].changed({"sky.stars": 0.5})
    for doc in (r.to_doc(), r.to_compact_doc()):
        back = from_doc(json.loads(json.dumps(doc)))
        assert back == r and back.key() == r.key()


def test_from_doc_is_strict():
    for bad in ([], {"sky": {"nope": 1}}, {"version": 9}, {"gravity": "low"}, {"terrain": 3},
                {"name": "x" * (MAX_DOC_BYTES + 10)}, {"flora": {"palm": -1}}):
        with pytest.raises(ValueError):
            from_doc(bad)
    assert from_doc({}) == DEFAULT, "fields left out keep DEFAULT's values"


def test_key_is_stable_and_content_only():
    assert DEFAULT.key() == WorldRecipe().key() == "3a9c9d0da7e62958"   # a cache key must not drift
    assert preset("dunes").changed({"name": "mine"}).key() == preset("dunes").key()
    assert preset("dunes").changed({"flora.palm": 0.3}).key() != preset("dunes").key()
    with pytest.raises(ValueError, match="unknown world preset"):
        preset("atlantis")


# ------------------------------------------------------------------------------------------------ world
def test_same_recipe_and_seed_same_world_bit_for_bit():
    r = preset("canyon").changed({"sky.day_color": [10, 20, 30]})
    a = [chunk_digest(terrain.generate_chunk(5, cx, cy, r)) for cx, cy in ((0, 0), (2, -1))]
    b = [chunk_digest(terrain.generate_chunk(5, cx, cy, preset("canyon").changed({"sky.day_color": [10, 20, 30]})))
         for cx, cy in ((0, 0), (2, -1))]
    assert a == b
    assert a[0] != chunk_digest(terrain.generate_chunk(5, 0, 0)), "a recipe changes the world"


def test_chunk_cache_keys_on_the_recipe():
    with World(9, background=False) as w0, World(9, background=False, recipe=preset("moon")) as w1:
        c0, c1 = w0.cache.get(1, 1), w1.cache.get(1, 1)
        assert not np.array_equal(c0.color, c1.color)
        assert w1.recipe.name == "moon" and w1.s.gravity == pytest.approx(0.165)
        assert terrain.find_feature(9, "volcano", recipe=preset("moon")) is None
        with pytest.raises(ValueError, match="no volcano"):
            w1.apply({"op": "eruption"})
        with pytest.raises(ValueError, match="no volcano"):
            w1.apply({"op": "teleport", "target": "volcano"})
        assert not w1.eruptions and not w1.log
    forget_shared(9)


def test_session_ground_state_and_recipe_argument():
    with Session(4, width=W, height=H, recipe="dunes") as s:
        st = s.state()
        assert st["recipe"]["name"] == "dunes" and st["recipe"]["style"] == "sand dunes"
        assert from_doc(st["recipe"]["doc"]) == preset("dunes")
        p = st["player"]
        assert s.ground(p["x"], p["y"]) == pytest.approx(p["z"], abs=0.6)
        unedited = terrain.height_at(4, p["x"], p["y"], preset("dunes"))
        assert s.ground(p["x"], p["y"]) == pytest.approx(unedited, abs=1e-4)
        for bad in ((math.nan, 0.0), (0.0, "1"), (True, 0.0), (1e9, 0.0)):
            with pytest.raises(ValueError):
                s.ground(*bad)
    with pytest.raises(ValueError):
        Session(4, width=W, height=H, recipe="atlantis")


def test_recipe_edit_is_live_undoable_and_shared():
    with Session(6, width=W, height=H) as s:
        s.step(set(), 1 / 30)
        before = s.frame()
        bad = {"op": "recipe", "changes": {"sky.nope": 1}}
        with pytest.raises(ValueError):
            s.apply(bad)
        assert s.recipe.is_default and s.state()["edits"] == 0
        e = s.apply({"op": "recipe", "preset": "alien", "changes": {"sky.day_color": [30, 200, 60]}})
        assert e["recipe"]["name"] == "alien" and e["recipe"]["sky"]["day_color"] == [30, 200, 60]
        assert s.recipe.sky.day_color == (30, 200, 60) and s.state()["gravity"] == pytest.approx(0.6)
        for _ in range(400):                      # at least one chunk renews per frame, nearest first
            if not s.world.cache._stale:
                break
            s.step(set(), 1 / 30)
        assert not s.world.cache._stale, "every chunk shows the new recipe after a few seconds"
        after = s.frame()
        assert np.abs(after.astype(int) - before).mean() > 20
        code = s.share_code()
        assert persist.decode(code)["v"] == 2 and persist.decode(code)["recipe"]["name"] == "meadow"
        with Session.from_share_code(code, W, H) as r:
            assert r.recipe == s.recipe and r.state()["gravity"] == pytest.approx(0.6)
            assert np.array_equal(r.frame(), after)
        s.apply({"op": "undo"})
        assert s.recipe.is_default and s.state()["gravity"] == 1.0
        for _ in range(400):
            if not s.world.cache._stale:
                break
            s.step(set(), 1 / 30)
        assert np.abs(s.frame().astype(int) - before).mean() < 3


def test_share_code_v2_stores_the_recipe_and_v1_opens_as_default():
    with Session(8, width=W, height=H, recipe="archipelago") as s:
        doc = persist.decode(s.share_code())
        assert from_doc(doc["recipe"]) == preset("archipelago")
        with Session.from_share_code(s.share_code(), W, H) as r:
            assert r.recipe == preset("archipelago") and r.state()["player"] == s.state()["player"]
        v1 = dict(doc)
        v1["v"] = 1
        del v1["recipe"]
        with Session.from_share_code(persist.encode(v1), W, H) as r:
            assert r.recipe.is_default
        for bad in ({**doc, "recipe": {"sky": {"nope": 1}}}, {**doc, "v": True}, {**v1, "recipe": {}},
                    {k: v for k, v in doc.items() if k != "recipe"}):
            with pytest.raises(ValueError):
                persist.decode(persist.encode(bad))
