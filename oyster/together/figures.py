"""Other players in a view: their bodies as character sprites added to the Scene, and their name tags written
over the rendered frame (projected like the renderer's sprites, hidden behind terrain, plain text only).
"""
import math
import zlib
from dataclasses import dataclass, replace

import cv2
import numpy as np

from oyster.render.camera import make_camera
from oyster.world.kinds import ACTION_ID, KIND_ID
from oyster.world.scene import MAP_MASK

BODY_KIND = KIND_ID["villager"]
TAG_RANGE = 90.0          # metres: farther tags are not written
TAG_ABOVE = 2.2           # metres above the feet
SEED_SALT = 0x2F00        # keeps a player's look apart from a generated villager's of the same crc


@dataclass
class Figure:
    name: str
    x: float
    y: float
    z: float
    yaw: float
    moving: bool


def look_seed(name: str) -> int:
    return (zlib.crc32(name.encode("utf-8", "replace")) ^ SEED_SALT) & 0x7FFFFFFF


def with_figures(scene, figures: list[Figure]):
    """The scene plus one character sprite per figure (walking while it moves)."""
    if not figures:
        return scene
    n = len(figures)
    xyz = np.array([(f.x, f.y, f.z) for f in figures], np.float32).reshape(n, 3)
    act = np.array([ACTION_ID["walk"] if f.moving else ACTION_ID["idle"] for f in figures], np.int32)
    seeds = np.array([look_seed(f.name) for f in figures], np.int32)
    old_seeds = scene.sprite_seed if scene.sprite_seed is not None else np.full(len(scene.sprite_kind), -1, np.int32)
    return replace(
        scene,
        sprite_xyz=np.ascontiguousarray(np.concatenate([scene.sprite_xyz, xyz]), np.float32),
        sprite_kind=np.ascontiguousarray(np.concatenate([scene.sprite_kind, np.full(n, BODY_KIND, np.int32)])),
        sprite_action=np.ascontiguousarray(np.concatenate([scene.sprite_action, act])),
        sprite_phase=np.ascontiguousarray(np.concatenate([scene.sprite_phase, np.full(n, scene.time, np.float32)])),
        sprite_scale=np.ascontiguousarray(np.concatenate([scene.sprite_scale, np.ones(n, np.float32)])),
        sprite_seed=np.ascontiguousarray(np.concatenate([old_seeds, seeds]), np.int32),
    )


def tag_positions(scene, figures: list[Figure], width: int, height: int) -> list[tuple[str, int, int]]:
    """(name, column, row) of each visible figure's tag point in a width x height frame of this scene."""
    cam = make_camera(scene, width, height)
    out = []
    for f in figures:
        tz = f.z + TAG_ABOVE
        rx, ry, rz = f.x - scene.cam_x, f.y - scene.cam_y, tz - scene.cam_z
        d = rx * cam.fwd_x + ry * cam.fwd_y
        if d < 0.5 or math.hypot(rx, ry) > TAG_RANGE or _hidden(scene.ring.height, scene, f.x, f.y, tz):
            continue
        col = cam.cx + cam.focal * (rx * cam.right_x + ry * cam.right_y) / d
        row = cam.horizon - cam.focal * rz / d
        if 0 <= col < width and 0 <= row < height:
            out.append((f.name, int(col), int(row)))
    return out


def _hidden(height: np.ndarray, scene, x: float, y: float, z: float, samples: int = 16) -> bool:
    """True if terrain rises above the straight line from the camera to (x, y, z)."""
    for k in range(1, samples):
        a = k / samples
        px, py = scene.cam_x + (x - scene.cam_x) * a, scene.cam_y + (y - scene.cam_y) * a
        pz = scene.cam_z + (z - scene.cam_z) * a
        if height[int(math.floor(py)) & MAP_MASK, int(math.floor(px)) & MAP_MASK] > pz:
            return True
    return False


def draw_tags(frame: np.ndarray, tags: list[tuple[str, int, int]]) -> np.ndarray:
    """Write each name centred above its point, white on a dark box (in place). Names are drawn as text, so
    markup in a name is only ever shown, never interpreted; glyphs outside ASCII become '?'."""
    h, w = frame.shape[:2]
    scale = max(0.35, min(0.6, w / 1280))
    for name, col, row in tags:
        text = name.encode("ascii", "replace").decode("ascii")
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        x0 = max(0, min(w - tw - 4, col - tw // 2 - 2))
        y0 = max(0, row - th - base - 4)
        cv2.rectangle(frame, (x0, y0), (x0 + tw + 4, min(h - 1, y0 + th + base + 4)), (20, 24, 32), -1)
        cv2.putText(frame, text, (x0 + 2, y0 + th + 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (245, 245, 245), 1,
                    cv2.LINE_AA)
    return frame
