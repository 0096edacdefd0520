"""Party: one authoritative shared world and the people in it. It owns the one tick (every body moved by its own
player's keys, then clock, weather, characters and eruptions once), attributes edits, keeps the shared chat, the
per-player undo and the per-player edit budget.

Time is driven by the players: each member has its own clock of world seconds it has stepped to; the world runs
to the newest of them, so 8 players stepping at 30 fps advance it at 30 fps, not 8x, and a headless script that
steps 30 frames moves it on by one second. Everything here runs under `lock` (the world's frame lock).
"""
import math
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field

from oyster.direct.interpreter import Interpreter
from oyster.direct.result import CommandResult
from oyster.language.restyle import restyle
from oyster.world import persist
from oyster.world.chunks import SLOTS, chunk_range
from oyster.world.state import EYE_HEIGHT, Player

from .names import clean_name

MAX_PLAYERS = 8         # bodies in one world; more people can watch
MAX_WATCHERS = 32
HELD_TTL = 0.5          # world seconds: a member who stops stepping (closed tab) stops walking
MAX_BEHIND = 0.25       # world seconds a slow member may lag before it is caught up (it then only draws)
EDIT_BURST = 10         # edits a player may make at once ...
EDIT_RATE = 1.0         # ... refilled at this many per world second
CHAT_LINES = 200
CHAT_CHARS = 300
JOIN_GAP = 2.0          # metres between a joiner and the body it appears next to


class PartyFull(ValueError):
    """No room for another player (or watcher) in this world."""


@dataclass
class Member:
    pid: str
    name: str
    body: Player | None          # None: a watcher (a camera, no body, no edits)
    held: frozenset = frozenset()
    look: tuple = (0.0, 0.0)     # analog look not yet applied by a fixed step
    t: float = 0.0               # world seconds this member has stepped to
    seen: float = 0.0            # party time of its last step (held keys expire after HELD_TTL)
    tokens: float = EDIT_BURST
    refilled: float = 0.0
    direct: object = None        # its own Direct-mode interpreter: "him" means what this player spoke about
    filled: tuple = ()           # (chunk ranges, ring writes) when its view was last filled

    @property
    def watching(self) -> bool:
        return self.body is None


@dataclass
class Change:
    """One edit that pushed an undo step (kept parallel to world.undo_stack)."""
    pid: str | None              # None: a compensating edit (nobody's to undo)
    edit: dict
    before: dict = field(default_factory=dict)
    taken_back: bool = False


@dataclass
class ChatLine:
    pid: str | None              # who said it, or whose command the world answers; None for system notes
    name: str
    kind: str                    # said | world | system
    text: str


class Party:
    def __init__(self, world, prompt: str = ""):
        self.world, self.prompt = world, prompt
        self.lock = world.frame_lock
        self.members: dict[str, Member] = {}
        self.t = 0.0                              # party time: the newest member clock
        self.changes: list[Change] = [Change(None, {}) for _ in range(world.undo_depth())]
        self.chat: deque[ChatLine] = deque(maxlen=CHAT_LINES)
        self.leaders: dict[str, str] = {}         # follower id -> pid of the player it follows
        self.code = ""                            # invite code, set by the registry
        self.ended = False
        self.final_code = ""                      # share code taken as the last one left
        self.on_end: list = []                    # callables(party) run once when it ends
        self._free_body = world.player            # the first player takes the world's own body
        self._count = 0

    # ------------------------------------------------------------------------------------------ people
    def players(self) -> list[Member]:
        return [m for m in self.members.values() if not m.watching]

    def join(self, name: str = "", watch: bool = False) -> Member:
        """A new player (or watcher) in the world as it is now; PartyFull or ValueError changes nothing."""
        with self.lock:
            self._live()
            if not watch and len(self.players()) >= MAX_PLAYERS:
                raise PartyFull(f"this world already has {MAX_PLAYERS} players; you can join as a watcher")
            if watch and len(self.members) - len(self.players()) >= MAX_WATCHERS:
                raise PartyFull(f"this world already has {MAX_WATCHERS} watchers")
            name = clean_name(name, {m.name for m in self.members.values()}, f"Player {self._count + 1}")
            self._count += 1
            pid = f"p{self._count}"
            body = None if watch else self._new_body()
            m = Member(pid, name, body, t=self.t, seen=self.t, refilled=self.t)
            self.members[pid] = m
            if body is not None:
                if all(b is not self.world.player for b in self.world.bodies.values()):
                    self.world.anchor(body)         # only watchers were left: the new player anchors the world
                self.world.bodies[pid] = body
            self._say(None, "", "system", f"{name} {'is watching' if watch else 'joined'}.")
            return m

    def _new_body(self) -> Player:
        w = self.world
        if self._free_body is not None:
            body, self._free_body = self._free_body, None
            return body
        a = w.player
        taken = [(b.x, b.y) for b in w.bodies.values()]
        x, y = a.x, a.y
        for k in range(1, 33):              # the first free spot on widening rings around the anchor body
            r, ang = JOIN_GAP * (1 + (k - 1) // 8), a.yaw + math.pi / 2 + (k - 1) * math.pi / 4
            x, y = a.x + r * math.cos(ang), a.y + r * math.sin(ang)
            if all(math.hypot(x - bx, y - by) >= JOIN_GAP * 0.9 for bx, by in taken):
                break
        body = Player()
        with w.acting_as(body):
            w.place_player(x, y, a.yaw, 0.0)
        return body

    def leave(self, pid: str) -> None:
        """A member goes; the world stays for the others. The last one out ends it (its share code is kept)."""
        with self.lock:
            m = self.members.get(pid)
            if m is None or self.ended:
                return
            if len(self.members) == 1:
                with self._as(m):
                    self.final_code = persist.encode(persist.snapshot(self.world, self.prompt))
            del self.members[pid]
            self.world.bodies.pop(pid, None)
            self._say(None, "", "system", f"{m.name} left.")
            if not self.members:
                self.ended = True
            elif self.world.player is m.body and self.players():
                self.world.anchor(self.players()[0].body)
        if self.ended:
            for fn in self.on_end:
                fn(self)
            self.world.close()

    def rename(self, m: Member, name: str) -> str:
        with self.lock:
            new = clean_name(name, {x.name for x in self.members.values() if x is not m}, m.name)
            if new != m.name:
                self._say(None, "", "system", f"{m.name} is now called {new}.")
                m.name = new
            return new

    def _live(self, m: Member | None = None) -> None:
        if self.ended:
            raise ValueError("this shared world has ended; its share code still opens it as a private world")
        if m is not None and self.members.get(m.pid) is not m:
            raise ValueError("you have left this shared world")

    # ------------------------------------------------------------------------------------------ time
    def advance(self, m: Member, held: frozenset, dt: float, look: tuple = (0.0, 0.0)) -> None:
        """Member m stepped dt seconds holding `held`: the world runs to the newest member clock."""
        with self.lock:
            self._live(m)
            if not m.watching:
                m.held = held
                if look[0] or look[1]:
                    m.look = (m.look[0] + look[0], m.look[1] + look[1])
            start = max(m.t, self.t - MAX_BEHIND)
            m.t, m.seen = start + dt, self.t
            if m.t > self.t:
                # the exact dt when this member drives from the front (a lone player steps like a Session)
                self._run(dt if start >= self.t else m.t - self.t)
                self.t = m.t

    def _run(self, dt: float) -> None:
        moving = self.players()
        held = [m.held if self.t - m.seen <= HELD_TTL else frozenset() for m in moving]
        looks = self.world.step_bodies([(m.body, h, m.look) for m, h in zip(moving, held, strict=True)], dt,
                                       self._leader_bodies())
        for m, look in zip(moving, looks, strict=True):
            m.look = look

    def _leader_bodies(self) -> dict | None:
        if not self.leaders:
            return None
        out = {}
        for ident, pid in self.leaders.items():
            m = self.members.get(pid)
            if m is not None and m.body is not None:
                out[ident] = m.body
        return out

    # ------------------------------------------------------------------------------------------ acting as one
    @contextmanager
    def _as(self, m: Member):
        """The world seen from m: m's body acts (ops place things 'ahead' of it, teleports move it)."""
        with self.world.acting_as(m.body, m.look) as look_left:
            try:
                yield
            finally:
                if m.body is not None:
                    m.look = look_left()          # a teleport drops a look from before it

    def camera(self, m: Member) -> tuple | None:
        """A watcher's camera: behind and above the first player (None for players: their own eyes)."""
        if not m.watching:
            return None
        a = self.world.player
        back = 8.0
        return (a.x - back * math.cos(a.yaw), a.y - back * math.sin(a.yaw), a.z + EYE_HEIGHT + 4.0, a.yaw, -0.3)

    def fill_ring(self, m: Member, camera: tuple | None = None) -> tuple:
        """Fill the shared ring map for m's camera and return that camera. The ring stays centred on the first
        player (with its prefetch, as in a private world) and gains only the chunks this camera lacks: views of
        players a few chunks apart then rewrite nothing, and the entity view is not rebuilt per frame."""
        w, a = self.world, self.world.player
        cam = camera or self.camera(m)
        if cam is None:
            b = m.body
            cam = (b.x, b.y, b.z + EYE_HEIGHT, b.yaw, b.pitch)
        here = (chunk_range(a.x, a.y), chunk_range(cam[0], cam[1]))
        if m.filled != (here, w.ring_writes):   # nothing written since this view was filled: nothing to do
            w.fill_view(cam[0], cam[1])
            m.filled = (here, w.ring_writes)
        return cam

    def ring_steady(self) -> bool:
        """True if the chunks every camera needs fit in the ring map together (no slot is fought over)."""
        cams = [self.camera(m) or (m.body.x, m.body.y) for m in self.members.values()]
        boxes = [chunk_range(c[0], c[1]) for c in cams]
        if not boxes:
            return True
        return (max(b[1] for b in boxes) - min(b[0] for b in boxes) < SLOTS
                and max(b[3] for b in boxes) - min(b[2] for b in boxes) < SLOTS)

    # ------------------------------------------------------------------------------------------ changing
    def apply(self, m: Member, edit: dict) -> dict:
        """m's typed edit, for everyone; returns it resolved. ValueError (bad edit, over budget) changes nothing."""
        with self.lock:
            self._live(m)
            if m.watching:
                raise ValueError("watchers cannot change the world; join as a player to do that")
            if isinstance(edit, dict) and edit.get("op") == "undo":
                return self.undo(m)
            self._refill(m)
            if m.tokens < 1.0:
                raise ValueError(f"slow down: at most {EDIT_BURST} changes at once and {EDIT_RATE:g} per second; "
                                 "try again in a moment")
            return self._apply(m, edit)

    def _apply(self, m: Member | None, edit: dict, owner: bool = True) -> dict:
        w = self.world
        before = self._before(edit)
        n0 = w.undo_depth()
        with self._as(m):
            e = w.apply(edit)
        if w.undo_depth() > n0:
            if e.get("op") == "spawn":
                before["ids"] = sorted(w.things.spawned_ids() - before.pop("spawned"))
            self.changes.append(Change(m.pid if owner else None, e, before))
        if owner:
            m.tokens -= 1.0
        if e.get("op") == "character" and e.get("action") == "follow":
            for t in e.get("targets", []):
                self.leaders[t] = m.pid
        return e

    def _before(self, edit) -> dict:
        now, op = self.world.conditions, edit.get("op") if isinstance(edit, dict) else None
        if op == "weather":
            kind, intensity = now.weather()
            return {"kind": kind, "intensity": intensity}
        if op == "time":
            return {"clock": now.clock()}
        if op == "gravity":
            return {"scale": now.gravity}
        if op == "spawn":
            return {"spawned": self.world.things.spawned_ids()}
        return {}

    def _refill(self, m: Member) -> None:
        m.tokens = min(EDIT_BURST, m.tokens + (self.t - m.refilled) * EDIT_RATE)
        m.refilled = self.t

    def undo(self, m: Member) -> dict:
        """Take back m's own last change (never someone else's). If others changed the world since, a
        compensating edit puts back what m changed (weather, time, gravity, a spawn, a teleport); other kinds
        can then no longer be taken back and nothing changes."""
        with self.lock:
            self._live(m)
            mine = [k for k, c in enumerate(self.changes) if c.pid == m.pid and not c.taken_back]
            if not mine:
                raise ValueError("you have nothing to undo (undo takes back only your own changes)")
            k = mine[-1]
            c = self.changes[k]
            if k == len(self.changes) - 1:
                with self._as(m):
                    self.world.apply({"op": "undo"})
                self.changes.pop()
                return {"op": "undo", "undid": c.edit}
            fix = self._compensation(k)
            if fix is None:
                raise ValueError(f"others changed the world after your last change ({c.edit.get('op')}); "
                                 "it can no longer be taken back")
            e = self._apply(m, fix, owner=False)
            c.taken_back = True
            return {"op": "undo", "undid": c.edit, "by": e}

    def _compensation(self, k: int) -> dict | None:
        c = self.changes[k]
        op, b = c.edit.get("op"), c.before
        later = self.changes[k + 1:]
        if op in ("weather", "time", "gravity") and any(x.edit.get("op") == op for x in later):
            return None                    # someone set it again since: yours is already gone, theirs stays
        if op == "weather":
            return {"op": "weather", "kind": b["kind"], "intensity": b["intensity"]}
        if op == "time":
            return {"op": "time", "hour": b["clock"].hour(self.world.tick), "speed": b["clock"].speed}
        if op == "gravity":
            return {"op": "gravity", "scale": b["scale"]}
        if op == "teleport" and c.edit.get("from"):
            f = c.edit["from"]
            return {"op": "teleport", "x": f[0], "y": f[1], "yaw": f[3], "pitch": max(-0.9, min(0.9, f[4]))}
        if op == "spawn" and b.get("ids") and all(i in self.world.things.spawned_ids() for i in b["ids"]):
            return {"op": "remove", "targets": list(b["ids"])}
        return None

    def command(self, m: Member, text: str) -> CommandResult:
        """Direct mode for member m: every edit changes the world for everyone; the chat says who did what."""
        if not isinstance(text, str):
            raise ValueError("a command must be a string")
        with self.lock:
            self._live(m)
            if m.watching:
                return CommandResult([], "Watchers cannot change the world; join as a player to do that.")
            if m.direct is None:
                m.direct = Interpreter()
            world = restyle(text)     # "turn this into a desert": a world change, read by the language layer
            result = world if world is not None else m.direct.interpret(text, self.state(m))
            self._say(m.pid, m.name, "said", text)
            self._refill(m)
            wanted = sum(1 for e in result.edits if e.get("op") != "undo")
            if wanted > m.tokens:
                reply = (f"Slow down: you can make {EDIT_BURST} changes at once and {EDIT_RATE:g} more per second; "
                         "nothing changed.")
                self._say(m.pid, m.name, "world", reply)
                return CommandResult([], reply)
            applied, skipped = [], []
            for e in result.edits:
                try:
                    applied.append(self.apply(m, e) if e.get("op") == "undo" else self._apply(m, e))
                except ValueError as err:
                    skipped.append(str(err))
            reply = result.reply
            if skipped:
                reply = (reply + " " if reply else "") + "Skipped: " + "; ".join(skipped) + "."
            self._say(m.pid, m.name, "world", reply or "Done.")
            return CommandResult(applied, reply)

    # ------------------------------------------------------------------------------------------ reading
    def state(self, m: Member) -> dict:
        """World state as m sees it (m's body is "player"), plus everyone in the world."""
        with self.lock:
            with self._as(m):
                st = self.world.state()
            st["prompt"] = self.prompt
            st["players"] = [{"id": x.pid, "name": x.name, "you": x is m, "x": x.body.x, "y": x.body.y,
                              "z": x.body.z, "yaw": x.body.yaw} for x in self.players()]
            st["watchers"] = len(self.members) - len(st["players"])
            st["you"] = {"id": m.pid, "name": m.name, "watching": m.watching}
            return st

    def share_code(self, m: Member) -> str:
        """The world now, as a private world with m's pose (a watcher gets the first player's)."""
        with self.lock:
            if self.ended:
                return self.final_code
            with self._as(m):
                return persist.encode(persist.snapshot(self.world, self.prompt))

    def chat_for(self, m: Member) -> list[tuple[str, str]]:
        """The shared chat as (who, text) for the page: who is you | player | world | system."""
        out = []
        for line in list(self.chat):
            if line.kind == "said":
                out.append(("you", line.text) if line.pid == m.pid else ("player", f"{line.name}: {line.text}"))
            elif line.kind == "world":
                out.append(("world", line.text if line.pid == m.pid else f"({line.name}) {line.text}"))
            else:
                out.append(("system", line.text))
        return out

    def _say(self, pid, name: str, kind: str, text: str) -> None:
        text = str(text)
        self.chat.append(ChatLine(pid, name, kind, text if len(text) <= CHAT_CHARS else text[:CHAT_CHARS - 1] + "…"))
