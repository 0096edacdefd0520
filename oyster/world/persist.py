"""Share codes: a world as versioned JSON -> zlib -> base64url, and back, with strict limits and validation.

A code holds the seed, the prompt, the resolved edit log (each entry with its tick; resolved edits carry absolute
positions, ids and, for teleports, the pose before) and the small state that time and the player's path made:
pose, clock, weather levels, followers, tick, and (key "lava") the recorded rock of every cooled eruption. Restoring
replays the log on a fresh world (the same validated door and caps as live edits), applies each cooled eruption's
recorded rock instead of running its flow (only a still-flowing one is run), then sets that state, so the restored
world draws the same frame. The work is bounded before it starts (caps.py) and by a time budget; past either the code
is refused with a message. Never pickle; anything malformed raises ValueError.
"""
import base64
import binascii
import copy
import json
import math
import re
import time
import zlib
from dataclasses import asdict

import numpy as np

from . import physics, volcano
from .caps import RESTORE_BUDGET_S, RESTORE_CHUNKS, RESTORE_SIMULATED
from .kinds import WEATHER_KINDS
from .recipe import DEFAULT, from_doc
from .state import DT, Clock, Player, Weather
from .world import World

VERSION = 2                 # 2 adds "recipe" (the world's recipe itself); version 1 codes open as DEFAULT
MAX_ENCODED = 60_000        # characters of a share code
MAX_DECODED = 96 * 1024     # bytes of JSON inside it (recorded lava rock is most of a large one)
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_TICK = 10**9
_DOC_KEYS = {"v", "seed", "prompt", "t", "acc", "pose", "clock", "gravity", "weather", "followers", "edits"}


def encode(doc: dict) -> str:
    raw = json.dumps(doc, separators=(",", ":"), allow_nan=False).encode()
    if len(raw) > MAX_DECODED:
        raise ValueError(f"this world is too large to share ({len(raw)} bytes of state, limit {MAX_DECODED})")
    code = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    if len(code) > MAX_ENCODED:
        raise ValueError("this world is too large to share")
    return code


def decode(code) -> dict:
    """Share code -> validated document dict (see snapshot()); ValueError on anything wrong."""
    if not isinstance(code, str):
        raise ValueError("a share code must be a string")
    code = code.strip()
    if not code or len(code) > MAX_ENCODED:
        raise ValueError(f"share code length must be 1..{MAX_ENCODED} characters")
    if not _B64.match(code):
        raise ValueError("share code has characters outside base64url")
    try:
        packed = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        d = zlib.decompressobj()
        raw = d.decompress(packed, MAX_DECODED + 1)
        if len(raw) > MAX_DECODED or d.unconsumed_tail:
            raise ValueError(f"share code expands beyond {MAX_DECODED} bytes")
        if not d.eof:
            raise ValueError("share code is truncated")
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"share code is damaged: {err}") from None
    except RecursionError:
        raise ValueError("share code is nested too deeply to be one of ours") from None
    try:
        return check(doc)
    except (TypeError, KeyError, AttributeError, IndexError, RecursionError) as err:
        # a well-formed JSON of the wrong shape (a list for a name, ...): still only a bad code
        raise ValueError(f"share code has the wrong shape ({type(err).__name__})") from None


def _no_constant(name):
    raise ValueError(f"share code contains {name}")


# ---------------------------------------------------------------------------------------------- schema
def _f(v, what: str, lo: float = -1e9, hi: float = 1e9) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        raise ValueError(f"share code field {what} must be a number in [{lo}, {hi}], got {v!r}")
    return float(v)


def _i(v, what: str, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ValueError(f"share code field {what} must be an integer in [{lo}, {hi}], got {v!r}")
    return v


def _b(v, what: str) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"share code field {what} must be true or false")
    return v


def _obj(v, what: str, keys: set) -> dict:
    if not isinstance(v, dict) or set(v) != keys:
        raise ValueError(f"share code field {what} must be an object with keys {sorted(keys)}")
    return v


def check(doc) -> dict:
    """Validate a decoded document's shape and ranges (edits themselves are validated when replayed); a code that
    would need more lava flows run than RESTORE_SIMULATED is refused here, before any work. The document stays
    plain JSON data (it can be encoded again)."""
    v = doc.get("v") if isinstance(doc, dict) else None
    if isinstance(v, bool) or v not in (1, VERSION):
        raise ValueError(f"share code version {v!r} is not supported (expected 1 or {VERSION})")
    keys = _DOC_KEYS | ({"recipe"} if v >= 2 else set())
    if set(doc) not in (keys, keys | {"lava"}):
        raise ValueError(f"share code field document must be an object with keys {sorted(keys)}")
    if v >= 2:
        from_doc(doc["recipe"])          # strict: unknown fields, bad values or an oversize recipe fail here
    _i(doc["seed"], "seed", -2**63, 2**63 - 1)
    if not isinstance(doc["prompt"], str) or len(doc["prompt"]) > 500:
        raise ValueError("share code prompt must be a string of at most 500 characters")
    tick = _i(doc["t"], "t", 0, MAX_TICK)
    _f(doc["acc"], "acc", 0.0, DT)
    pose = _obj(doc["pose"], "pose", set(Player.__dataclass_fields__))
    for k in ("x", "y"):
        _f(pose[k], f"pose.{k}", -1e6, 1e6)
    for k in ("z", "vx", "vy", "vz"):
        _f(pose[k], f"pose.{k}", -1e4, 1e4)
    _f(pose["yaw"], "pose.yaw", -4.0, 4.0)
    _f(pose["pitch"], "pose.pitch", -1.0, 1.0)
    _b(pose["on_ground"], "pose.on_ground")
    _b(pose["in_water"], "pose.in_water")
    clock = _obj(doc["clock"], "clock", set(Clock.__dataclass_fields__))
    _f(clock["hour0"], "clock.hour0", 0.0, 24.0)
    _i(clock["tick0"], "clock.tick0", 0, tick)
    _f(clock["speed"], "clock.speed", 0.0, 3600.0)
    _f(doc["gravity"], "gravity", 0.05, 5.0)
    w = _obj(doc["weather"], "weather", set(Weather.__dataclass_fields__))
    if w["kind"] not in WEATHER_KINDS:
        raise ValueError(f"share code weather kind {w['kind']!r} is unknown")
    for k in ("intensity", "rain", "snow", "fog", "storm", "snow_cover"):
        _f(w[k], f"weather.{k}", 0.0, 1.0)
    _i(w["strikes"], "weather.strikes", 0, MAX_TICK)
    _i(w["next_strike"], "weather.next_strike", -1, 2 * MAX_TICK)
    _i(w["last_strike"], "weather.last_strike", -10**9, MAX_TICK)
    if not isinstance(doc["followers"], dict) or len(doc["followers"]) > 200:
        raise ValueError("share code followers must be an object of at most 200 entries")
    for k, v in doc["followers"].items():
        if not isinstance(v, list) or len(v) != 3:
            raise ValueError(f"share code follower {k!r} must be [x, y, heading]")
        for c in v:
            _f(c, f"followers.{k}", -1e6, 1e6)
    if not isinstance(doc["edits"], list):
        raise ValueError("share code edits must be a list")
    last = 0
    for n, entry in enumerate(doc["edits"]):
        _obj(entry, f"edits[{n}]", {"t", "edit"})
        t = _i(entry["t"], f"edits[{n}].t", last, tick)
        last = t
        if not isinstance(entry["edit"], dict):
            raise ValueError(f"share code edits[{n}].edit must be an object")
    recorded = len(_cooled_rocks(doc.get("lava", [])))    # checked here, converted again by restore
    erupts = sum(1 for entry in doc["edits"] if entry["edit"].get("op") == "eruption")
    if erupts - recorded > RESTORE_SIMULATED:
        raise ValueError(f"this share code would make the server run {erupts - recorded} lava flows "
                         f"(at most {RESTORE_SIMULATED}); it is from an older version or was altered")
    return doc


# ---------------------------------------------------------------------------------------------- recorded lava
def _cooled_rocks(items) -> dict:
    """The "lava" list -> {eruption uid: volcano.CooledRock}; each checked to fit the flow grid."""
    if not isinstance(items, list) or len(items) > 64:
        raise ValueError("share code lava must be a list of at most 64 entries")
    out = {}
    for n, r in enumerate(items):
        _obj(r, f"lava[{n}]", {"uid", "steps", "touched", "cm"})
        uid = _i(r["uid"], f"lava[{n}].uid", 1, 10**6)
        steps = _i(r["steps"], f"lava[{n}].steps", 1, 10**6)
        t = r["touched"]
        if not isinstance(t, list) or len(t) != 4:
            raise ValueError(f"share code lava[{n}].touched must be [x0, y0, x1, y1]")
        x0, y0 = _i(t[0], "lava.touched", 0, volcano.GRID - 1), _i(t[1], "lava.touched", 0, volcano.GRID - 1)
        x1, y1 = _i(t[2], "lava.touched", x0, volcano.GRID - 1), _i(t[3], "lava.touched", y0, volcano.GRID - 1)
        if uid in out:
            raise ValueError(f"share code lava lists eruption {uid} twice")
        out[uid] = volcano.CooledRock(steps, [x0, y0, x1, y1], _unpack_cm(r["cm"], y1 - y0 + 1, x1 - x0 + 1))
    return out


def _pack_cm(cm: np.ndarray) -> str:
    """int16 centimetres -> row differences, low then high byte planes, zlib, base64url (rock is smooth: small)."""
    d = np.diff(cm.astype(np.int32), axis=1, prepend=0).astype(np.int16).view(np.uint8).reshape(-1, 2)
    raw = np.concatenate([d[:, 0], d[:, 1]]).tobytes()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def _unpack_cm(text, h: int, w: int) -> np.ndarray:
    if not isinstance(text, str) or not _B64.match(text) or len(text) > MAX_ENCODED:
        raise ValueError("share code lava rock must be base64url text")
    size = h * w * 2
    try:
        d = zlib.decompressobj()
        raw = d.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), size + 1)
    except (binascii.Error, zlib.error):
        raise ValueError("share code lava rock is damaged") from None
    if len(raw) != size or not d.eof:
        raise ValueError("share code lava rock does not match its area")
    planes = np.frombuffer(raw, np.uint8).reshape(2, -1)
    diffs = np.ascontiguousarray(planes.T).view(np.int16).reshape(h, w)
    cm = np.cumsum(diffs.astype(np.int32), axis=1)
    if cm.min() < 0 or cm.max() > volcano.MAX_ROCK_CM:
        raise ValueError("share code lava rock is out of range")
    return cm.astype(np.int16)


# ---------------------------------------------------------------------------------------------- world <-> doc
def snapshot(world, prompt: str = "") -> dict:
    """The share-code document of a world at this moment."""
    s = world.s
    followers = {i: [o.x, o.y, o.heading] for i, o in world.entities.overrides.items() if o.action == "follow"}
    pose = Player(**asdict(s.player))
    physics.look(pose, *world.pending_look)    # a look not yet applied by a fixed step: the next one would
    return {"v": VERSION, "seed": world.seed, "recipe": world.initial_recipe.to_compact_doc(), "prompt": prompt,
            "t": s.tick, "acc": s.acc,
            "pose": asdict(pose), "clock": asdict(s.clock), "gravity": s.gravity, "weather": asdict(s.weather),
            "followers": followers, "edits": [copy.deepcopy(e) for e in world.log],
            "lava": [{"uid": e.uid, "steps": e.cooled.steps, "touched": list(e.cooled.touched),
                      "cm": _pack_cm(e.cooled.cm)} for e in world.eruptions if e.cooled is not None]}


def restore(doc: dict, background: bool = True):
    """Rebuild the world of a validated document: replay the edit log (cooled eruptions take their recorded rock,
    a flowing one runs), set the state. ValueError when the work would pass the restore caps or time budget."""
    deadline = time.monotonic() + RESTORE_BUDGET_S
    rocks = _cooled_rocks(doc.get("lava", []))
    recipe = from_doc(doc["recipe"]) if doc["v"] >= 2 else DEFAULT
    world = World(doc["seed"], background=background, replaying=True, recipe=recipe)
    world.cache.unload_ring()     # each terrain edit would rebuild the loaded chunks: fill them once, at the end
    try:
        simulated = 0
        for entry in doc["edits"]:
            if world.cache.generated > RESTORE_CHUNKS or time.monotonic() > deadline:
                raise ValueError(f"share code would take too long to rebuild (budget {RESTORE_BUDGET_S:g} s)")
            world.advance_eruption(entry["t"], refresh=True)
            world.s.tick = entry["t"]
            n = len(world.eruptions)
            try:
                world.apply(entry["edit"])
            except ValueError as err:
                raise ValueError(f"share code edit {entry['edit'].get('op')!r} does not replay: {err}") from None
            if len(world.eruptions) > n:
                e = world.eruptions[-1]
                e.recorded = rocks.get(e.uid)
                simulated += e.recorded is None
                if simulated > RESTORE_SIMULATED:
                    raise ValueError("share code asks for more lava flows than a restore may run")
        if time.monotonic() > deadline:
            raise ValueError(f"share code would take too long to rebuild (budget {RESTORE_BUDGET_S:g} s)")
        world.s.tick = doc["t"]
        world.advance_eruption(doc["t"], refresh=True)
        world.replaying = False
        s = world.s
        s.acc = float(doc["acc"])
        s.gravity = float(doc["gravity"])
        s.clock = Clock(**doc["clock"])
        s.weather = Weather(**doc["weather"])
        s.player = Player(**doc["pose"])
        world.place_player(s.player.x, s.player.y, s.player.yaw, s.player.pitch, z=s.player.z,
                           on_ground=s.player.on_ground, exact=True)
        s.player.vx, s.player.vy, s.player.vz = (float(doc["pose"][k]) for k in ("vx", "vy", "vz"))
        s.player.in_water = doc["pose"]["in_water"]
        follow = {i for i, o in world.entities.overrides.items() if o.action == "follow"}
        if follow != set(doc["followers"]):
            raise ValueError("share code followers do not match its edits")
        for i, (x, y, hd) in doc["followers"].items():
            o = world.entities.overrides[i]
            o.x, o.y, o.heading = float(x), float(y), float(hd)
    except Exception:
        world.close()
        raise
    return world
