"""A world's entities as a service (`world.things`): what is where (the cached array view of the loaded chunks and
the spawned things, characters' poses now, obstacles near a body, look seeds) and the three ways an edit changes
them (add, take away, direct). The data itself (`entities.Entities`: spawned, removed, overrides) is what share
codes carry; this is the one door to it from outside the world's own modules.
"""
import math
import zlib

import numpy as np

from . import characters
from .characters import Override
from .entities import Spawned, build_view, char_key, chunk_parts
from .kinds import ACTION_ID, ACTIONS, DRAWN_AS, KINDS
from .state import DT

GATHER = 20.0           # metres: obstacles gathered around the player's 8 m cell
SEED_MEMO_MAX = 200000  # look seeds remembered before the memo starts over


class Things:
    """Entity queries and changes of one World (it reads the world's chunks, clock and acting body)."""

    def __init__(self, world):
        self._w = world
        self.data = world.entities
        self._parts: dict = {}
        self._view = None
        self._view_key = None
        self._gather_key = None
        self._gathered = np.zeros((0, 3))
        self._gather_memo: dict = {}           # cell -> gathered statics, while several bodies move (shared worlds)
        self._seed_memo: dict = {}             # entity id -> look seed

    # ------------------------------------------------------------------------------------------ reading
    def view(self):
        """Array view of the entities in the loaded chunks (cached until the loaded set or an edit changes)."""
        w = self._w
        key = (w.cache.version, self.data.version)
        if key != self._view_key:
            ents = self.data
            parts = []
            for c in w.cache.loaded():
                got = self._parts.get((c.cx, c.cy))
                if got is None or got[0] is not c or got[1] != ents.removed_rev:
                    got = (c, ents.removed_rev, chunk_parts(w.seed, c, ents.removed))
                    self._parts[(c.cx, c.cy)] = got
                parts.append(got[2])
            if len(self._parts) > 2 * len(parts) + 64:
                live = w.cache.held()
                self._parts = {k: v for k, v in self._parts.items() if k in live}
            self._view = build_view(w.seed, parts, ents, w.cache.ring.height, w.cache.held())
            self._view_key = key
            self._gather_key = None
            self._gather_memo = {}
        return self._view

    def char_states(self, rows: np.ndarray | None = None):
        """Current (x, y, heading, action id, phase) of loaded characters (all, or the given rows)."""
        v = self.view()
        tick = self._w.tick
        rows = np.arange(len(v.c_ids)) if rows is None else rows
        t = tick * DT
        home = v.c_home[rows]
        ovs = self.data.overrides
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
                    p = self._w.player
                    near = math.hypot(p.x - o.x, p.y - o.y) <= characters.FOLLOW_GAP + 0.05
                    act[k] = ACTION_ID["idle"] if near else ACTION_ID["follow"]
                elif o.action == "flee":      # runs (drawn walking) until far enough, then stands
                    x[k], y[k], running = characters.flee_pos(o, tick)
                    act[k] = ACTION_ID["walk"] if running else ACTION_ID["idle"]
                else:
                    act[k] = ACTION_ID[DRAWN_AS.get(o.action, o.action)]
                ph[k] = (tick - o.tick0) * DT
        return x, y, hd, act, ph

    def with_overridden(self, v, rows: np.ndarray) -> np.ndarray:
        """`rows` of the view's characters plus those with an override (commanded ones may be anywhere)."""
        ovs = self.data.overrides
        if not ovs:
            return rows
        extra = [v.c_index[i] for i in ovs if i in v.c_index]
        return np.union1d(rows, np.array(extra, np.int64))

    def obstacles(self, x: float, y: float, several_bodies: bool) -> np.ndarray:
        """Circles (x, y, r) that can touch a body at (x, y) this step: statics near its 8 m cell, characters near
        it. With several bodies taking turns, each one's cell is kept until the view changes."""
        v = self.view()
        key = (math.floor(x / 8), math.floor(y / 8))
        if key != self._gather_key:
            got = self._gather_memo.get(key)
            if got is None:
                cx, cy = key[0] * 8 + 4, key[1] * 8 + 4
                d2 = (v.s_xyz[:, 0] - cx) ** 2 + (v.s_xyz[:, 1] - cy) ** 2
                near = d2 < GATHER * GATHER
                got = np.stack([v.s_xyz[near, 0], v.s_xyz[near, 1], v.s_radius[near]], 1).astype(np.float64)
                if several_bodies:
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

    def near(self, x: float, y: float, r: float, kinds=None) -> list:
        """[(distance, id, kind, x, y, radius, action)] of entities within r metres of (x, y), nearest first."""
        self._w.cache.ensure_near(x, y, r + 2 * characters.MAX_WANDER)
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
            ovs = self.data.overrides
            for k in np.flatnonzero(dc <= r):
                kind = KINDS[v.c_kind[k]]
                if kinds is None or kind in kinds:
                    o = ovs.get(v.c_ids[k])
                    action = o.action if o is not None and o.action != "walk" else ACTIONS[act[k]]
                    out.append((float(dc[k]), v.c_ids[k], kind, float(cx[k]), float(cy[k]), float(v.c_radius[k]),
                                action))
        out.sort(key=lambda e: (e[0], e[1]))
        return out

    def pose(self, ident: str):
        """(x, y, heading) of a live character anywhere (the same numbers the loaded view computes), or None."""
        kind = self.kind(ident)
        if kind not in characters.WANDER:
            return None
        tick = self._w.tick
        o = self.data.overrides.get(ident)
        if o is not None and o.action == "flee":
            return (*characters.flee_pos(o, tick)[:2], o.heading)
        if o is not None and o.action != "walk":
            return o.x, o.y, o.heading
        e = self.data.spawned.get(ident)
        if e is not None:
            hx, hy = e.x, e.y
        else:
            cx, cy, k = (int(q) for q in ident.split(":"))
            c = self._w.cache.get(cx, cy)
            hx, hy = (float(v) for v in c.xyz[k, :2].astype(np.float64))
        if o is not None:
            hx, hy = hx + o.dhx, hy + o.dhy
        x, y, hd, _, _ = characters.ambient(np.array([char_key(self._w.seed, ident)], np.uint64), np.array([hx]),
                                            np.array([hy]), np.array([characters.WANDER[kind]]),
                                            np.array([kind == "villager"]), tick * DT)
        return float(x[0]), float(y[0]), float(hd[0])

    def kind(self, ident: str) -> str | None:
        """Kind of a live entity (spawned, or generated and neither removed nor buried), else None."""
        e = self.data.spawned.get(ident)
        if e is not None:
            return e.kind
        if ident in self.data.removed:
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
        c = self._w.cache.get(cx, cy)
        if not 0 <= k < len(c.ids) or not c.alive[k]:
            return None
        return KINDS[c.kind[k]]

    def look_seeds(self, v) -> tuple[np.ndarray, np.ndarray]:
        """Per-entity look seeds (crc32 of the id, so a look never depends on the entity's row), per view."""
        if getattr(v, "_seeds", None) is None:
            memo = self._seed_memo
            if len(memo) > SEED_MEMO_MAX:
                memo.clear()
            out = []
            for ids in (v.s_ids, v.c_ids):
                a = np.empty(len(ids), np.int32)
                for k, i in enumerate(ids):
                    got = memo.get(i)
                    if got is None:
                        got = memo[i] = zlib.crc32(i.encode()) & 0x7FFFFFFF
                    a[k] = got
                out.append(a)
            v._seeds = tuple(out)
        return v._seeds

    def spawned_count(self) -> int:
        return len(self.data.spawned)

    def spawned_ids(self) -> set:
        return set(self.data.spawned)

    def ids_given(self) -> int:
        """How many ids spawning has handed out (never reused): seeds where the next things go."""
        return self.data.counter

    def commanded(self) -> dict:
        """id -> action of every character told to do something."""
        return {i: o.action for i, o in self.data.overrides.items()}

    # ------------------------------------------------------------------------------------------ changing
    def add(self, kind: str, points: list) -> tuple[list, object]:
        """Spawn one `kind` at each [x, y]; returns (new ids, undo)."""
        ents = self.data
        ids = []
        for x, y in points:
            ident = ents.new_id()
            ents.spawned[ident] = Spawned(ident, kind, x, y)
            ids.append(ident)
        ents.version += 1

        def undo():
            for i in ids:
                ents.spawned.pop(i, None)
                ents.overrides.pop(i, None)
            ents.version += 1            # the counter stays: an id is never given to two different things
        return ids, undo

    def take_away(self, targets: list):
        """Remove these live entities (spawned ones are forgotten, generated ones marked removed); returns undo."""
        ents = self.data
        gone = {t: ents.spawned.pop(t) for t in targets if t in ents.spawned}
        generated = [t for t in targets if t not in gone]
        ents.removed.update(generated)
        overrides = {t: ents.overrides.pop(t) for t in targets if t in ents.overrides}
        ents.version += 1
        ents.removed_rev += 1

        def undo():
            ents.spawned.update(gone)
            ents.spawned = dict(sorted(ents.spawned.items(), key=lambda kv: int(kv[0][1:])))
            ents.removed.difference_update(generated)
            ents.overrides.update(overrides)
            ents.version += 1
            ents.removed_rev += 1
        return undo

    def direct(self, action: str, targets: list, at: list):
        """Set each target character's action from [x, y, heading] now; "walk" wanders on from there. Returns
        undo."""
        ents, tick = self.data, self._w.tick
        before = {t: ents.overrides.get(t) for t in targets}
        for t, (x, y, hd) in zip(targets, at, strict=True):
            o = Override(action, tick, x, y, hd)
            if action == "walk":     # wander on from here: shift home so the wander path passes through (x, y)
                ents.overrides.pop(t, None)
                ax, ay, _ = self.pose(t)
                o.dhx, o.dhy = x - ax, y - ay
            ents.overrides[t] = o

        def undo():
            for t, o in before.items():
                if o is None:
                    ents.overrides.pop(t, None)
                else:
                    ents.overrides[t] = o
        return undo

    def close(self) -> None:
        self._parts.clear()
        self._view = None
