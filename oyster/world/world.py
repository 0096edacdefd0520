"""World: the persistent 4D state tied together. It changes only through `step` (time and physics) and `apply`
(typed edits); present.py builds the read-only Scene the renderer draws and the state() summary from it.
"""
import math

import numpy as np

from . import characters, ops, physics, present, spawn, terrain, volcano, weather
from .chunks import ChunkCache
from .entities import Entities, build_view, char_key, chunk_parts
from .kinds import ACTION_ID, ACTIONS, DRAWN_AS, KINDS
from .recipe import DEFAULT, WorldRecipe
from .recipe_pack import pack
from .scene import Scene
from .sculpt import overlaps
from .state import DT, WorldScalars, weather_targets, wrap_angle

MAX_STEPS = 15          # fixed steps per frame at most (a stalled frame does not trigger a catch-up storm)
MAX_FRAME_DT = 0.25     # seconds of frame time accepted per call
PHYS_RADIUS = 72.0      # metres around the player kept in the ring map for physics and obstacles (GATHER, 40 m
                        # character homes and their wander all fit inside)
GATHER = 20.0           # metres: obstacles gathered around the player's 8 m cell


class World:
    def __init__(self, seed: int, background: bool = True, replaying: bool = False,
                 recipe: WorldRecipe = DEFAULT):
        if not isinstance(recipe, WorldRecipe):
            raise ValueError(f"recipe must be a WorldRecipe, got {type(recipe).__name__}")
        self.seed = int(seed)
        self.recipe = recipe                   # changes only through the "recipe" edit
        self.initial_recipe = recipe           # what share codes store (the log replays any change after it)
        # while a share code replays its log, the ring map is not kept filled (only the end pose needs it)
        self.replaying = replaying
        self.s = WorldScalars()
        self.terrain_edits: list = []          # sculpt.Shape / RockPatch, in the order they apply
        self.cache = ChunkCache(self.seed, self.terrain_edits, background=background, recipe=recipe)
        self.cache.overlays.append(self._lava_overlay)
        self.entities = Entities(self.seed)
        self.eruptions: list = []              # volcano.Eruption, oldest first; only the last may be active
        self.log: list = []                    # [{"t": tick, "pose": [x, y, z, yaw, pitch], "edit": resolved}]
        self.undo_stack: list = []             # callables reverting the matching edit
        self.uid = 0                           # ids of terrain edits and eruptions
        self._parts: dict = {}
        self._view = None
        self._view_key = None
        self._gather_key = None
        self._gathered = np.zeros((0, 3))
        self._gather_memo: dict = {}           # cell -> gathered statics, while several bodies move (shared worlds)
        self._seed_memo: dict = {}             # entity id -> look seed
        self._particles = None                 # ((tick, eruption uid), particles): views of one tick share them
        self.pending_look = (0.0, 0.0)         # analog (dyaw, dpitch) radians, applied on the next fixed step
        self.bodies: dict = {}                 # id -> Player of every body in a shared world (s.player is one of
                                               # them); they collide with each other. Empty in a private world.
        self._recipe_defaults(recipe)
        self.start = spawn.start_pose(self)     # (x, y, yaw): a clear view toward the volcano, per seed
        self.place_player(*self.start, 0.0)

    def set_recipe(self, recipe: WorldRecipe) -> None:
        """Switch the recipe live (the "recipe" edit): chunks regenerate nearest first over the next frames."""
        if recipe == self.recipe:
            return
        self.recipe = recipe
        recipe.key()                 # both are cached per recipe: the cache key and the numbers the kernels read
        pack(recipe)                 # are made now rather than inside the next frame
        self.cache.set_recipe(recipe, (self.s.player.x, self.s.player.y))

    def _recipe_defaults(self, r: WorldRecipe) -> None:
        """A fresh world starts with its recipe's gravity, weather and hour (today's world: unchanged)."""
        s = self.s
        s.gravity = r.gravity
        if r.hour is not None:
            s.clock.hour0 = r.hour
        if r.weather != "clear":
            w = s.weather
            w.kind, w.intensity = r.weather, 0.6
            w.rain, w.snow, w.fog, w.storm = weather_targets(w.kind, w.intensity)

    # ------------------------------------------------------------------------------------------ time
    def step(self, held: frozenset = frozenset(), dt: float = 1 / 30, look: tuple = (0.0, 0.0)) -> int:
        """Advance by frame time dt in fixed steps; returns how many steps ran. `look` (dyaw, dpitch) radians is
        added to the pending look, which the next fixed step applies (it waits when dt runs no step)."""
        s = self.s
        if look[0] or look[1]:
            self.pending_look = (self.pending_look[0] + look[0], self.pending_look[1] + look[1])
        s.acc += min(max(float(dt), 0.0), MAX_FRAME_DT)
        n = 0
        while s.acc >= DT and n < MAX_STEPS:
            self._tick(held)
            s.acc -= DT
            n += 1
        if n == MAX_STEPS:
            s.acc = min(s.acc, DT)
        self.cache.pump(s.player.x, s.player.y)   # back-to-back frames starve the background thread
        return n

    def _tick(self, held: frozenset) -> None:
        self.move_player(held)
        self.tick_shared()

    def move_player(self, held: frozenset) -> None:
        """One fixed step of the body in s.player: look, walk, jump, collide (with the other bodies too)."""
        s, p = self.s, self.s.player
        # only the player's surroundings: a far camera (render_from) may hold the rest of the ring map
        self.cache.ensure_near(p.x, p.y, PHYS_RADIUS)
        obstacles = self._obstacles(p.x, p.y)
        if self.bodies:
            others = [(b.x, b.y, physics.CONFIG.radius) for b in self.bodies.values() if b is not p]
            if others:
                obstacles = np.concatenate([obstacles, np.array(others, np.float64)])
        if self.pending_look != (0.0, 0.0):
            physics.look(p, *self.pending_look)
            self.pending_look = (0.0, 0.0)
        physics.step(p, held, s.gravity, self.cache.ring.height, obstacles)

    def tick_shared(self, leaders: dict | None = None) -> None:
        """One fixed step of everything but the bodies: clock, weather, followers, eruptions. `leaders` maps a
        follower's id to the body it follows (default: s.player)."""
        s, p = self.s, self.s.player
        s.tick += 1
        weather.step(s.weather, self.seed, s.tick)
        for ident, o in self.entities.overrides.items():
            if o.action == "follow":
                q = p if leaders is None else leaders.get(ident, p)
                characters.follow_step(o, q.x, q.y)
        self.advance_eruption(s.tick, refresh=True)

    def advance_eruption(self, tick: int, refresh: bool) -> None:
        e = self.active_eruption()
        if e is None:
            return
        before = e.box.copy()
        lake = e.lake_on()
        if not e.advance_to(tick):
            return
        if refresh and not e.done and lake != e.lake_on():       # the crater lake went out
            b = e.crater_box()
            self.cache.refresh(e.x0 + b[0], e.y0 + b[1], e.x0 + b[2], e.y0 + b[3])
        if e.done:
            self.terrain_edits.append(e.rock_patch())
            if refresh:
                self.cache.refresh(*e.world_box(), rebuild=True)
        elif refresh and (e.box[2] >= 0 or before[2] >= 0):
            bx = [min(before[0], e.box[0]), min(before[1], e.box[1]), max(before[2], e.box[2]),
                  max(before[3], e.box[3])]
            m = volcano.HALO + 1            # the glow halo reaches past the molten box
            self.cache.refresh(e.x0 + bx[0] - m, e.y0 + bx[1] - m, e.x0 + bx[2] + m, e.y0 + bx[3] + m)

    def active_eruption(self):
        return self.eruptions[-1] if self.eruptions and not self.eruptions[-1].done else None

    def _lava_overlay(self, c, h, col, mat, heat) -> bool:
        e = self.active_eruption()
        return e is not None and e.overlay(c, h, col, mat, heat)

    def apply(self, edit: dict) -> dict:
        """Apply a typed edit (see edits.py); returns the resolved edit. ValueError changes nothing."""
        return ops.apply(self, edit)

    # ------------------------------------------------------------------------------------------ entities
    def view(self):
        """Array view of the entities in the loaded chunks (cached until the loaded set or an edit changes)."""
        key = (self.cache.version, self.entities.version)
        if key != self._view_key:
            ents = self.entities
            parts = []
            for c in self.cache.loaded():
                got = self._parts.get((c.cx, c.cy))
                if got is None or got[0] is not c or got[1] != ents.removed_rev:
                    got = (c, ents.removed_rev, chunk_parts(self.seed, c, ents.removed))
                    self._parts[(c.cx, c.cy)] = got
                parts.append(got[2])
            if len(self._parts) > 2 * len(parts) + 64:
                live = self.cache.held()
                self._parts = {k: v for k, v in self._parts.items() if k in live}
            self._view = build_view(self.seed, parts, ents, self.cache.ring.height, self.cache.held())
            self._view_key = key
            self._gather_key = None
            self._gather_memo = {}
        return self._view

    def char_states(self, rows: np.ndarray | None = None):
        """Current (x, y, heading, action id, phase) of loaded characters (all, or the given rows)."""
        v = self.view()
        rows = np.arange(len(v.c_ids)) if rows is None else rows
        t = self.s.tick * DT
        home = v.c_home[rows]
        ovs = self.entities.overrides
        mine = []                                  # (position in rows, override) of overridden characters
        if ovs:
            where = {int(r): k for k, r in enumerate(rows)}
            for ident, o in ovs.items():
                k = where.get(v.c_index.get(ident, -1))
                if k is not None:
                    mine.append((k, o))
            home = home.copy()
            for k, o in mine:
                if o.action == "walk":
                    home[k, 0] += o.dhx
                    home[k, 1] += o.dhy
        x, y, hd, act, ph = characters.ambient(v.c_keys[rows], home[:, 0], home[:, 1], v.c_wander[rows],
                                               v.c_villager[rows], t)
        for k, o in mine:
            if o.action != "walk":
                x[k], y[k], hd[k] = o.x, o.y, o.heading
                if o.action == "follow":      # walking while it catches up, idle beside the player
                    p = self.s.player
                    near = math.hypot(p.x - o.x, p.y - o.y) <= characters.FOLLOW_GAP + 0.05
                    act[k] = ACTION_ID["idle"] if near else ACTION_ID["follow"]
                elif o.action == "flee":      # runs (drawn walking) until far enough, then stands
                    x[k], y[k], running = characters.flee_pos(o, self.s.tick)
                    act[k] = ACTION_ID["walk"] if running else ACTION_ID["idle"]
                else:
                    act[k] = ACTION_ID[DRAWN_AS.get(o.action, o.action)]
                ph[k] = (self.s.tick - o.tick0) * DT
        return x, y, hd, act, ph

    def with_overridden(self, v, rows: np.ndarray) -> np.ndarray:
        """`rows` of the view's characters plus those with an override (commanded ones may be anywhere)."""
        ovs = self.entities.overrides
        if not ovs:
            return rows
        extra = [v.c_index[i] for i in ovs if i in v.c_index]
        return np.union1d(rows, np.array(extra, np.int64))

    def _obstacles(self, x: float, y: float) -> np.ndarray:
        """Circles (x, y, r) that can touch the player this frame: statics near its 8 m cell, characters near it."""
        v = self.view()
        key = (math.floor(x / 8), math.floor(y / 8))
        if key != self._gather_key:
            got = self._gather_memo.get(key)
            if got is None:
                cx, cy = key[0] * 8 + 4, key[1] * 8 + 4
                d2 = (v.s_xyz[:, 0] - cx) ** 2 + (v.s_xyz[:, 1] - cy) ** 2
                near = d2 < GATHER * GATHER
                got = np.stack([v.s_xyz[near, 0], v.s_xyz[near, 1], v.s_radius[near]], 1).astype(np.float64)
                if self.bodies:              # several bodies take turns: keep each one's cell until the view changes
                    self._gather_memo[key] = got
            self._gathered, self._gather_key = got, key
        if len(v.c_ids) == 0:
            return self._gathered
        near = np.flatnonzero((v.c_home[:, 0] - x) ** 2 + (v.c_home[:, 1] - y) ** 2 < 40.0 ** 2)
        near = self.with_overridden(v, near)
        if len(near) == 0:
            return self._gathered
        cx, cy, _, _, _ = self.char_states(near)
        chars = np.stack([cx, cy, v.c_radius[near].astype(np.float64)], 1)
        return np.concatenate([self._gathered, chars])

    def entities_near(self, x: float, y: float, r: float, kinds=None) -> list:
        """[(distance, id, kind, x, y, radius, action)] of entities within r metres of (x, y), nearest first."""
        self.cache.ensure_near(x, y, r + 2 * characters.MAX_WANDER)
        v = self.view()
        out = []
        d = np.hypot(v.s_xyz[:, 0] - x, v.s_xyz[:, 1] - y)
        for k in np.flatnonzero(d <= r):
            kind = KINDS[v.s_kind[k]]
            if kinds is None or kind in kinds:
                out.append((float(d[k]), v.s_ids[k], kind, float(v.s_xyz[k, 0]), float(v.s_xyz[k, 1]),
                            float(v.s_radius[k]), "idle"))
        if len(v.c_ids):
            cx, cy, _, act, _ = self.char_states()
            dc = np.hypot(cx - x, cy - y)
            ovs = self.entities.overrides
            for k in np.flatnonzero(dc <= r):
                kind = KINDS[v.c_kind[k]]
                if kinds is None or kind in kinds:
                    o = ovs.get(v.c_ids[k])
                    action = o.action if o is not None and o.action != "walk" else ACTIONS[act[k]]
                    out.append((float(dc[k]), v.c_ids[k], kind, float(cx[k]), float(cy[k]), float(v.c_radius[k]),
                                action))
        out.sort(key=lambda e: (e[0], e[1]))
        return out

    def character_pose(self, ident: str):
        """(x, y, heading) of a live character anywhere (the same numbers the loaded view computes), or None."""
        kind = self.entity_kind(ident)
        if kind not in characters.WANDER:
            return None
        o = self.entities.overrides.get(ident)
        if o is not None and o.action == "flee":
            return (*characters.flee_pos(o, self.s.tick)[:2], o.heading)
        if o is not None and o.action != "walk":
            return o.x, o.y, o.heading
        e = self.entities.spawned.get(ident)
        if e is not None:
            hx, hy = e.x, e.y
        else:
            cx, cy, k = (int(q) for q in ident.split(":"))
            c = self.cache.get(cx, cy)
            hx, hy = (float(v) for v in c.xyz[k, :2].astype(np.float64))
        if o is not None:
            hx, hy = hx + o.dhx, hy + o.dhy
        x, y, hd, _, _ = characters.ambient(np.array([char_key(self.seed, ident)], np.uint64), np.array([hx]),
                                            np.array([hy]), np.array([characters.WANDER[kind]]),
                                            np.array([kind == "villager"]), self.s.tick * DT)
        return float(x[0]), float(y[0]), float(hd[0])

    def entity_kind(self, ident: str) -> str | None:
        """Kind of a live entity (spawned, or generated and neither removed nor buried), else None."""
        e = self.entities.spawned.get(ident)
        if e is not None:
            return e.kind
        if ident in self.entities.removed:
            return None
        parts = ident.split(":")
        if len(parts) != 3:
            return None
        try:
            cx, cy, k = (int(q) for q in parts)
        except ValueError:
            return None
        if max(abs(cx), abs(cy)) > 100000:
            return None
        c = self.cache.get(cx, cy)
        if not 0 <= k < len(c.ids) or not c.alive[k]:
            return None
        return KINDS[c.kind[k]]

    # ------------------------------------------------------------------------------------------ terrain
    def ground(self, x: float, y: float) -> float:
        """Edited ground height at (x, y) (chunks loaded on demand)."""
        x0, y0 = math.floor(x), math.floor(y)
        h = self.cache.heights(x0, y0, 2, 2).astype(np.float64)
        fx, fy = x - x0, y - y0
        return float((h[0, 0] + (h[0, 1] - h[0, 0]) * fx) * (1 - fy) + (h[1, 0] + (h[1, 1] - h[1, 0]) * fx) * fy)

    def rebuild(self, edit) -> None:
        """Rebuild cached chunks touched by a terrain edit (added or removed)."""
        x0, y0, x1, y1 = edit.bbox()
        self.cache.refresh(math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1), rebuild=True)

    def blocked_by_lava(self, edit) -> bool:
        e = self.active_eruption()
        if e is None:
            return False
        return overlaps(edit, e.x0, e.y0, volcano.GRID, volcano.GRID)

    def place_player(self, x: float, y: float, yaw: float, pitch: float, z: float | None = None,
                     on_ground: bool = True, exact: bool = False) -> None:
        """Stand the player at (x, y) on the ground (or at height z, lifted to the ground unless exact)."""
        p = self.s.player
        p.x, p.y = float(x), float(y)
        self.pending_look = (0.0, 0.0)        # a mouse delta from before a teleport must not skew its yaw
        if exact:
            p.yaw, p.pitch = float(yaw), float(pitch)
        else:
            lim = physics.CONFIG.max_pitch
            p.yaw, p.pitch = wrap_angle(float(yaw)), max(-lim, min(lim, float(pitch)))
        p.vx = p.vy = p.vz = 0.0
        if self.replaying:
            sup, swim = physics.support_over(self.ground(p.x, p.y))
        else:
            self.cache.ensure(p.x, p.y)
            sup, swim = physics.support(self.cache.ring.height, p.x, p.y)
        p.z = sup if z is None else (float(z) if exact else max(float(z), sup))
        p.on_ground = bool(on_ground) if z is not None else True
        p.in_water = bool(swim)

    # ------------------------------------------------------------------------------------------ reading
    def scene(self, camera: tuple | None = None, fill: bool = True) -> Scene:
        """The read-only Scene for the renderer, from the player's eyes or from camera = (x, y, z, yaw, pitch)."""
        return present.scene(self, camera, fill)

    def _seeds(self, v) -> tuple[np.ndarray, np.ndarray]:
        return present.look_seeds(self, v)

    def state(self) -> dict:
        """JSON-able summary: player, clock, weather, gravity, biome, events, entities near the player."""
        return present.state(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.cache.close()
        self._parts.clear()
        self._view = None


def warm_up() -> None:
    """Compile (or load from numba's cache) every world kernel, so the first eruption or village does not stall."""
    from .lava import lava_step

    terrain.warm_up()
    k = np.zeros(1, np.uint64)
    z = np.zeros(1)
    characters.ambient(k, z, z, z + 1.0, np.ones(1, bool), 0.0)
    g = np.zeros((8, 8), np.float32)
    lava_step(g, g.copy(), g.copy(), g.copy(), g.copy(), g.copy(), np.array([8, 8, -1, -1], np.int64), 4, 4, 1, 0.1)
