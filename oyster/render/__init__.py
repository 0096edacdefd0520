"""The renderer: `render(scene, out)` draws a world Scene into an HxWx3 uint8 RGB frame in a few ms on one core.

Modules: camera (projection), params + param_slots (per-frame constants for the kernels), sky (sun, moon, sky
gradient, clouds, stars), lighting (shared shading and fog), terrain_pass (VoxelSpace column ray-caster),
water (ripples, fresnel, glint), sprites + sprite_shapes (z-tested procedural billboards), particles (lava
bombs, smoke, embers), weather (rain, snow, lightning), frame (composition), fixture (a synthetic Scene for
tests, the benchmark and the contact sheet).

numba's on-disk cache (cache=True) is invalidated only by edits to the file that defines a kernel, not to
the helpers it calls from other modules: after editing a helper module, delete
oyster/render/__pycache__/*.nbi and *.nbc (or the kernels keep running the old helper).
"""
from oyster.render.frame import render, warm_up

__all__ = ["render", "warm_up"]
