"""Training data for Dream: rollouts of the engine (or a synthetic stand-in) under an exploring policy.

A rollout of T steps is recorded as
  frames  (T+1, H, W, 3) uint8   frame t is what the player saw before step t
  actions (T+1, A) uint8         multi-hot held inputs applied between frame t and t+1 (last row unused)
  events  (T+1,) int64           event id applied just before that step (0 = none)
so (frames[t], actions[t], events[t]) -> frames[t+1] is one transition. Rollouts are cached as .npz
shards (no pickle) under a directory outside the repo, e.g. data/dream/.
"""
import glob
import os
from dataclasses import dataclass

import numpy as np

ACTIONS = ("forward", "back", "left", "right", "turn_left", "turn_right",
           "look_up", "look_down", "jump", "sprint")   # multi-hot order; matches session.HELD_INPUTS
ACTION_INDEX = {a: i for i, a in enumerate(ACTIONS)}
# Event vocabulary (append only: ids are baked into checkpoints).
# A time edit is told by where it lands (the token must say whether night falls), not by its exact hour.
EVENTS = ("none", "weather_clear", "weather_rain", "weather_snow", "weather_fog", "weather_storm",
          "time_morning", "time_day", "time_evening", "time_night", "eruption")
EVENT_ID = {e: i for i, e in enumerate(EVENTS)}

# Exploring policy: key combinations held for a random number of steps, with weights.
INTENTS = (
    (3.0, ("forward",)), (1.5, ("forward", "sprint")), (1.0, ("turn_left",)), (1.0, ("turn_right",)),
    (1.5, ("forward", "turn_left")), (1.5, ("forward", "turn_right")), (0.6, ("look_up",)),
    (0.6, ("look_down",)), (0.6, ("jump",)), (0.6, ("forward", "jump")), (0.5, ("back",)),
    (0.5, ("left",)), (0.5, ("right",)), (1.2, ()),
)


def held_to_multihot(held) -> np.ndarray:
    """A set of held input names -> (A,) uint8 multi-hot (unknown names are ignored)."""
    v = np.zeros(len(ACTIONS), np.uint8)
    for name in held:
        i = ACTION_INDEX.get(name)
        if i is not None:
            v[i] = 1
    return v


def event_of(edit: dict | str | int | None) -> int:
    """Event id of a typed edit (or an event name or id); 0 for edits the model was not trained on."""
    if edit is None:
        return 0
    if isinstance(edit, (int, np.integer)):
        return int(edit) if 0 <= edit < len(EVENTS) else 0
    if isinstance(edit, str):
        return EVENT_ID.get(edit, 0)
    op = edit.get("op")
    if op == "weather":
        return EVENT_ID.get("weather_" + str(edit.get("kind")), 0)
    if op == "time" and "hour" in edit:
        return EVENT_ID["time_" + time_bucket(float(edit["hour"]))]
    return EVENT_ID["eruption"] if op == "eruption" else 0


def time_bucket(hour: float) -> str:
    hour = hour % 24
    if 5 <= hour < 9:
        return "morning"
    if 9 <= hour < 17:
        return "day"
    return "evening" if 17 <= hour < 21 else "night"


@dataclass
class RolloutConfig:
    steps: int = 64            # transitions per rollout
    size: int = 64             # frame side in pixels
    dt: float = 1 / 15         # world seconds per step (Dream.dt)
    min_hold: int = 3          # steps an intent is held, uniform in [min_hold, max_hold]
    max_hold: int = 16
    edit_prob: float = 0.02    # chance per step of a weather / time / eruption edit
    settle: int = 30           # idle steps before recording (weather set at the start fades in)
    source: str = "engine"     # "engine" (oyster.Session) or "synthetic" (moving patterns, for tests)


def random_edit(rng: np.random.Generator) -> dict:
    r = rng.random()
    if r < 0.6:
        kind = ("clear", "rain", "snow", "fog", "storm")[rng.integers(5)]
        return {"op": "weather", "kind": kind, "intensity": float(rng.uniform(0.4, 1.0))}
    if r < 0.8:   # mostly daylight: night frames are dark and say little
        return {"op": "time", "hour": float(rng.uniform(6, 20) if rng.random() < 0.75 else rng.uniform(0, 24))}
    return {"op": "eruption", "strength": float(rng.uniform(0.5, 1.0))}


def policy(rng: np.random.Generator, cfg: RolloutConfig):
    """Yields a held-input set per step: intents held for random durations."""
    weights = np.array([w for w, _ in INTENTS])
    while True:
        keys = INTENTS[rng.choice(len(INTENTS), p=weights / weights.sum())][1]
        for _ in range(int(rng.integers(cfg.min_hold, cfg.max_hold + 1))):
            yield set(keys)


def make_world(seed: int, cfg: RolloutConfig):
    if cfg.source == "synthetic":
        from oyster.neural.synthetic import SyntheticWorld
        return SyntheticWorld(seed, cfg.size)
    from oyster.session import Session
    return Session(seed=seed, width=cfg.size, height=cfg.size)


PLACES = ("volcano", "lake", "village", "forest", "desert", "mountain", "beach", "start")


def start_world(world, rng: np.random.Generator, settle: int = 0, dt: float = 1 / 15) -> None:
    """Vary the start: a named place or random spot, weather and hour (edits the engine rejects are skipped),
    then `settle` idle steps so eased weather has faded in before recording."""
    if rng.random() < 0.5:
        where = {"op": "teleport", "target": PLACES[rng.integers(len(PLACES))]}
    else:
        where = {"op": "teleport", "x": float(rng.uniform(-3000, 3000)), "y": float(rng.uniform(-3000, 3000)),
                 "yaw": float(rng.uniform(-np.pi, np.pi))}
    starts = [where, {"op": "time", "hour": float(rng.uniform(6, 20)) if rng.random() < 0.85
                      else float(rng.uniform(0, 24))}]
    if rng.random() < 0.4:
        starts.append({"op": "weather", "kind": ("rain", "snow", "fog", "storm")[rng.integers(4)],
                       "intensity": float(rng.uniform(0.3, 1.0))})
    for edit in starts:
        try:
            world.apply(edit)
        except ValueError:
            pass
    for _ in range(settle):
        world.step(set(), dt)


def rollout(seed: int, cfg: RolloutConfig) -> dict:
    """One exploring rollout from a fresh world with this seed."""
    rng = np.random.default_rng(seed)
    world = make_world(seed, cfg)
    start_world(world, rng, cfg.settle, cfg.dt)
    frame = world.step(set(), cfg.dt)             # settle: the first recorded frame is a rendered one
    frames = np.empty((cfg.steps + 1, cfg.size, cfg.size, 3), np.uint8)
    actions = np.zeros((cfg.steps + 1, len(ACTIONS)), np.uint8)
    events = np.zeros(cfg.steps + 1, np.int64)
    frames[0] = frame
    keys = policy(rng, cfg)
    for t in range(cfg.steps):
        if rng.random() < cfg.edit_prob:
            edit = random_edit(rng)
            try:
                world.apply(edit)
                events[t] = event_of(edit)
            except ValueError:
                pass
        held = next(keys)
        actions[t] = held_to_multihot(held)
        frames[t + 1] = world.step(held, cfg.dt)
    if hasattr(world, "close"):
        world.close()
    return {"frames": frames, "actions": actions, "events": events}


def build_shards(out_dir: str, seeds: range, cfg: RolloutConfig, per_shard: int = 16, log=print) -> None:
    """Generate rollouts for `seeds` into out_dir/shard_XXXXX.npz; existing shards are kept (resumable)."""
    os.makedirs(out_dir, exist_ok=True)
    seeds = list(seeds)
    for i in range(0, len(seeds), per_shard):
        path = os.path.join(out_dir, f"shard_{seeds[i]:06d}.npz")
        if os.path.exists(path):
            continue
        rolls = [rollout(s, cfg) for s in seeds[i:i + per_shard]]
        tmp = path + ".tmp.npz"
        np.savez(tmp, **{k: np.stack([r[k] for r in rolls]) for k in rolls[0]})
        os.replace(tmp, path)
        log(f"data: wrote {path} ({len(rolls)} rollouts)")


def load_shards(out_dir: str) -> dict:
    """All shards in out_dir concatenated: frames (N, T+1, H, W, 3), actions (N, T+1, A), events (N, T+1)."""
    paths = sorted(glob.glob(os.path.join(out_dir, "shard_*.npz")))
    if not paths:
        raise FileNotFoundError(f"no shards in {out_dir}")
    parts = []
    for p in paths:
        with np.load(p, allow_pickle=False) as z:
            parts.append({k: z[k] for k in z.files})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
