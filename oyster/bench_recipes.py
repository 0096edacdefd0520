"""Benchmarks of recipe worlds for `python -m oyster.bench` (rows as (what, size, threads, times) tuples):
render time per preset, the first frame of a new prompt world, and the frames while a live recipe change
regenerates the world around the player.

    python -m oyster.bench --only presets first_frame recipe_change
"""
import time

import numba
import numpy as np

# prompts whose worlds are timed from Session(...) to the first frame (fresh seeds: nothing cached)
FIRST_FRAME_PROMPTS = ("a desert canyon", "a snowy mountain valley", "the surface of the moon", "a tropical island",
                       "an alien planet with a purple sky", "a neon city at night")
WARMUP = 10                # untimed calls first, as in oyster.bench (which wraps these rows in its Row)
CHANGES = ("dunes", "alpine", "moon", "archipelago", "city", "meadow")


def _clock():
    return time.perf_counter(), time.thread_time()


def _since(t0) -> tuple[float, float]:
    return time.perf_counter() - t0[0], time.thread_time() - t0[1]


def time_presets(frames: int) -> list:
    """render() alone at 640x360 on one thread, per preset, walking from its spawn."""
    from oyster.render import render
    from oyster.session import Session
    from oyster.world.recipe import PRESETS
    numba.set_num_threads(1)
    rows = []
    for name in PRESETS:
        out = np.empty((360, 640, 3), np.uint8)
        times = []
        with Session(7, width=640, height=360, recipe=name) as s:
            for i in range(frames + WARMUP):
                held = {"forward", "turn_left"} if (i // 60) % 2 else {"forward"}
                s.world.step(frozenset(held), 1 / 30)
                scene = s.world.scene()
                t0 = _clock()
                render(scene, out)
                if i >= WARMUP:
                    times.append(_since(t0))
        rows.append((f"render:{name}", "640x360", 1, times))
    return rows


def time_first_frame(frames: int) -> list:
    """Session(prompt) -> first frame for prompt worlds at fresh seeds, once the process is warm."""
    from oyster.session import Session
    with Session(0, "a desert canyon", width=640, height=360) as s:   # warm: kernels compiled and loaded
        s.frame()
    times = []
    for k, prompt in enumerate(FIRST_FRAME_PROMPTS * max(1, frames // 100)):
        t0 = _clock()
        with Session(9000 + k, prompt, width=640, height=360) as s:
            s.frame()
            times.append(_since(t0))
    return [("first_frame", "640x360", numba.get_num_threads(), times)]


def time_recipe_change(frames: int) -> list:
    """Every frame (Session.step, the recipe edit included in the frame it lands on) from a live recipe change
    until the whole loaded world shows the new recipe, for a cycle of presets."""
    from oyster.session import Session
    times = []
    with Session(7, width=640, height=360) as s:
        for _ in range(30):
            s.step({"forward"}, 1 / 30)
        for name in CHANGES:
            t0 = _clock()
            s.apply({"op": "recipe", "preset": name})
            s.step({"forward"}, 1 / 30)
            times.append(_since(t0))
            n = 0
            while s.world.renewing() and n < 600:
                t0 = _clock()
                s.step({"forward"}, 1 / 30)
                times.append(_since(t0))
                n += 1
                time.sleep(max(0.0, 1 / 30 - times[-1][0]))    # real time between frames, as a player has
    return [("recipe_change", "640x360", numba.get_num_threads(), times)]
