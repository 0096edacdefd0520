"""The pinhole camera of the ray-caster: focal length from the field of view, pitch as a horizon shift.

VoxelSpace-style cameras do not rotate the image plane when looking up or down; they slide the horizon
line instead (a shear). It keeps every screen column a vertical line in the world, which is what lets
the terrain pass march each column independently.
"""
import math
from dataclasses import dataclass

HFOV = math.radians(80.0)   # horizontal field of view
MAX_PITCH = 0.9             # radians; the shear distorts badly beyond this


@dataclass
class Camera:
    focal: float      # pixels per unit of (lateral or vertical offset / depth)
    horizon: float    # screen row of the horizon (pitch 0 -> middle of the screen)
    cx: float         # screen column of the optical axis
    fwd_x: float      # horizontal forward unit vector
    fwd_y: float
    right_x: float    # horizontal right unit vector (forward rotated by -90 degrees)
    right_y: float


def make_camera(scene, width: int, height: int) -> Camera:
    """Camera for `scene` at this resolution; the FOV is fixed horizontally so wider frames see more."""
    focal = (width * 0.5) / math.tan(HFOV * 0.5)
    pitch = max(-MAX_PITCH, min(MAX_PITCH, float(scene.pitch)))
    horizon = height * 0.5 + math.tan(pitch) * focal   # looking up moves the horizon down the screen
    c, s = math.cos(scene.yaw), math.sin(scene.yaw)
    return Camera(focal, horizon, width * 0.5, c, s, s, -c)
