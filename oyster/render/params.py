"""Per-frame render parameters packed into one float32 vector, so numba kernels take a single argument.

`frame_params(scene, width, height)` computes camera, sun/moon, sky colours, fog and weather levels once
per frame in Python (a few dozen scalars); the kernels index the vector with the named slots below.
"""
import math

import numpy as np

from oyster.render import param_slots as S
from oyster.render.camera import Camera, make_camera
from oyster.render.sky import SkyLight, sky_light

MAX_HEIGHT_STRIDE = 4      # cells between the samples of the cheap max-height estimate
MAX_HEIGHT_MARGIN = 30.0   # metres added to it: how much higher a peak between samples may plausibly be


def max_height_bound(height: np.ndarray) -> float:
    """Upper bound of terrain height for the ray-caster's early out, from a strided sample (~20 us, not
    ~400 us for the full 4 MB scan). A peak above it would only be clipped beyond the point of early out."""
    return float(height[::MAX_HEIGHT_STRIDE, ::MAX_HEIGHT_STRIDE].max()) + MAX_HEIGHT_MARGIN


def frame_params(scene, width: int, height: int) -> np.ndarray:
    """Pack everything the kernels need about this frame into a float32 vector (see slots above)."""
    cam: Camera = make_camera(scene, width, height)
    light: SkyLight = sky_light(scene)
    p = np.zeros(S.N_PARAMS, np.float32)
    p[S.FOCAL], p[S.HORIZON], p[S.CX] = cam.focal, cam.horizon, cam.cx
    p[S.CAM_X], p[S.CAM_Y], p[S.CAM_Z] = scene.cam_x, scene.cam_y, scene.cam_z
    p[S.FWD_X], p[S.FWD_Y], p[S.RIGHT_X], p[S.RIGHT_Y] = cam.fwd_x, cam.fwd_y, cam.right_x, cam.right_y
    p[S.TIME] = scene.time % 100000.0   # keep float32 animation phases precise
    p[S.SUN:S.SUN + 3] = light.sun_dir
    p[S.SUN_COL:S.SUN_COL + 3] = light.sun_col
    p[S.MOON:S.MOON + 3] = light.moon_dir
    p[S.MOON_COL:S.MOON_COL + 3] = light.moon_col
    p[S.AMBIENT:S.AMBIENT + 3] = light.ambient
    p[S.ZENITH:S.ZENITH + 3] = light.zenith
    p[S.HORIZON_COL:S.HORIZON_COL + 3] = light.horizon
    p[S.GLOW_COL:S.GLOW_COL + 3] = light.glow
    p[S.FOG_DENSITY] = light.fog_density
    p[S.CLOUD_COVER] = light.cloud_cover
    p[S.CLOUD_COL:S.CLOUD_COL + 3] = light.cloud_col
    p[S.STARS] = light.stars
    p[S.RAIN], p[S.SNOW], p[S.FOGW], p[S.STORM] = scene.rain, scene.snow, scene.fog, scene.storm
    p[S.SNOW_COVER] = scene.snow_cover
    p[S.WIND_X], p[S.WIND_Y] = scene.wind_x, scene.wind_y
    p[S.LIGHTNING] = scene.lightning
    p[S.SUN_DISC], p[S.MOON_DISC] = light.sun_disc, light.moon_disc
    p[S.WIDTH], p[S.HEIGHT] = width, height
    mh = getattr(scene, "max_height", None)     # exact when the world provides it, else a strided estimate
    p[S.MAX_HEIGHT] = float(mh) + 0.01 if mh is not None else max_height_bound(scene.ring.height)
    p[S.YAW] = scene.yaw % (2 * math.pi)
    # sun in the camera basis, used to shade billboards as if they were round
    lk = getattr(scene, "look", None)
    if lk is not None:
        if lk.leaf is not None:
            p[S.LEAF_ON], p[S.LEAF:S.LEAF + 3] = 1.0, lk.leaf
        if lk.water is not None:
            p[S.WATER_ON], p[S.WATER_DEEP:S.WATER_DEEP + 3] = 1.0, lk.water
    s = light.sun_dir if light.sun_dir[2] > -0.05 else light.moon_dir
    p[S.SUN_CAM] = s[0] * cam.right_x + s[1] * cam.right_y
    p[S.SUN_CAM + 1] = s[2]
    p[S.SUN_CAM + 2] = -(s[0] * cam.fwd_x + s[1] * cam.fwd_y)
    return p
