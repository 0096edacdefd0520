"""The language layer on its own: world words -> preset, recipe changes and edits; what it did not understand."""
import pytest

from oyster.direct import interpret
from oyster.language import read_world
from oyster.language.restyle import restyle
from oyster.language.vocab import CHANGES, PROFILES, vocabulary
from oyster.world.recipe import DEFAULT, PRESETS


def test_vocabulary_is_large_and_fits_the_recipe_schema():
    assert len(vocabulary()) >= 800
    assert set(PROFILES) <= set(PRESETS)
    for change in CHANGES.values():
        DEFAULT.changed(change)            # raises on a path or value the schema does not have


def test_compositional_prompt_sets_terrain_hour_and_frozen_water():
    r = read_world("snowy mountains at sunset with a frozen lake")
    assert r.preset == "alpine"
    assert [e for e in r.edits if e["op"] == "time"] == [{"op": "time", "hour": 17.8}]
    assert r.recipe().water.frozen and r.recipe().ground.season == "winter"
    assert not any(e["op"] == "weather" for e in r.edits), "snow lying on mountains is not snow falling"
    assert not r.not_understood


@pytest.mark.parametrize("prompt, preset, changes", [
    ("a snowy island at dawn", "archipelago", {"ground.season": "winter"}),
    ("jungle mountains", "jungle", {"terrain.mountains": 0.8}),
    ("dunes cut by deep canyons", "canyon", {"terrain.dunes": 0.8}),
    ("an oasis in the desert", "dunes", {}),
    ("a pink sea under an emerald sky", "archipelago",
     {"water.color": (224, 112, 176), "sky.day_color": (64, 176, 64)}),
    ("a maple grove in october", "meadow", {"ground.season": "autumn"}),
])
def test_words_compose_onto_the_chosen_world(prompt, preset, changes):
    r = read_world(prompt)
    assert r.preset == preset
    assert changes.items() <= r.changes.items()
    r.recipe()                              # a valid recipe


@pytest.mark.parametrize("prompt, preset", [
    # the issue's own
    ("golden dunes as far as the eye can see", "dunes"), ("a frostbitten wasteland", "tundra"),
    ("the badlands of Utah", "canyon"), ("an underwater coral reef", "archipelago"),
    ("the surface of the moon", "moon"), ("a neon cyberpunk city", "city"),
    ("an alien planet with a purple sky", "alien"), ("a frozen tundra in a blizzard", "tundra"),
    ("a tropical island", "archipelago"), ("a snowy mountain valley", "alpine"), ("a desert canyon", "canyon"),
    # fresh phrasings, none of them in the issue
    ("endless sand under a blazing sun", "dunes"), ("a parched land of mesas and buttes", "canyon"),
    ("jagged peaks capped with snow", "alpine"), ("a lagoon ringed by coconut palms", "archipelago"),
    ("grey dust and craters under a black sky", "moon"), ("a lava-choked hellscape", "volcanic"),
    ("the siberian steppe", "tundra"), ("a maple forest in october", "autumn_forest"),
    ("the steaming amazon", "jungle"), ("a world of glowing mushrooms", "alien"),
    ("skyscrapers lit by neon signs", "city"), ("a drowned mangrove bayou", "swamp"),
    ("lion country with scattered acacias", "savanna"), ("a quiet prairie", "plains"),
    ("Monument Valley", "canyon"), ("the Himalayas", "alpine"), ("Iceland", "tundra"), ("the Sahara", "dunes"),
    # no named world at all: the climate words decide
    ("somewhere hot and wet", "jungle"), ("a dry, cold, flat place", "tundra"),
    ("a scorched, airless, lifeless place", "moon"),
])
def test_open_vocabulary_lands_on_a_sensible_world(prompt, preset):
    r = read_world(prompt)
    assert r.preset == preset, (prompt, r.preset)
    assert not r.not_understood, r.not_understood


@pytest.mark.parametrize("prompt, preset", [
    ("a desrt with cactuses", "dunes"),          # typo and an odd plural
    ("snowy montains", "alpine"),
    ("the surfce of the moon", "moon"),
    ("a jungel", "jungle"),
    ("icescapes", "tundra"),                      # a compound of a known word
    ("a rocky, grassy valley", "meadow"),         # -y adjectives
    ("reddish mesas", "canyon"),                  # -ish with a doubled consonant
])
def test_word_forms_and_typos(prompt, preset):
    assert read_world(prompt).preset == preset


def test_what_was_not_understood_is_reported_plainly():
    r = read_world("a world made of cheese and marmalade")
    assert r.preset is None and not r.changes
    assert r.not_understood == ["cheese", "marmalade"]
    assert "Not understood: 'cheese', 'marmalade'" in r.summary()
    r = read_world("blorp lake with heavy rain")
    assert r.not_understood == ["blorp"] and r.edits == [{"op": "weather", "kind": "rain", "intensity": 0.9}]
    assert read_world("the start of a desert").not_understood == ["start"], "'start' is not a typo of 'stark'"


@pytest.mark.parametrize("prompt, preset, changes", [
    ("a desert without cacti in heavy rain", "dunes", {"flora.cactus": 0.0}),
    ("an island with no trees", "archipelago", {"flora.broadleaf": 0.0, "flora.pine": 0.0, "flora.palm": 0.0}),
    ("a moon-like world with no water at all", "moon", {"water.enabled": False}),
    ("a volcanic wasteland without lava", "volcanic", {"terrain.lava_flows": False}),
])
def test_no_and_without_turn_things_off(prompt, preset, changes):
    r = read_world(prompt)
    assert r.preset == preset and changes.items() <= r.changes.items(), (r.preset, r.changes)
    assert not r.not_understood
    r.recipe()
    if "rain" in prompt:
        assert r.edits == [{"op": "weather", "kind": "rain", "intensity": 0.9}], "'without' is not 'no rain'"


def test_weather_and_time_are_read_as_direct_mode_reads_them():
    for text in ("heavy rain at 6:30 in the morning", "thick fog at dusk", "a thunderstorm at midnight",
                 "light snow at 3 pm"):
        ours = sorted(read_world(text).edits, key=lambda e: e["op"])
        theirs = sorted(interpret(text).edits, key=lambda e: e["op"])
        assert ours == theirs, text
    assert read_world("a snowy night").edits == [{"op": "weather", "kind": "snow", "intensity": 0.6},
                                                 {"op": "time", "hour": 22.0}]      # in the order said
    assert read_world("a forest under a full moon").preset != "moon"
    assert {"op": "gravity", "scale": 0.165} in read_world("dunes with gravity like on the moon").edits


def test_reading_is_deterministic_and_ignores_case_and_spacing():
    a, b = read_world("Misty  PINE forest at Dawn"), read_world("misty pine forest at dawn")
    assert (a.preset, a.changes, a.edits, a.not_understood) == (b.preset, b.changes, b.edits, b.not_understood)
    assert read_world(None).preset is None and read_world("").edits == []


@pytest.mark.parametrize("text, edit", [
    ("turn this into a desert", {"op": "recipe", "preset": "dunes"}),
    ("make the sky green", {"op": "recipe", "changes": {"sky.day_color": [64, 176, 64]}}),
    ("add palm trees", {"op": "recipe", "changes": {"flora.palm": 1.5}}),
    ("make it look like autumn", {"op": "recipe", "changes": {"ground.season": "autumn"}}),
    ("freeze the lake", {"op": "recipe", "changes": {"water.frozen": True}}),
    ("please transform the world into an alien planet", {"op": "recipe", "preset": "alien"}),
])
def test_direct_mode_world_changes_are_one_recipe_edit(text, edit):
    r = restyle(text)
    assert r.edits == [edit]
    assert r.reply and "not understand" not in r.reply


@pytest.mark.parametrize("text", ["make it rain", "make it night", "let it snow over the town", "add 3 palm trees",
                                  "plant trees", "turn left", "make the villager dance", "go to the desert"])
def test_other_commands_are_left_to_direct_mode(text):
    assert restyle(text) is None


def test_an_unknown_world_is_said_so():
    r = restyle("turn this into blorp land")
    assert r.edits == [] and "blorp" in r.reply


def test_hostile_text_is_read_safely_and_quickly():
    import random
    import string
    import time
    rng = random.Random(1)
    junk = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 12)))
                    for _ in range(60))[:500]
    t = time.perf_counter()
    r = read_world(junk)
    assert time.perf_counter() - t < 2.0                     # gross bound: typo search is capped per clause
    assert r.preset is None and len(r.not_understood) >= 40
    r = read_world("<script>alert(1)</script> a desert 🙂🙂")
    assert r.preset == "dunes" and not r.not_understood     # markup and emoji are dropped, never echoed
    assert restyle("turn this into <b>a desert</b>").edits == [{"op": "recipe", "preset": "dunes"}]
