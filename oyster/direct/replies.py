"""Short chat replies built only from canonical edit values (never from the user's text)."""
from oyster.world.edits import SCHEMA
from oyster.world.state import hhmm

_PLACES = SCHEMA["teleport"].field("target").type.choices

EXAMPLES = ('"make it rain", "sunset", "3 pm", "moon gravity", "plant three trees", '
            '"take me to the volcano", "make the villager dance", "dig a crater ahead", "undo"')
HELP = f"I can change the weather, the time, gravity, the land, objects and characters. Try {EXAMPLES}."
NOT_UNDERSTOOD = f"Sorry, I didn't understand that. Try {EXAMPLES}."
EMPTY = 'Type a command, for example "make it snow" or "take me to the lake".'
NOT_ENGLISH = f"I only understand plain English commands for now. Try {EXAMPLES}."
MARKUP_ONLY = "I can only read plain text commands, so nothing changed."
QUESTION = f"I can't answer general questions, but I can change this world. Try {EXAMPLES}."
GREETING = 'Hello! Tell me how to change the world, for example "make it snow" or "sunset".'
TRUNCATED = "(Your message was long, so I only read the first {n} characters.)"
PARTIAL = "(I skipped a part I didn't understand.)"
GUESS = "I think you meant this:"
NOTES = {
    "gravity_how": 'How should gravity change? Try "moon gravity", "double gravity" or "normal gravity".',
    "where_to": f"Where to? I know the {', '.join(_PLACES[:-1])} and {_PLACES[-1]}.",
    "capped": f"(I can add at most {SCHEMA['spawn'].field('count').type.hi} at a time.)",
    "zero": "Nothing to add.",
    "what_kind": "What should I add? I can place trees, pines, rocks, houses, cacti, campfires, villagers "
                 "and animals.",
}

KIND_NAMES = {"tree": ("tree", "trees"), "pine": ("pine", "pines"), "rock": ("rock", "rocks"),
               "house": ("house", "houses"), "cactus": ("cactus", "cacti"),
               "campfire": ("campfire", "campfires"), "villager": ("villager", "villagers"),
               "animal": ("animal", "animals")}
_SPAWN_VERB = {"tree": "Planted", "pine": "Planted", "cactus": "Planted", "house": "Built",
               "campfire": "Lit", "rock": "Placed", "villager": "Here comes", "animal": "Here comes"}
_NUMBER_WORDS = ("no", "a", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_WHERE = {"ahead": "ahead", "here": "right here", "around": "around you"}
# every character action, said of one character and of several
ACTION_PHRASES = {"wave": ("waves", "wave"), "dance": ("dances", "dance"), "sit": ("sits down", "sit down"),
                  "jump": ("jumps", "jump"), "walk": ("walks around", "walk around"),
                  "follow": ("follows you", "follow you"), "idle": ("stops", "stop"), "stop": ("stops", "stop"),
                  "sleep": ("lies down to sleep", "lie down to sleep"), "flee": ("runs away", "run away")}
_PLACE = {"start": "the starting point"}
_TERRAIN = {"raise": "Raised a hill", "lower": "Lowered the ground", "crater": "Blasted a crater",
            "flatten": "Flattened the ground"}
_GRAVITY = {0.165: "Moon", 0.38: "Mars", 2.53: "Jupiter", 0.91: "Venus", 0.063: "Pluto", 1.0: "Earth"}


def hour_label(hour: float) -> str:
    h = hour % 24
    # names follow the renderer's sun: up at 6:00, on the horizon at 18:00
    for upto, name in ((0.5, "midnight"), (5, "night"), (6, "dawn"), (7, "sunrise"), (11, "morning"),
                       (13, "noon"), (17.5, "afternoon"), (18.1, "sunset"), (18.45, "dusk"), (20, "evening"),
                       (23.5, "night"), (24.1, "midnight")):
        if h < upto:
            return name
    return "night"



def _count(n: int, kind: str) -> str:
    one, many = KIND_NAMES.get(kind, (kind, kind + "s"))
    word = _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)
    if n == 1 and one[0] in "aeiou":
        word = "an"
    return f"{word} {one if n == 1 else many}"


def describe(edit: dict, who: str | None = None, now: float | None = None) -> str:
    """One sentence saying what an edit does; `who` names the character, `now` is the current hour."""
    op = edit.get("op")
    if op == "character":
        return f"{who or 'The villager'} {ACTION_PHRASES.get(edit['action'], ('obeys',))[0]}."
    if op == "time":
        return _time(edit, now)
    fn = _DESCRIBE.get(op)
    return fn(edit) if fn else "Done."


def _weather(e: dict) -> str:
    kind, k = e["kind"], float(e.get("intensity", 0.6))
    if kind == "clear":
        return "The sky clears up."
    level = 0 if k < 0.45 else (2 if k > 0.75 else 1)
    return {
        "rain": ("A light rain begins.", "It starts to rain.", "It starts to rain heavily."),
        "snow": ("Light snow begins to fall.", "It starts to snow.", "A heavy snowstorm sets in."),
        "fog": ("A thin mist rolls in.", "Fog rolls in.", "Thick fog rolls in."),
        "storm": ("A small storm gathers.", "A thunderstorm rolls in.", "A violent thunderstorm breaks."),
    }[kind][level]


def _time(e: dict, now: float | None = None) -> str:
    parts = []
    moved = now is None or abs(float(e.get("hour", now)) - now) > 0.01
    if "hour" in e and ("speed" not in e or moved):
        parts.append(f"Time set to {hhmm(e['hour'])} ({hour_label(e['hour'])}).")
    if "speed" in e:
        s = float(e["speed"])
        if s == 0:
            parts.append("Time is frozen.")
        elif abs(s - 60) < 1e-6:
            parts.append("Time runs at normal speed.")
        else:
            parts.append(f"Time now runs {'faster' if s > 60 else 'slower'} ({s:g} world seconds per second).")
    return " ".join(parts)


def _gravity(e: dict) -> str:
    s = float(e["scale"])
    name = next((v for k, v in _GRAVITY.items() if abs(k - s) < 1e-3), None)
    return f"Gravity set to {s:g} g" + (f" ({name})." if name else ".")


def _spawn(e: dict) -> str:
    kind, n = e["kind"], int(e.get("count", 1))
    where = _WHERE.get(e.get("where", "ahead"), "nearby")
    if kind in ("villager", "animal"):
        return f"{'Here comes' if n == 1 else 'Here come'} {_count(n, kind)}, {where}."
    return f"{_SPAWN_VERB.get(kind, 'Added')} {_count(n, kind)} {where}."


def _remove(e: dict) -> str:
    kind = e.get("kind")
    if "radius" in e:
        what = KIND_NAMES.get(kind, ("", "everything"))[1] if kind else "everything"
        return f"Removed {'the ' if kind else ''}{what} within {float(e['radius']):g} m."
    return f"Removed the nearest {KIND_NAMES.get(kind, (kind or 'thing',))[0]}."


def _teleport(e: dict) -> str:
    if "target" in e:
        t = e["target"]
        return f"Teleporting you to {_PLACE.get(t, 'the ' + t)}."
    return f"Teleporting you to ({float(e['x']):g}, {float(e['y']):g})."


def _eruption(e: dict) -> str:
    s = float(e.get("strength", 0.7))
    return "The volcano rumbles and spits lava." if s < 0.5 else (
        "The volcano erupts violently!" if s > 0.85 else "The volcano erupts!")


def _terrain(e: dict) -> str:
    where = _WHERE.get(e.get("where", "ahead"), "ahead")
    return f"{_TERRAIN.get(e['action'], 'Reshaped the land')} {where}."


def _undo(e: dict) -> str:
    return "Undid the last change."


_DESCRIBE = {"weather": _weather, "gravity": _gravity, "spawn": _spawn, "remove": _remove,
             "teleport": _teleport, "eruption": _eruption, "terrain": _terrain,
             "undo": _undo}
