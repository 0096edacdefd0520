"""World: the persistent 4D state tied together. It changes only through `step` (time and physics) and `apply`
(typed edits); present.py builds the read-only Scene the renderer draws and the state() summary from it.
"""
import math
from contextlib import contextmanager

import numpy as np

from . import characters, ops, physics, present, spawn, terrain, volcano, weather
from .caps import MAX_ERUPTIONS, MAX_LOG
from .chunks import LOAD_RADIUS, ChunkCache
from .conditions import Conditions
from .edits import validate
from .entities import Entities
from .land import Land
from .recipe import DEFAULT, WorldRecipe
from .recipe_pack import pack
from .scene import Scene
from .sculpt import Shape
from .state import DT, EARTH_G, WorldScalars, weather_targets, wrap_angle
from .things import Things

MAX_STEPS = 15          # fixed steps per frame at most (a stalled frame does not trigger a catch-up storm)
MAX_FRAME_DT = 0.25     # seconds of frame time accepted per call
PHYS_RADIUS = 72.0      # metres around the player kept in the ring map for physics and obstacles (GATHER, 40 m
                        # character homes and their wander all fit inside)


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
        self._particles = None                 # ((tick, eruption uid), particles): views of one tick share them
        self.pending_look = (0.0, 0.0)         # analog (dyaw, dpitch) radians, applied on the next fixed step
        self.bodies: dict = {}                 # id -> Player of every body in a shared world (s.player is one of
                                               # them); they collide with each other. Empty in a private world.
        # the named services through which everything outside the world's own modules reads and changes it
        self.things = Things(self)             # entities: what is where, add / take away / direct
        self.land = Land(self)                 # ground, terrain and places, sculpting
        self.conditions = Conditions(self)     # clock, weather, gravity
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

    def renewing(self) -> bool:
        """A recipe change is still regenerating some of the loaded chunks."""
        return self.cache.renewing()

    @property
    def ring_writes(self) -> int:
        """Counts writes into the shared ring map (a view filled since the last write needs no refill)."""
        return self.cache.writes

    def fill_view(self, x: float, y: float) -> None:
        """Fill the ring map around the player and, besides, the chunks a camera at (x, y) needs (several views
        of one world share the ring)."""
        p = self.s.player
        self.cache.ensure(p.x, p.y)
        self.cache.ensure_near(x, y, LOAD_RADIUS)

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

    def step_bodies(self, moves: list, dt: float, leaders: dict | None = None) -> list:
        """A shared world's step: advance by frame time dt in fixed steps, each moving every (body, held, look) of
        `moves` in turn and then the rest of the world once; returns each body's look still pending."""
        s = self.s
        anchor = s.player
        looks = [look for _, _, look in moves]
        s.acc += min(max(float(dt), 0.0), MAX_FRAME_DT)
        n = 0
        while s.acc >= DT and n < MAX_STEPS:
            for k, (body, held, _) in enumerate(moves):
                with self.acting_as(body, looks[k]) as look_left:
                    self.move_player(held)
                    looks[k] = look_left()
            self.tick_shared(leaders)
            s.acc -= DT
            n += 1
        if n == MAX_STEPS:
            s.acc = min(s.acc, DT)
        self.cache.pump(anchor.x, anchor.y)
        return looks

    def _tick(self, held: frozenset) -> None:
        self.move_player(held)
        self.tick_shared()

    def move_player(self, held: frozenset) -> None:
        """One fixed step of the body in s.player: look, walk, jump, collide (with the other bodies too)."""
        s, p = self.s, self.s.player
        # only the player's surroundings: a far camera (render_from) may hold the rest of the ring map
        self.cache.ensure_near(p.x, p.y, PHYS_RADIUS)
        obstacles = self.things.obstacles(p.x, p.y, several_bodies=bool(self.bodies))
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

    def eruption_particles(self, e, wind: tuple[float, float]):
        """Eruption e's particles at this tick; several views of one tick (a shared world) compute them once."""
        key = (self.s.tick, e.uid)
        if self._particles is None or self._particles[0] != key:
            self._particles = (key, e.particles(self.s.tick, wind))
        return self._particles[1]

    def _lava_overlay(self, c, h, col, mat, heat) -> bool:
        e = self.active_eruption()
        return e is not None and e.overlay(c, h, col, mat, heat)

    def erupt(self, strength: float):
        """Start an eruption of this world's volcano; returns undo. ValueError changes nothing."""
        if self.active_eruption() is not None:
            raise ValueError("the volcano is already erupting")
        if not self.recipe.terrain.volcano:
            raise ValueError("this world has no volcano")
        if len(self.eruptions) >= MAX_ERUPTIONS:
            raise ValueError(f"this world has had {MAX_ERUPTIONS} eruptions, its most; start a new world for more")
        s = self.s
        er = volcano.start(self.seed, self.new_uid(), s.tick, strength, EARTH_G * s.gravity, self.cache.heights)
        self.eruptions.append(er)
        b = er.crater_box()            # light the crater lake now
        self.cache.refresh(er.x0 + b[0], er.y0 + b[1], er.x0 + b[2], er.y0 + b[3])

        def undo():
            self.eruptions.remove(er)
            for k, t in enumerate(self.terrain_edits):
                if getattr(t, "uid", None) == er.uid and not isinstance(t, Shape):
                    del self.terrain_edits[k]
                    break
            x0, y0, x1, y1 = er.world_box()
            if x1 >= x0:
                self.cache.refresh(x0 - 1, y0 - 1, x1 + 1, y1 + 1, rebuild=True)
        return undo

    def end_eruption(self):
        """End the running eruption: emission stops now and the lava freezes within a few seconds. Returns undo."""
        er = self.active_eruption()
        if er is None or er.end_s < math.inf:
            raise ValueError("the volcano is not erupting")
        er.end(self.s.tick)

        def undo():
            er.end_s = math.inf
        return undo

    def new_uid(self) -> int:
        """The next id of a terrain edit or an eruption."""
        self.uid += 1
        return self.uid

    # ------------------------------------------------------------------------------------------ edits
    def apply(self, edit: dict) -> dict:
        """Validate, resolve and apply one typed edit (see edits.py); returns the resolved edit as logged, and its
        undo goes on the undo stack. ValueError changes nothing."""
        e = validate(edit)
        if len(self.log) >= MAX_LOG:
            raise ValueError(f"the edit log is full ({MAX_LOG} edits); start a new world to keep editing")
        if e["op"] == "undo":
            if not self.undo_stack:
                raise ValueError("nothing to undo")
            self.undo_stack.pop()()
            undo = None
        else:
            e, undo = ops.HANDLERS[e["op"]](self, e)
        self.log.append({"t": self.s.tick, "edit": e})
        if undo is not None:
            self.undo_stack.append(undo)
        return e

    def undo_depth(self) -> int:
        """How many changes `undo` can take back."""
        return len(self.undo_stack)

    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    def checkpoint(self) -> tuple[int, int]:
        """A point `rewind` can come back to: (undo steps, log entries) now."""
        return len(self.undo_stack), len(self.log)

    def rewind(self, point: tuple[int, int]) -> bool:
        """Undo every change made since `point` and forget its log entries (a bench puts a world back between
        cases; no time may have passed). False when changes from before the point were undone meanwhile."""
        n_undo, n_log = point
        while len(self.undo_stack) > n_undo:
            self.undo_stack.pop()()
        del self.log[n_log:]
        return len(self.undo_stack) >= n_undo

    # ------------------------------------------------------------------------------------------ who acts
    @property
    def player(self):
        """The body edits act for ("ahead", "here", teleports): the player, or in a shared world the member acting."""
        return self.s.player

    @property
    def frame_lock(self):
        """Held while a thread steps, edits or draws this world (the chunk loader yields to it)."""
        return self.cache.frame_lock

    @property
    def tick(self) -> int:
        """Fixed steps since the world began."""
        return self.s.tick

    @contextmanager
    def acting_as(self, body, look: tuple = (0.0, 0.0)):
        """Within the block, `body` is the player (with its pending look; None: the world's own player acts);
        yields a function returning the look still pending. Afterwards the previous body is back, no look pending."""
        prev = self.s.player
        if body is not None:
            self.s.player, self.pending_look = body, look
        try:
            yield lambda: self.pending_look
        finally:
            self.s.player, self.pending_look = prev, (0.0, 0.0)

    def anchor(self, body) -> None:
        """Make `body` the world's own player (the one its ring map and background loading follow)."""
        self.s.player = body

    # ------------------------------------------------------------------------------------------ the player
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
            sup, swim = physics.support_over(self.land.ground(p.x, p.y))
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

    def state(self) -> dict:
        """JSON-able summary: player, clock, weather, gravity, biome, events, entities near the player."""
        return present.state(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.cache.close()
        self.things.close()


def warm_up() -> None:
    """Compile (or load from numba's cache) every world kernel, so the first eruption or village does not stall."""
    from .lava import lava_step

    terrain.warm_up()
    k = np.zeros(1, np.uint64)
    z = np.zeros(1)
    characters.ambient(k, z, z, z + 1.0, np.ones(1, bool), 0.0)
    g = np.zeros((8, 8), np.float32)
    lava_step(g, g.copy(), g.copy(), g.copy(), g.copy(), g.copy(), np.array([8, 8, -1, -1], np.int64), 4, 4, 1, 0.1)
