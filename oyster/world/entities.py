"""Entities: what edits changed (spawned, removed, character overrides) and the array view of everything loaded.

Generated objects live in their chunks (ids "cx:cy:k"); spawned ones here (ids "s1", "s2", ...). The View joins the
loaded chunks' objects and the spawned ones into flat arrays, rebuilt only when the loaded set or an edit changes
them, so per-frame work is a few numpy operations however many trees there are.
"""
import math
import zlib
from dataclasses import dataclass, field

import numpy as np

from . import terrain
from .characters import WANDER
from .kinds import CHARACTER_KINDS, KIND_ID, KINDS
from .scene import CHUNK, MAP_MASK
from .state import mix64

RADIUS = terrain.OBJ_RADIUS   # collision radius per kind at scale 1, metres


@dataclass
class Spawned:
    id: str
    kind: str
    x: float
    y: float
    scale: float = 1.0

    @property
    def radius(self) -> float:
        return RADIUS[self.kind] * self.scale


@dataclass
class Entities:
    seed: int
    spawned: dict = field(default_factory=dict)     # id -> Spawned, in spawn order
    removed: set = field(default_factory=set)       # ids of generated objects taken away
    overrides: dict = field(default_factory=dict)   # character id -> Override
    counter: int = 0                                # spawned so far (ids never reused)
    version: int = 0                                # bumps on any change the View must see
    removed_rev: int = 0                            # bumps when `removed` changes (per-chunk parts must redo)

    def new_id(self) -> str:
        self.counter += 1
        return f"s{self.counter}"


def char_key(seed: int, ident: str) -> int:
    return mix64(seed, zlib.crc32(ident.encode()), 0xC4A2)


@dataclass
class View:
    """Flat arrays of the loaded entities: statics (s_*) and characters (c_*)."""
    s_ids: list
    s_kind: np.ndarray      # (N,) int32
    s_xyz: np.ndarray       # (N, 3) float32
    s_radius: np.ndarray    # (N,) float32
    s_scale: np.ndarray     # (N,) float32
    c_ids: list
    c_kind: np.ndarray      # (C,) int32
    c_home: np.ndarray      # (C, 2) float64 metres
    c_keys: np.ndarray      # (C,) uint64
    c_radius: np.ndarray    # (C,) float32
    c_scale: np.ndarray     # (C,) float32
    c_wander: np.ndarray    # (C,) float64 metres
    c_villager: np.ndarray  # (C,) bool
    c_index: dict           # id -> row


def chunk_parts(seed: int, c, removed: set) -> tuple:
    """(static part, character part) of one loaded chunk: the rows not removed and not buried by lava."""
    keep = c.alive.copy()
    if removed:
        keep &= np.array([i not in removed for i in c.ids], bool).reshape(-1)
    st, ch = keep & ~c.is_char, keep & c.is_char
    s_part = ([c.ids[k] for k in np.flatnonzero(st)], c.kind[st], c.xyz[st], c.radius[st], c.scale[st]) \
        if st.any() else None
    c_part = None
    if ch.any():
        ids = [c.ids[k] for k in np.flatnonzero(ch)]
        c_part = (ids, c.kind[ch], c.xyz[ch, :2].astype(np.float64), c.radius[ch], c.scale[ch],
                  np.array([char_key(seed, i) for i in ids], np.uint64))
    return s_part, c_part


def build_view(seed: int, parts: list, ents: Entities, ring_height: np.ndarray, held: set) -> View:
    """Join the loaded chunks' parts and the spawned entities standing in a loaded chunk (`held` (cx, cy)) into a
    View."""
    s_parts = [p[0] for p in parts if p[0] is not None]
    c_parts = [p[1] for p in parts if p[1] is not None]
    for e in ents.spawned.values():
        if (math.floor(e.x / CHUNK), math.floor(e.y / CHUNK)) not in held:
            continue
        kid = np.array([KIND_ID[e.kind]], np.int32)
        if e.kind in CHARACTER_KINDS:
            c_parts.append(([e.id], kid, np.array([[e.x, e.y]]), np.array([e.radius], np.float32),
                            np.array([e.scale], np.float32), np.array([char_key(seed, e.id)], np.uint64)))
        else:
            z = ring_height[int(np.floor(e.y)) & MAP_MASK, int(np.floor(e.x)) & MAP_MASK]
            s_parts.append(([e.id], kid, np.array([[e.x, e.y, z]], np.float32), np.array([e.radius], np.float32),
                            np.array([e.scale], np.float32)))
    s = _cat(s_parts, 3, 5)
    c = _cat(c_parts, 2, 6)
    c_kind = c[1]
    names = np.array(KINDS)
    wander = np.array([WANDER.get(str(k), 5.0) for k in names[c_kind]], np.float64) if len(c_kind) else np.zeros(0)
    return View(s[0], s[1], s[2], s[3], s[4], c[0], c_kind, c[2].astype(np.float64), c[5].astype(np.uint64), c[3],
                c[4], wander, c_kind == KIND_ID["villager"], {i: k for k, i in enumerate(c[0])})


def _cat(parts: list, width: int, n: int):
    if not parts:
        empty = ([], np.zeros(0, np.int32), np.zeros((0, width), np.float32), np.zeros(0, np.float32),
                 np.zeros(0, np.float32), np.zeros(0, np.uint64))
        return empty[:n]
    ids = [i for p in parts for i in p[0]]
    return (ids,) + tuple(np.concatenate([p[k] for p in parts]) for k in range(1, n))
