"""Contact sheet: a grid of labelled screenshots of the real world (biomes, hours, weather, eruption, villagers).

    python tools/contact_sheet.py out/sheet.png [--seed 7] [--size 320x180] [--cols 4]
    python tools/contact_sheet.py assets/contact_sheet.png --prompts    # worlds from words (README, the page)

Every tile is a fresh `oyster.Session` driven only through typed edits (`s.apply`) and `s.step`, exactly as
a visitor or Direct mode would drive it. `--fixture` draws the renderer's synthetic scene instead (no world).
"""
import argparse
import math
import os
import sys
from dataclasses import replace

import cv2
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

SETTLE = 20.0              # seconds of world time after the edits (weather eases with a ~4 s time constant)
PROMPT_SETTLE = 6.0        # seconds of world time before a prompt world's tile (its weather eases in)
STEP_DT = 0.25             # frame time per step while settling (the world accepts at most 0.25 s per call)

# (label, edits, seconds to settle, held inputs while settling)
SHOTS = [
    ("start, noon", [{"op": "time", "hour": 12, "speed": 0}], 2, ()),
    ("forest", [{"op": "teleport", "target": "forest"}, {"op": "time", "hour": 11, "speed": 0}], 2, ()),
    ("desert", [{"op": "teleport", "target": "desert"}, {"op": "time", "hour": 13, "speed": 0}], 2, ()),
    ("mountain", [{"op": "teleport", "vantage": "mountain"}, {"op": "time", "hour": 10, "speed": 0}], 2, ()),
    ("beach", [{"op": "teleport", "target": "beach"}, {"op": "time", "hour": 15, "speed": 0}], 2, ()),
    ("lake", [{"op": "teleport", "vantage": "lake"}, {"op": "time", "hour": 16, "speed": 0}], 2, ()),
    ("village", [{"op": "teleport", "target": "village"}, {"op": "time", "hour": 12, "speed": 0}], 2, ()),
    ("volcano", [{"op": "teleport", "target": "volcano"}, {"op": "time", "hour": 12, "speed": 0}], 2, ()),
    ("dawn 6:30", [{"op": "time", "hour": 6.5, "speed": 0}], 2, ()),
    ("dusk 17:40", [{"op": "teleport", "target": "lake", "yaw": 3.14, "pitch": 0.1},
                    {"op": "time", "hour": 17.67, "speed": 0}], 2, ()),
    ("night, moon", [{"op": "time", "hour": 20.5, "speed": 0},
                     {"op": "teleport", "target": "start", "yaw": 0.36, "pitch": 0.5}], 2, ()),
    ("rain", [{"op": "weather", "kind": "rain", "intensity": 0.9}, {"op": "time", "hour": 14, "speed": 0}],
     SETTLE, ()),
    ("snow", [{"op": "weather", "kind": "snow", "intensity": 1.0}, {"op": "time", "hour": 11, "speed": 0}],
     90.0, ()),
    ("fog", [{"op": "weather", "kind": "fog", "intensity": 0.9}, {"op": "time", "hour": 9, "speed": 0}],
     SETTLE, ()),
    ("storm", [{"op": "weather", "kind": "storm", "intensity": 1.0}, {"op": "time", "hour": 17, "speed": 0}],
     SETTLE, ()),
    ("eruption, dusk", [{"op": "teleport", "target": "volcano", "pitch": 0.3}, {"op": "eruption", "strength": 1.0},
                        {"op": "time", "hour": 18.4, "speed": 0}], SETTLE, ()),
    ("eruption, noon", [{"op": "teleport", "target": "volcano", "pitch": 0.25}, {"op": "eruption", "strength": 1.0},
                        {"op": "time", "hour": 12.5, "speed": 0}], 40.0, ()),
]
ACTION_SHOTS = ("wave", "dance", "sit", "jump", "walk")


def vantage(seed: int, name: str) -> dict:
    """A teleport edit to a spot that shows `name` well: a mountain from 120-260 m away with nothing higher in
    between, a lake from dry ground on its shore looking across the water. Uses only the (read-only) terrain."""
    from oyster.world import terrain
    fx, fy = terrain.find_feature(seed, name, 0.0, 0.0)
    h = lambda x, y: terrain.height_at(seed, x, y)                     # noqa: E731
    best = None
    for k in range(24):
        a = 2 * math.pi * k / 24
        ux, uy = math.cos(a), math.sin(a)
        if name == "lake":        # walk out from the water to the first dry cell, then 4 m further
            r = next((r for r in range(2, 300, 2) if h(fx + ux * r, fy + uy * r) > 0.6), None)
            if r is None:
                continue
            x, y = fx + ux * (r + 4), fy + uy * (r + 4)
            wet = sum(h(fx + ux * t, fy + uy * t) < 0.0 for t in range(0, r, 2))
            score = wet - 3.0 * max(h(x, y) - 4.0, 0.0)                   # a long view over water, low shore
            if best is None or score > best[0]:
                best = (score, x, y, a + math.pi, -0.04)
            continue
        peak = h(fx, fy)
        for dist in (260.0, 200.0, 150.0, 120.0):
            x, y = fx + ux * dist, fy + uy * dist
            eye = h(x, y) + 1.7
            if eye < 1.0:
                continue
            clear = all(h(x - ux * t, y - uy * t) < eye + (peak - eye) * t / dist - 4.0
                        for t in range(10, int(dist) - 20, 5))
            if clear:
                pitch = max(-0.2, min(0.4, 0.6 * math.atan2(peak - eye, dist)))
                score = dist - abs(peak - eye) * 0.2
                if best is None or score > best[0]:
                    best = (score, x, y, a + math.pi, pitch)
                break
    if best is None:
        return {"op": "teleport", "target": name}
    _, x, y, yaw, pitch = best
    return {"op": "teleport", "x": x, "y": y, "yaw": math.atan2(math.sin(yaw), math.cos(yaw)), "pitch": pitch}


def _settle(s, seconds: float, held=()) -> np.ndarray:
    frame = None
    for _ in range(max(1, int(seconds / STEP_DT))):
        frame = s.step(set(held), STEP_DT)
    return frame


def _lightning_frame(s, tries: int = 400) -> np.ndarray:
    """Step a storm in small steps until a lightning flash is on screen (or give up and return the last)."""
    best, best_v = None, -1.0
    for _ in range(tries):
        frame = s.step(set(), 1 / 15)
        v = float(s.world.scene().lightning)
        if v > best_v:
            best, best_v = frame, v
        if v > 0.5:
            break
    return best


def world_tiles(seed: int, width: int, height: int) -> list:
    from oyster import Session
    tiles = []
    for label, edits, secs, held in SHOTS:
        with Session(seed=seed, width=width, height=height) as s:
            for e in edits:
                s.apply(vantage(seed, e["vantage"]) if "vantage" in e else e)
            frame = _settle(s, secs, held)
            if label == "storm":
                frame = _lightning_frame(s)
                label = "storm + lightning"
            tiles.append((label, frame))
            print(f"  {label}", flush=True)
    for action in ACTION_SHOTS:
        with Session(seed=seed, width=width, height=height) as s:
            s.apply({"op": "time", "hour": 10, "speed": 0})
            s.apply({"op": "teleport", "target": "start", "pitch": -0.12})
            s.apply({"op": "spawn", "kind": "villager", "count": 3, "where": "ahead"})
            s.apply({"op": "spawn", "kind": "animal", "count": 1, "where": "ahead"})
            s.apply({"op": "character", "action": action})
            tiles.append((f"villagers: {action}", _settle(s, 1.5)))
            print(f"  villagers: {action}", flush=True)
    return tiles


def prompt_tiles(seed: int, width: int, height: int, settle: float = PROMPT_SETTLE) -> list:
    """One tile per example prompt: `Session(prompt=...)` as a visitor opens it, after `settle` world seconds."""
    from oyster import Session
    from oyster.language.examples import WORLD_PROMPTS
    tiles = []
    for prompt, _ in WORLD_PROMPTS:
        with Session(seed=seed, prompt=prompt, width=width, height=height) as s:
            tiles.append((prompt, _settle(s, settle)))
        print(f"  {prompt}", flush=True)
    return tiles


def fixture_tiles(width: int, height: int) -> list:
    from oyster.render import render
    from oyster.render.fixture import make_scene
    base = make_scene(cam_x=-60.0, cam_y=-20.0, pitch=-0.08)
    variants = [("noon", {}), ("dawn", {"hour": 6.4}), ("dusk", {"hour": 17.8, "yaw": 3.1}),
                ("night", {"hour": 0.5, "pitch": 0.3}), ("rain", {"rain": 0.9}),
                ("snow", {"snow": 1.0, "snow_cover": 1.0}), ("fog", {"fog": 0.9}),
                ("storm + lightning", {"storm": 1.0, "rain": 1.0, "lightning": 0.8}),
                ("village", {"cam_x": 0.0, "cam_y": 0.0, "pitch": -0.05})]
    out = []
    for label, kw in variants:
        out.append((label, render(replace(base, **kw), np.zeros((height, width, 3), np.uint8))))
    return out


def sheet(tiles: list, cols: int) -> np.ndarray:
    """Grid of tiles (RGB) with a label strip over each."""
    h, w = tiles[0][1].shape[:2]
    rows = (len(tiles) + cols - 1) // cols
    img = np.full((rows * (h + 2), cols * (w + 2), 3), 24, np.uint8)
    scale = max(0.35, w / 800)
    for i, (label, tile) in enumerate(tiles):
        r, c = divmod(i, cols)
        y, x = r * (h + 2), c * (w + 2)
        t = tile.copy()
        cv2.rectangle(t, (0, 0), (w, int(22 * scale / 0.4)), (0, 0, 0), -1)
        cv2.putText(t, label, (4, int(15 * scale / 0.4)), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1,
                    cv2.LINE_AA)
        img[y:y + h, x:x + w] = t
    return img


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="PNG path to write")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--size", default="320x180", help="tile size WxH")
    ap.add_argument("--cols", type=int, default=4)
    ap.add_argument("--fixture", action="store_true", help="draw the renderer's synthetic scene (no world)")
    ap.add_argument("--prompts", action="store_true", help="one tile per example world prompt")
    a = ap.parse_args(argv)
    w, h = (int(v) for v in a.size.split("x"))
    if a.fixture:
        tiles = fixture_tiles(w, h)
    elif a.prompts:
        tiles = prompt_tiles(a.seed, w, h)
    else:
        tiles = world_tiles(a.seed, w, h)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    cv2.imwrite(a.out, sheet(tiles, a.cols)[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {a.out} ({len(tiles)} tiles)")


if __name__ == "__main__":
    main()
