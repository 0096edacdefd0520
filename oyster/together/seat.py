"""Seat: one member's handle on a shared world, with the same methods as a private Session (step, advance, frame,
render_from, resize, apply, command, state, share_code, close), so the Runner, the page and scripts drive it alike.
"""
import math

import numpy as np

from oyster import limits
from oyster.direct.result import CommandResult
from oyster.render import render

from .figures import Figure, draw_tags, tag_positions, with_figures
from .party import Member, Party


class Seat:
    def __init__(self, party: Party, member: Member, width: int = 640, height: int = 360):
        self.party, self.member = party, member
        self.width, self.height = limits.frame_size(width, height)
        self.seed, self.prompt = party.world.seed, party.prompt
        self._frame = np.zeros((self.height, self.width, 3), np.uint8)
        self.closed = False

    # ------------------------------------------------------------------------------------------ playing
    def step(self, held=frozenset(), dt: float = 1 / 30, look=None) -> np.ndarray:
        """This player's keys for the next dt seconds of the shared world; returns this player's view."""
        held, dt, look = limits.held_names(held), limits.seconds(dt), limits.look_pair(look)
        self.party.advance(self.member, held, dt, look)
        return self._view()

    def advance(self, dt: float = 1 / 30) -> None:
        self.party.advance(self.member, frozenset(), limits.seconds(dt))

    def frame(self) -> np.ndarray:
        return self._view()

    def render_from(self, x: float, y: float, z: float, yaw: float, pitch: float) -> np.ndarray:
        cam = tuple(float(v) for v in (x, y, z, yaw, pitch))
        if not all(math.isfinite(v) for v in cam):
            raise ValueError("camera values must be finite numbers")
        return self._view(cam)

    def resize(self, width: int, height: int) -> None:
        width, height = limits.frame_size(width, height)
        if (width, height) != (self.width, self.height):
            self.width, self.height = width, height
            self._frame = np.zeros((height, width, 3), np.uint8)

    def _view(self, camera: tuple | None = None) -> np.ndarray:
        """Scene and tags under the world's lock; the drawing too unless every view fits the ring map at once
        (then no view's chunks are rewritten meanwhile, and two players' frames draw on two cores at once)."""
        p, m = self.party, self.member
        frame = self._frame
        with p.lock:
            p._live(m)
            cam = p.fill_ring(m, camera)
            with p._as(m):
                scene = p.world.scene(cam, fill=False)
            figs = [Figure(x.name, x.body.x, x.body.y, x.body.z, x.body.yaw, math.hypot(x.body.vx, x.body.vy) > 0.2)
                    for x in p.players() if x is not m]
            steady = p.ring_steady()
            if not steady:
                scene = with_figures(scene, figs)
                tags = tag_positions(scene, figs, self.width, self.height)
                render(scene, frame)
        if steady:               # the short hold matters on a busy CPU: a waiting player waits only for this much
            scene = with_figures(scene, figs)
            tags = tag_positions(scene, figs, self.width, self.height)
            render(scene, frame)
        return draw_tags(frame.copy(), tags)

    # ------------------------------------------------------------------------------------------ changing
    def apply(self, edit: dict) -> dict:
        return self.party.apply(self.member, edit)

    def command(self, text: str) -> CommandResult:
        return self.party.command(self.member, text)

    def rename(self, name: str) -> str:
        return self.party.rename(self.member, name)

    # ------------------------------------------------------------------------------------------ reading
    @property
    def world(self):
        return self.party.world

    @property
    def name(self) -> str:
        return self.member.name

    def state(self) -> dict:
        return self.party.state(self.member)

    def chat(self) -> list[tuple[str, str]]:
        return self.party.chat_for(self.member)

    def share_code(self) -> str:
        return self.party.share_code(self.member)

    def close(self) -> None:
        """Leave the world (it stays for the others; the last one out ends it)."""
        if not self.closed:
            self.closed = True
            self.party.leave(self.member.pid)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
