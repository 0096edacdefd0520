"""The renderer: `render(scene, out)` draws a world Scene into an HxWx3 uint8 RGB frame in a few ms on one core.

Modules: camera (projection), sky (sun, moon, sky, clouds, stars), terrain_pass (VoxelSpace column
ray-caster), sprites + sprite_shapes (z-tested billboards), particles (lava, smoke, embers), weather (rain,
snow, lightning), lighting (shared shading), frame (composition), fixture (a synthetic Scene for tests).
"""
from oyster.render.frame import render

__all__ = ["render"]
