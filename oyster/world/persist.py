"""Share codes: a world as versioned JSON -> zlib -> base64url, and back, with strict limits and validation.

A code holds the seed, the prompt, the resolved edit log (each entry with its tick; resolved edits carry absolute
positions, ids and, for teleports, the pose before) and the small state that time and the player's path made:
pose, clock, weather levels, followers, tick. Restoring replays the log on a fresh world (the same validated door
as live edits), fast-forwards any lava flow, then sets that state, so the restored world draws the same frame.
Never pickle; anything malformed raises ValueError.
"""
import base64
import binascii
import copy
import json
import math
import re
import zlib
from dataclasses import asdict

from . import physics
from .kinds import WEATHER_KINDS
from .recipe import DEFAULT, from_doc
from .state import DT, Clock, Player, Weather
from .world import World

VERSION = 2                 # 2 adds "recipe" (the world's recipe itself); version 1 codes open as DEFAULT
MAX_ENCODED = 60_000        # characters of a share code
MAX_DECODED = 64 * 1024     # bytes of JSON inside it
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_TICK = 10**9
RESTORE_CHUNKS = 3000       # chunks a restore may generate before it is refused (a crafted code cannot stall us)


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
    return check(doc)


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
    """Validate a decoded document's shape and ranges (edits themselves are validated when replayed)."""
    keys = {"v", "seed", "prompt", "t", "acc", "pose", "clock", "gravity", "weather", "followers", "edits"}
    v = doc.get("v") if isinstance(doc, dict) else None
    if isinstance(v, bool) or v not in (1, VERSION):
        raise ValueError(f"share code version {v!r} is not supported (expected 1 or {VERSION})")
    _obj(doc, "document", keys | ({"recipe"} if doc["v"] >= 2 else set()))
    if doc["v"] >= 2:
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
    return doc


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
            "followers": followers, "edits": [copy.deepcopy(e) for e in world.log]}


def restore(doc: dict, background: bool = True):
    """Rebuild the world of a validated document: replay the edit log, fast-forward lava, set the state."""
    recipe = from_doc(doc["recipe"]) if doc["v"] >= 2 else DEFAULT
    world = World(doc["seed"], background=background, replaying=True, recipe=recipe)
    try:
        for entry in doc["edits"]:
            if world.cache.generated > RESTORE_CHUNKS:
                raise ValueError("share code would take too long to rebuild")
            world.advance_eruption(entry["t"], refresh=True)
            world.s.tick = entry["t"]
            try:
                world.apply(entry["edit"])
            except ValueError as err:
                raise ValueError(f"share code edit {entry['edit'].get('op')!r} does not replay: {err}") from None
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
