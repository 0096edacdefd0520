"""The read-only snapshot of the world that the renderer draws: built by `World.scene()` each frame.

Everything is plain numbers and numpy arrays so numba kernels can read it directly. Rendering never
mutates the world; the Scene is the only thing crossing from world/ to render/.
"""
from dataclasses import dataclass, field

import numpy as np

# The terrain around the player lives in a toroidal ring map: world cell (ix, iy) is stored at
# [iy & MAP_MASK, ix & MAP_MASK]. The world keeps every chunk within draw distance loaded in it.
CELL = 1.0                # metres per heightfield cell
CHUNK = 64                # cells per chunk side
MAP_SIZE = 1024           # cells per ring-map side (power of two)
MAP_MASK = MAP_SIZE - 1
DRAW_DISTANCE = 440.0     # metres; must stay below MAP_SIZE * CELL / 2 minus a chunk
WATER_LEVEL = 0.0         # metres; the sea and lakes fill every cell below it

# material layer values
MAT_LAND, MAT_WATER, MAT_LAVA, MAT_ROCK = 0, 1, 2, 3


@dataclass
class RingMap:
    """Height, albedo and material of the terrain near the player, indexed [iy & MAP_MASK, ix & MAP_MASK]."""
    height: np.ndarray = field(default_factory=lambda: np.zeros((MAP_SIZE, MAP_SIZE), np.float32))       # metres
    color: np.ndarray = field(default_factory=lambda: np.zeros((MAP_SIZE, MAP_SIZE, 3), np.uint8))       # albedo RGB
    material: np.ndarray = field(default_factory=lambda: np.zeros((MAP_SIZE, MAP_SIZE), np.uint8))       # MAT_*
    heat: np.ndarray = field(default_factory=lambda: np.zeros((MAP_SIZE, MAP_SIZE), np.float32))  # lava glow 0..1
    # highest height written into each chunk slot [cy & 15, cx & 15] (kept by every chunk write): the true
    # maximum of the whole map is slot_max.max(), cheap enough per frame
    slot_max: np.ndarray = field(
        default_factory=lambda: np.full((MAP_SIZE // CHUNK, MAP_SIZE // CHUNK), -1e9, np.float32))


@dataclass
class Scene:
    # camera (eye position), metres and radians; yaw 0 looks along +x, counter-clockwise; pitch > 0 looks up
    cam_x: float
    cam_y: float
    cam_z: float
    yaw: float
    pitch: float
    hour: float               # 0..24
    time: float               # seconds of world time since the session began (animation phase)
    # weather levels, each 0..1, already eased (transitions are smooth)
    rain: float
    snow: float
    fog: float
    storm: float
    snow_cover: float         # 0..1 white on the ground, builds up while snowing
    wind_x: float             # metres/second
    wind_y: float
    lightning: float          # 0..1 flash brightness this frame
    ring: RingMap
    # sprites, one row each (all arrays the same length N)
    sprite_xyz: np.ndarray    # (N, 3) float32, feet position in metres
    sprite_kind: np.ndarray   # (N,) int32, index into kinds.KINDS
    sprite_action: np.ndarray # (N,) int32, index into kinds.ACTIONS
    sprite_phase: np.ndarray  # (N,) float32, seconds into the current action (animation)
    sprite_scale: np.ndarray  # (N,) float32, size multiplier (1 = the kind's usual size)
    # particles (lava bombs, smoke, embers), one row each
    particle_xyz: np.ndarray  # (M, 3) float32
    particle_kind: np.ndarray # (M,) int32, index into kinds.PARTICLES
    particle_size: np.ndarray # (M,) float32, metres
    # optional extras (synthetic scenes may leave them out; the renderer then derives them)
    sprite_seed: np.ndarray | None = None   # (N,) int32 >= 0, stable per entity id: a character's look
    max_height: float | None = None         # metres: the highest terrain anywhere in `ring` (early out)
    look: object = None                     # recipe_pack.Look of a non-default recipe (sky, water, leaves), or None
