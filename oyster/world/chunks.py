"""Chunk cache: a bounded LRU of generated-and-edited chunks that keeps the renderer's ring map filled.

Chunks come from terrain.generate_chunk (a pure function of seed and chunk) plus every overlapping terrain edit in
log order, so a chunk evicted and rebuilt is bit-identical. A background thread generates chunks ahead of the
player (the numba generator releases the GIL); whatever is still missing when a step needs it is generated
synchronously, so frames never depend on thread timing.
"""
import math
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import terrain
from .kinds import CHARACTER_KINDS, KIND_ID
from .recipe import DEFAULT, WorldRecipe
from .scene import CHUNK, DRAW_DISTANCE, MAP_MASK, MAP_SIZE, RingMap
from .sculpt import apply_edits, overlaps, paint_rock

LOAD_RADIUS = DRAW_DISTANCE + 16.0     # metres; the square of chunks kept in the ring (<= 16 chunks a side)
PREFETCH_MARGIN = 1                    # extra chunks around the loaded square generated in the background
SLOTS = MAP_SIZE // CHUNK
PARALLEL_MIN = 8                       # missing chunks at once from which generation fans out over cores
PARALLEL_WORKERS = 8
STALE_WRITES = 24                      # chunks of a new recipe written into the ring map per frame at most
STALE_SYNC = 1                         # chunks of a new recipe generated per frame on the frame's own thread
YIELD_S = 0.0005                       # seconds the background thread pauses after each chunk (see _run)
_NO_HEAT = np.zeros((CHUNK, CHUNK), np.float32)
_CHAR_IDS = np.array([KIND_ID[k] for k in CHARACTER_KINDS], np.int32)
assert math.floor(2 * LOAD_RADIUS / CHUNK) + 1 <= SLOTS, "loaded square must fit in the ring map"


@dataclass
class Chunk:
    """A chunk with terrain edits applied, plus its objects as arrays (row k is object id f'{cx}:{cy}:{k}')."""
    cx: int
    cy: int
    height: np.ndarray      # (CHUNK, CHUNK) float32
    color: np.ndarray       # (CHUNK, CHUNK, 3) uint8
    material: np.ndarray    # (CHUNK, CHUNK) uint8
    biome: np.ndarray       # (CHUNK, CHUNK) uint8
    ids: list               # object ids (str)
    kind: np.ndarray        # (N,) int32 kinds.KINDS index
    xyz: np.ndarray         # (N, 3) float32 feet position (z follows edited ground)
    radius: np.ndarray      # (N,) float32 collision radius, metres
    scale: np.ndarray       # (N,) float32
    alive: np.ndarray       # (N,) bool: False where cooled lava buried the object
    is_char: np.ndarray     # (N,) bool: villager / animal
    raw: object = None      # the generated terrain.ChunkData this was built from
    heat: np.ndarray | None = None   # (CHUNK, CHUNK) float32 glow of the recipe's lava flows, or None


# Unedited chunks are pure functions of (seed, cx, cy) and never mutated, so every world of a seed shares them:
# a second session, a share-code restore or a test's twin world then costs almost no generation.
SHARED_CAPACITY = 1024
_shared: OrderedDict = OrderedDict()      # (seed, recipe key, cx, cy) -> unedited Chunk
_shared_lock = threading.Lock()


def base_chunk(seed: int, cx: int, cy: int, recipe: WorldRecipe = DEFAULT) -> tuple:
    """(unedited chunk, True if it had to be generated now) from the process-wide cache."""
    key = (seed, recipe.key(), cx, cy)
    with _shared_lock:
        c = _shared.get(key)
        if c is not None:
            _shared.move_to_end(key)
            return c, False
    c = build_chunk(seed, terrain.generate_chunk(seed, cx, cy, recipe), [], recipe)
    with _shared_lock:
        _shared[key] = c
        while len(_shared) > SHARED_CAPACITY:
            _shared.popitem(last=False)
    return c, True


def forget_shared(seed: int) -> None:
    """Drop a seed's chunks from the shared cache (tests use it to force real regeneration)."""
    with _shared_lock:
        for k in [k for k in _shared if k[0] == seed]:
            del _shared[k]


def chunk_range(x: float, y: float, r: float = LOAD_RADIUS) -> tuple[int, int, int, int]:
    """Inclusive chunk index bounds (cx0, cx1, cy0, cy1) of the square of half-side r around (x, y)."""
    return (math.floor((x - r) / CHUNK), math.floor((x + r) / CHUNK),
            math.floor((y - r) / CHUNK), math.floor((y + r) / CHUNK))


def build_chunk(seed: int, raw, edits: list, recipe: WorldRecipe = DEFAULT) -> Chunk:
    """Final chunk = generated chunk + terrain edits that overlap it (in log order)."""
    cx, cy = raw.cx, raw.cy
    x0, y0 = cx * CHUNK, cy * CHUNK
    height, color, material = raw.height, raw.color, raw.material
    rock = None
    mine = [e for e in edits if overlaps(e, x0, y0, CHUNK, CHUNK)]
    if mine:
        height, rock = apply_edits(raw.height, x0, y0, mine)
        color, material = terrain.recolor(seed, cx, cy, height, recipe)
        paint_rock(color, material, rock)
    objs = raw.objects
    n = len(objs)
    kind = np.array([KIND_ID[o.kind] for o in objs], np.int32).reshape(n)
    xyz = np.array([(o.x, o.y, o.z) for o in objs], np.float32).reshape(n, 3)
    alive = np.ones(n, bool)
    if mine and n:
        ix = np.clip(xyz[:, 0].astype(np.int64) - x0, 0, CHUNK - 1)
        iy = np.clip(xyz[:, 1].astype(np.int64) - y0, 0, CHUNK - 1)
        xyz[:, 2] = height[iy, ix]
        if rock is not None:
            alive = ~rock[iy, ix]
    return Chunk(cx, cy, height, color, material, raw.biome, [o.id for o in objs], kind, xyz,
                 np.array([o.radius for o in objs], np.float32).reshape(n),
                 np.array([o.scale for o in objs], np.float32).reshape(n), alive, np.isin(kind, _CHAR_IDS), raw,
                 raw.heat if raw.heat is not None and material is raw.material else None)


class ChunkCache:
    def __init__(self, seed: int, edits: list, capacity: int = 640, background: bool = True,
                 recipe: WorldRecipe = DEFAULT):
        self.seed = seed
        self.recipe = recipe
        self.edits = edits                       # the world's terrain edits (shared list, log order)
        self.capacity = capacity
        self.ring = RingMap()
        # callables(chunk, h, c, m, heat) -> bool drawing over a chunk's layers (flowing lava); called with
        # h=None first to ask whether they touch the chunk at all
        self.overlays = []
        self.version = 0                         # bumps whenever the set or content of loaded chunks changes
        self._lru: OrderedDict = OrderedDict()   # (cx, cy) -> Chunk
        self._slots: dict = {}                   # (cx & 15, cy & 15) -> (cx, cy) written there
        self._shown: dict = {}                   # (cx & 15, cy & 15) -> the Chunk written there
        self._stale: set = set()                 # slots still showing the previous recipe's chunk
        self._stale_asked = False
        self._range = None
        self._intact = True                      # False once ensure_near overwrote a slot of the loaded square
        self._lock = threading.Lock()
        # held by the owner while it makes a frame: the background thread generates only between frames, so its
        # Python parts never make a frame wait for the GIL (on two cores that wait was up to 5 ms)
        self.frame_lock = threading.RLock()
        self._wanted: list = []
        self._stop = False
        self._wake = threading.Event()
        self._thread = None
        self._background = background
        self.generated = 0                       # chunks generated synchronously (for tests and stats)
        self.writes = 0                          # chunk writes into the ring map (for tests and stats)

    # ------------------------------------------------------------------------------------------ lookup
    def get(self, cx: int, cy: int) -> Chunk:
        key = (cx, cy)
        c = self._lru.get(key)
        if c is not None:
            self._lru.move_to_end(key)
            return c
        c, fresh = base_chunk(self.seed, cx, cy, self.recipe)
        self.generated += fresh
        x0, y0 = cx * CHUNK, cy * CHUNK
        if any(overlaps(e, x0, y0, CHUNK, CHUNK) for e in self.edits):
            c = build_chunk(self.seed, c.raw, self.edits, self.recipe)
        self._lru[key] = c
        while len(self._lru) > self.capacity:
            self._lru.popitem(last=False)
        return c

    def cached(self, cx: int, cy: int) -> bool:
        return (cx, cy) in self._lru

    def loaded(self) -> list:
        """Chunks currently written into the ring map: everything within LOAD_RADIUS of the last ensure point,
        plus whatever an ensure_near or an older range left in the other slots (in slot order)."""
        return [self._shown[k] for k in sorted(self._slots)]

    def held(self) -> set:
        """(cx, cy) of the chunks currently written into the ring map."""
        return set(self._slots.values())

    def covers(self, x: float, y: float, r: float) -> bool:
        """True if every chunk within r of (x, y) is written into the ring map."""
        cx0, cx1, cy0, cy1 = chunk_range(x, y, r)
        sl = self._slots
        return all(sl.get((cx & (SLOTS - 1), cy & (SLOTS - 1))) == (cx, cy)
                   for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1))

    def ensure_near(self, x: float, y: float, r: float) -> bool:
        """Write only the chunks within r of (x, y) that the ring map lacks (physics and nearby queries), leaving
        the rest where the last full `ensure` (perhaps around a far camera) put it. Returns True if any changed."""
        cx0, cx1, cy0, cy1 = chunk_range(x, y, r)
        changed = False
        for cy in range(cy0, cy1 + 1):
            for cx in range(cx0, cx1 + 1):
                if self._slots.get((cx & (SLOTS - 1), cy & (SLOTS - 1))) != (cx, cy):
                    self._write(self.get(cx, cy))
                    changed = True
                    rg = self._range
                    if rg is not None and not (rg[0] <= cx <= rg[1] and rg[2] <= cy <= rg[3]):
                        self._intact = False      # it took a slot of the loaded square
        if changed:
            self.version += 1
        return changed

    # ------------------------------------------------------------------------------------------ ring map
    def ensure(self, x: float, y: float) -> bool:
        """Fill the ring map with every chunk within LOAD_RADIUS of (x, y); returns True if anything changed."""
        rng = chunk_range(x, y)
        if self._stale:
            return self._renew_stale(x, y)
        if rng == self._range and self._intact:
            return False                          # every slot of an unchanged range is already written
        self._intact = True
        changed = False
        if rng != self._range:
            self._range = rng
            self._request_prefetch(x, y)
            changed = True
        cx0, cx1, cy0, cy1 = rng
        self._generate_many([(cx, cy) for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1)
                             if self._slots.get((cx & (SLOTS - 1), cy & (SLOTS - 1))) != (cx, cy)])
        for cy in range(cy0, cy1 + 1):
            for cx in range(cx0, cx1 + 1):
                if self._slots.get((cx & (SLOTS - 1), cy & (SLOTS - 1))) != (cx, cy):
                    self._write(self.get(cx, cy))
                    changed = True
                elif changed and (cx, cy) in self._lru:
                    self._lru.move_to_end((cx, cy))      # loaded chunks stay the most recently used
        if changed:
            self.version += 1
        return changed

    def _generate_many(self, keys: list) -> None:
        """Generate the missing ones of many chunks on all cores at once (a new world's first frame, a teleport):
        the numba generator releases the GIL, so threads run it in parallel."""
        rk = self.recipe.key()
        todo = [k for k in keys if k not in self._lru and (self.seed, rk) + k not in _shared]
        if len(todo) < PARALLEL_MIN:
            return
        workers = min(PARALLEL_WORKERS, os.cpu_count() or 1)
        if workers < 2:
            return
        with ThreadPoolExecutor(workers, thread_name_prefix="oyster-gen") as pool:
            made = list(pool.map(lambda k: base_chunk(self.seed, k[0], k[1], self.recipe)[1], todo))
        self.generated += sum(made)

    def _write(self, c: Chunk) -> None:
        sx, sy = (c.cx * CHUNK) & MAP_MASK, (c.cy * CHUNK) & MAP_MASK
        h, col, mat = c.height, c.color, c.material
        heat = _NO_HEAT if c.heat is None else c.heat
        active = [fn for fn in self.overlays if fn(c, None, None, None, None)]
        if active:
            h, col, mat, heat = h.copy(), col.copy(), mat.copy(), heat.copy()
            for fn in active:
                fn(c, h, col, mat, heat)
        r = self.ring
        r.height[sy:sy + CHUNK, sx:sx + CHUNK] = h
        r.color[sy:sy + CHUNK, sx:sx + CHUNK] = col
        r.material[sy:sy + CHUNK, sx:sx + CHUNK] = mat
        r.heat[sy:sy + CHUNK, sx:sx + CHUNK] = heat
        r.slot_max[(c.cy & (SLOTS - 1)), (c.cx & (SLOTS - 1))] = h.max()
        self.writes += 1
        k = (c.cx & (SLOTS - 1), c.cy & (SLOTS - 1))
        self._slots[k] = (c.cx, c.cy)
        self._shown[k] = c
        self._stale.discard(k)

    def refresh(self, x0: float, y0: float, x1: float, y1: float, rebuild: bool = False) -> None:
        """Rewrite loaded chunks overlapping the box (after an overlay changed); rebuild=True re-applies edits."""
        cxa, cxb = math.floor(x0 / CHUNK), math.floor(x1 / CHUNK)
        cya, cyb = math.floor(y0 / CHUNK), math.floor(y1 / CHUNK)
        for cy in range(cya, cyb + 1):
            for cx in range(cxa, cxb + 1):
                if rebuild:
                    self._lru.pop((cx, cy), None)
                if self._slots.get((cx & (SLOTS - 1), cy & (SLOTS - 1))) == (cx, cy):
                    self._write(self.get(cx, cy))
        if rebuild:
            self.version += 1         # objects may have changed (buried by rock, moved with the ground)

    def heights(self, x0: int, y0: int, w: int, h: int) -> np.ndarray:
        """Edited terrain heights of a rectangle of cells (generating chunks as needed), float32 (h, w)."""
        out = np.empty((h, w), np.float32)
        for cy in range(math.floor(y0 / CHUNK), math.floor((y0 + h - 1) / CHUNK) + 1):
            for cx in range(math.floor(x0 / CHUNK), math.floor((x0 + w - 1) / CHUNK) + 1):
                c = self.get(cx, cy)
                ax, ay = max(x0, cx * CHUNK), max(y0, cy * CHUNK)
                bx, by = min(x0 + w, cx * CHUNK + CHUNK), min(y0 + h, cy * CHUNK + CHUNK)
                out[ay - y0:by - y0, ax - x0:bx - x0] = c.height[ay - cy * CHUNK:by - cy * CHUNK,
                                                                 ax - cx * CHUNK:bx - cx * CHUNK]
        return out

    def unload_ring(self) -> None:
        """Forget which chunks the ring map holds, so edits stop rewriting it until the next `ensure` refills it
        (a share-code replay applies many edits and needs the ring only at the end)."""
        self._slots.clear()
        self._range = None

    def evict_all(self) -> None:
        """Drop every cached chunk, shared ones included, and forget the ring (tests prove rebuilds are exact)."""
        self._lru.clear()
        self._slots.clear()
        self._shown.clear()
        self._stale.clear()
        self._range = None
        forget_shared(self.seed)

    def renewing(self) -> bool:
        """Some loaded chunks still show the previous recipe (a recipe edit is being rolled out)."""
        return bool(self._stale)

    def set_recipe(self, recipe: WorldRecipe, near: tuple | None = None) -> None:
        """Switch to another recipe: cached chunks are dropped and the ring map is rewritten on the next ensure
        (chunks of a recipe seen before come back from the shared cache at once)."""
        with self._lock:
            self.recipe = recipe
            self._wanted = []
        self._lru.clear()
        self._stale = set(self._slots)
        self._stale_asked = False
        self.version += 1
        if near is not None and self._stale:        # start the background work now, not on the next frame
            self._range = chunk_range(*near)
            self._request_prefetch(*near)
            self._stale_asked = True

    def _renew_stale(self, x: float, y: float) -> bool:
        """Rewrite, nearest first, the slots that still show the previous recipe: every chunk the background
        thread has made is written now, plus at most STALE_SYNC generated here, so a recipe change costs no frame
        more than a few milliseconds and the new world grows outwards from the player."""
        if not self._stale_asked:
            self._range = chunk_range(x, y)
            self._request_prefetch(x, y)
            self._stale_asked = True
        key = self.recipe.key()
        order = sorted(self._stale, key=lambda k: (self._slots[k][0] * CHUNK + CHUNK / 2 - x) ** 2
                       + (self._slots[k][1] * CHUNK + CHUNK / 2 - y) ** 2)
        made = written = 0
        for k in order:
            if written >= STALE_WRITES and self._background:
                break
            cx, cy = self._slots[k]
            ready = (cx, cy) in self._lru or (self.seed, key, cx, cy) in _shared
            if not ready:
                if made >= STALE_SYNC and self._background:
                    continue
                made += 1
            self._write(self.get(cx, cy))
            written += 1
        if written:
            self.version += 1
        if not self._stale:
            self._intact = False      # the next ensure also fills whatever the range now lacks
        return True

    # ------------------------------------------------------------------------------------------ background
    def _request_prefetch(self, x: float, y: float) -> None:
        if not self._background:
            return
        cx0, cx1, cy0, cy1 = chunk_range(x, y, LOAD_RADIUS + PREFETCH_MARGIN * CHUNK)
        pcx, pcy = x / CHUNK, y / CHUNK
        want = [(cx, cy) for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1)
                if (cx, cy) not in self._lru and (self.seed, self.recipe.key(), cx, cy) not in _shared]
        want.sort(key=lambda k: (k[0] + 0.5 - pcx) ** 2 + (k[1] + 0.5 - pcy) ** 2)
        with self._lock:
            self._wanted = want
            if self._thread is None and not self._stop:
                self._thread = threading.Thread(target=self._run, name="oyster-chunks", daemon=True)
                self._thread.start()
        self._wake.set()

    def _next_wanted(self):
        with self._lock:
            while self._wanted:
                k = self._wanted.pop(0)
                if k not in self._lru and (self.seed, self.recipe.key()) + k not in _shared:
                    return k
        return None

    def _run(self) -> None:
        idle = 0
        while not self._stop:
            key = self._next_wanted()
            if key is None:
                if self._wake.wait(0.5):
                    idle = 0
                else:
                    idle += 1
                self._wake.clear()
                if idle >= 10:       # quiet for 5 s: end, so an abandoned session's cache can be collected
                    with self._lock:
                        self._thread = None
                    return
                continue
            idle = 0
            with self.frame_lock:
                base_chunk(self.seed, key[0], key[1], self.recipe)
            # Python's lock is not fair: re-taking it at once could keep a waiting frame out for a whole ring of
            # chunks (seen: 750 ms after a recipe change). A short pause hands it to the frame thread first.
            time.sleep(YIELD_S)

    def pump(self, x: float, y: float, budget: int = 1) -> int:
        """Generate up to `budget` wanted chunks on the caller's thread, but only those the player at (x, y) will
        need within half a chunk of walking: frames that come back to back leave the background thread no gap,
        and this spreads the next row over several frames instead of one stall at the chunk border."""
        done = 0
        reach = LOAD_RADIUS + CHUNK * 0.5
        while done < budget:
            key = None
            with self._lock:
                for n, (cx, cy) in enumerate(self._wanted):
                    if max(abs((cx + 0.5) * CHUNK - x), abs((cy + 0.5) * CHUNK - y)) - CHUNK * 0.5 <= reach:
                        key = self._wanted.pop(n)
                        break
            if key is None:
                break
            if key not in self._lru and (self.seed, self.recipe.key()) + key not in _shared:
                base_chunk(self.seed, key[0], key[1], self.recipe)
                done += 1
        return done

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        t = self._thread
        if t is not None:
            t.join(timeout=2.0)
            self._thread = None
        self._lru.clear()
