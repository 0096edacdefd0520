"""Session: one player's world, inputs and Direct-mode commands; the public headless API.

    s = Session(seed=7, prompt="", width=640, height=360)
    frame = s.step(held={"forward"}, dt=1/30)        # HxWx3 uint8 RGB (a fresh array each call)
    s.advance(1/30)                                  # time and physics only, nothing held, no frame
    s.step(set(), 1/30, look=(0.05, -0.02))         # analog look: (dyaw, dpitch) radians on the next tick
    s.resize(320, 180)                               # smaller frames from now on, same world
    s.apply({"op": "weather", "kind": "rain"})       # typed edit; ValueError changes nothing
    s.command("make it rain"); s.state(); s.share_code(); Session.from_share_code(code)
"""

import numpy as np

from oyster import limits
from oyster.direct import warm_up as warm_up_direct
from oyster.direct.interpreter import Interpreter
from oyster.direct.result import CommandResult
from oyster.language import read_prompt
from oyster.language.restyle import restyle
from oyster.limits import HELD_INPUTS, MAX_LOOK, MAX_SIDE  # noqa: F401  (part of the headless API)
from oyster.render import render
from oyster.render import warm_up as warm_up_render
from oyster.world import persist
from oyster.world.recipe import DEFAULT, WorldRecipe, from_doc, preset
from oyster.world.terrain import volcano_site
from oyster.world.world import World
from oyster.world.world import warm_up as warm_up_world

DIRECT_VIEW = 60.0  # metres: characters this close are "in view" for Direct mode ("everyone dance")


class Session:
    def __init__(self, seed: int = 0, prompt: str = "", width: int = 640, height: int = 360, *,
                 recipe: WorldRecipe | None = None, _world: World | None = None):
        seed = limits.world_seed(seed)
        if not isinstance(prompt, str) or len(prompt) > limits.MAX_PROMPT:
            raise limits.InputError(f"prompt must be a string of at most {limits.MAX_PROMPT} characters")
        self.width, self.height = limits.frame_size(width, height)
        self.seed, self.prompt = seed, prompt
        if recipe is not None and not isinstance(recipe, WorldRecipe):
            recipe = preset(recipe) if isinstance(recipe, str) else from_doc(recipe)   # a preset name or a doc
        reading = read_prompt(prompt) if prompt and _world is None else None   # the prompt makes the world
        if recipe is None and reading is not None and reading.shapes_world:
            recipe = reading.recipe()
        self.world = _world if _world is not None else World(self.seed, recipe=recipe or DEFAULT)
        self._frame = np.zeros((self.height, self.width, 3), np.uint8)
        self.prompt_reply = ""
        self._direct = _direct_mode()               # the learned fallback is loaded now, not on the first command
        self._redo: list[dict] = []                 # resolved edits undone by Direct mode, newest last
        if reading is not None:
            self.prompt_reply = self._open_with(reading)
        elif prompt and _world is None:
            self.prompt_reply = self.command(prompt).reply      # "plant three trees": a command, as before

    def forget_conversation(self) -> None:
        """Start Direct mode afresh: no pronoun memory ("him", "the other one") and nothing to redo."""
        self._direct, self._redo = Interpreter(), []

    def _open_with(self, reading) -> str:
        """Apply the prompt's weather, time, gravity and eruption as logged edits; a prompt that names no world
        and no such change ("spawn three villagers") is a Direct-mode command, as before."""
        if not (reading.shapes_world or reading.edits):
            return self.command(self.prompt).reply
        for e in reading.edits:
            try:
                self.apply(e)
            except ValueError:
                pass                     # the reply below still says what the prompt asked
        return reading.summary()

    # ------------------------------------------------------------------------------------------ playing
    def step(self, held=frozenset(), dt: float = 1 / 30, look=None) -> np.ndarray:
        """Advance time and physics by dt seconds with these inputs held; returns the new frame.

        `look` = (dyaw, dpitch) radians of analog look (mouse drag, touch), counter-clockwise / up positive, each
        clipped to +-MAX_LOOK; the next fixed physics step applies it (pitch clamped like the look keys)."""
        held, dt, look = limits.held_names(held), limits.seconds(dt), limits.look_pair(look)
        with self.world.frame_lock:
            self.world.step(held, dt, look)
            return self._draw(self.world.scene())

    def advance(self, dt: float = 1 / 30) -> None:
        """Advance time and physics by dt seconds with nothing held, without drawing (trailers, servers that skip
        frames). The world ends exactly as `step(set(), dt)` leaves it."""
        dt = limits.seconds(dt)
        with self.world.frame_lock:
            self.world.step(frozenset(), dt)

    def render_from(self, x: float, y: float, z: float, yaw: float, pitch: float) -> np.ndarray:
        """A frame from any camera (eye position, metres/radians); the world does not change. The ring map moves to
        the camera incrementally, and `advance`/`step` then only top up the chunks around the player, so a camera
        flying far from the player costs no reload per frame."""
        cam = tuple(limits.number(v, "camera", -1e9, 1e9) for v in (x, y, z, yaw, pitch))
        with self.world.frame_lock:
            return self._draw(self.world.scene(cam))

    def frame(self) -> np.ndarray:
        """The current frame without advancing time."""
        with self.world.frame_lock:
            return self._draw(self.world.scene())

    def resize(self, width: int, height: int) -> None:
        """Change the frame size of a live session (the world is untouched); ValueError changes nothing."""
        width, height = limits.frame_size(width, height)
        with self.world.frame_lock:
            if (width, height) != (self.width, self.height):
                self.width, self.height = width, height
                self._frame = np.zeros((height, width, 3), np.uint8)

    def _draw(self, scene) -> np.ndarray:
        render(scene, self._frame)
        return self._frame.copy()

    # ------------------------------------------------------------------------------------------ changing
    def apply(self, edit: dict) -> dict:
        """Apply a typed edit; returns it resolved (absolute positions, ids). ValueError changes nothing."""
        with self.world.frame_lock:
            return self.world.apply(edit)

    def command(self, text: str) -> CommandResult:
        """Direct mode: text -> typed edits (oyster.direct), applied in order; edits that fail are skipped. The
        reply is built from the edits that really ran and the entities they really touched."""
        if not isinstance(text, str):
            raise limits.InputError("a command must be a string")
        if len(text) > limits.MAX_COMMAND:
            raise limits.InputError(f"a command is at most {limits.MAX_COMMAND} characters")
        world = restyle(text)    # "turn this into a desert": a world change, read by the language layer
        if world is not None:
            return self._restyle(world)
        plan = self._direct.plan(text, self.direct_state(), skip_noops=True)
        ran, failed = [], []
        for e in plan.edits:
            try:
                ran.append((e, self._apply_direct(e)))
            except ValueError as err:
                failed.append((e, str(err)))
        kinds = {}
        with self.world.frame_lock:
            for _, done in ran:
                for t in done.get("targets", ()) if done.get("op") == "character" else ():
                    kinds[t] = self.world.things.kind(t)
        reply = self._direct.report(plan, ran, failed, kinds)
        return CommandResult([e for e, _ in ran], reply, list(plan.options))

    def _restyle(self, result: CommandResult) -> CommandResult:
        """Apply a world change read by the language layer; the reply adds what could not be applied."""
        applied, skipped = [], []
        for e in result.edits:
            try:
                self._apply_direct(e)
                applied.append(e)
            except ValueError as err:
                skipped.append(str(err))
        reply = result.reply
        if skipped:
            reply = (reply + " " if reply else "") + "Skipped: " + "; ".join(skipped) + "."
        return CommandResult(applied, reply)

    def _apply_direct(self, e: dict) -> dict:
        """One Direct-mode edit; "redo" re-applies the last undone edit (Direct mode keeps that stack)."""
        with self.world.frame_lock:
            if e.get("op") == "redo":
                if not self._redo:
                    raise ValueError("nothing to redo")
                done = self.world.apply(self._redo[-1])
                self._redo.pop()
                return done
            top = _top_edit(self.world.log) if e.get("op") == "undo" else None
            done = self.world.apply(e)
            if top is not None:
                self._redo.append(top)
            else:
                self._redo.clear()
            return done

    def direct_state(self) -> dict:
        """state() plus what Direct mode needs to answer and aim: every character in view and the volcano."""
        st = self.state()
        with self.world.frame_lock:
            p = self.world.player
            near = self.world.things.near(p.x, p.y, DIRECT_VIEW, ("villager", "animal"))
        st["characters"] = [{"id": i, "kind": k, "x": x, "y": y, "action": a, "distance": round(d, 3)}
                            for d, i, k, x, y, _, a in near]
        vx, vy, _, _ = volcano_site(self.seed, self.world.recipe)
        st["volcano"] = {"x": vx, "y": vy}
        return st

    # ------------------------------------------------------------------------------------------ reading
    def state(self) -> dict:
        """JSON-able summary: player, clock, weather, gravity, biome, events, entities near the player."""
        with self.world.frame_lock:
            st = self.world.state()
        st["prompt"] = self.prompt
        return st

    def ground(self, x: float, y: float) -> float:
        """Terrain height (metres, edits included) at (x, y) metres; ValueError on a non-finite point."""
        x, y = (limits.number(v, "ground coordinate", -1.0e6, 1.0e6) for v in (x, y))
        with self.world.frame_lock:
            return self.world.land.ground(x, y)

    @property
    def recipe(self) -> WorldRecipe:
        """The world's recipe (it changes only through a {"op": "recipe"} edit)."""
        return self.world.recipe

    def share_code(self) -> str:
        with self.world.frame_lock:
            return persist.encode(persist.snapshot(self.world, self.prompt))

    @classmethod
    def from_share_code(cls, code: str, width: int = 640, height: int = 360) -> "Session":
        """The same world at the same moment (same edits, pose, clock, weather): the next frame matches."""
        width, height = limits.frame_size(width, height)
        doc = persist.decode(code)
        world = persist.restore(doc)
        return cls(doc["seed"], doc["prompt"], width, height, _world=world)

    def close(self) -> None:
        self.world.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _top_edit(log: list) -> dict | None:
    """The logged edit an undo would revert now (undo entries cancel the edits before them)."""
    pending = 0
    for entry in reversed(log):
        if entry["edit"]["op"] == "undo":
            pending += 1
        elif pending:
            pending -= 1
        else:
            return entry["edit"]
    return None


def _direct_mode() -> Interpreter:
    warm_up_direct()    # the learned fallback and lexicon caches, once per process
    return Interpreter()


def warm_up() -> None:
    """Compile (or load from numba's cache) every world and render kernel, not only those a calm start touches
    (lava, every sprite kind and particle), and load Direct mode's fallback classifier (torch: seconds cold, which
    a visitor's first unparsed sentence would otherwise wait for): the app calls it before the first visitor."""
    warm_up_world()
    warm_up_render()
    warm_up_direct()
