"""Render a trailer: plan the world from the prompt, fly the camera path, encode H.264 MP4, hand back a share code.

World time advances by 1/fps per frame (the world's own step with nothing held: Session.step minus the
player-view frame it would draw and throw away) while each frame is drawn from the path's camera with
`Session.render_from`. The shot lands at the player's own eye pose, so the last frame is exactly what a
visitor sees on stepping into the returned share code (tests/test_trailer.py checks it pixel for pixel).
"""
from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import cv2
import numpy as np

from oyster.trailer.camera import CameraConfig, CameraPath, Pose, build_path
from oyster.trailer.prompt import WorldPlan, plan_world
from oyster.trailer.scout import Scouting, ground, scout

Progress = Callable[..., object]   # called as progress(fraction 0..1, desc="...")
MIN_SECONDS, MAX_SECONDS = 2.0, 20.0
MIN_SIZE, MAX_SIZE = (640, 360), (1920, 1080)


@dataclass
class TrailerConfig:
    fps: int = 30                  # frames per second of video and of world time
    crf: int = 23                  # x264 constant rate factor: lower is better quality and bigger
    preset: str = "superfast"      # x264 speed/size: half the CPU of veryfast for ~12% more bytes at equal PSNR
    warmup_s: float = 6.0          # world seconds stepped before frame 0 so weather has eased in
    snow_warmup_s: float = 24.0    # extra when it snows, so some snow cover has built up (full cover takes 45 s)
    eruption_lead_s: float = 8.0   # an asked-for eruption starts this long before frame 0: smoke and bombs need
                                   # a few seconds to clear the crater rim, so the shot opens on it in full swing
    end_pitch: tuple = (-0.15, 0.3)  # radians; the landing pitch is kept in this range (a natural gaze)
    camera: CameraConfig = field(default_factory=CameraConfig)


@dataclass
class TrailerResult:
    video_path: str
    share_code: str
    plan: WorldPlan
    not_understood: list[str]
    last_frame: np.ndarray                             # HxWx3 uint8, the video's final frame before encoding
    notes: list[str] = field(default_factory=list)     # what could not be honoured (places not found, edits refused)
    timings: dict = field(default_factory=dict)        # seconds per phase


def check_length(seconds) -> float:
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        raise ValueError(f"trailer length must be a number of seconds, got {seconds!r}") from None
    if not math.isfinite(s) or not MIN_SECONDS <= s <= MAX_SECONDS:
        raise ValueError(f"trailer length must be between {MIN_SECONDS:g} and {MAX_SECONDS:g} seconds, got {seconds!r}")
    return s


def check_size(width: int, height: int, minimum: tuple[int, int] = MIN_SIZE) -> None:
    if width % 2 or height % 2:
        raise ValueError(f"trailer size must be even for H.264 yuv420p, got {width}x{height}")
    if not (minimum[0] <= width <= MAX_SIZE[0] and minimum[1] <= height <= MAX_SIZE[1]):
        raise ValueError(f"trailer size must be between {minimum[0]}x{minimum[1]} and "
                         f"{MAX_SIZE[0]}x{MAX_SIZE[1]}, got {width}x{height}")


class Mp4Writer:
    """H.264 (libx264 bundled in PyAV) in MP4, yuv420p, moov atom first (+faststart) so browsers stream it.

    Encoding runs on its own thread (x264 and the RGB->I420 conversion release the GIL), so frame k is
    encoded while frame k+1 renders; the bounded queue keeps memory flat if the encoder falls behind."""

    def __init__(self, path: str, width: int, height: int, cfg: TrailerConfig):
        import av
        self.path = path
        self.container = av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"})
        self.stream = self.container.add_stream("libx264", rate=Fraction(cfg.fps))
        self.stream.width, self.stream.height, self.stream.pix_fmt = width, height, "yuv420p"
        self.stream.options = {"crf": str(cfg.crf), "preset": cfg.preset}
        self._frame = av.VideoFrame
        self._queue: queue.Queue = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self.seconds = 0.0            # time spent converting and encoding, on the encoder thread
        self._thread = threading.Thread(target=self._run, name="trailer-encoder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (rgb := self._queue.get()) is not None:
            if self._error is not None:
                continue   # drain after a failure so write() never blocks
            try:
                t = time.perf_counter()
                # OpenCV's RGB->I420 (BT.601, limited range like swscale's default) is ~10x faster than swscale here
                yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
                for packet in self.stream.encode(self._frame.from_ndarray(yuv, format="yuv420p")):
                    self.container.mux(packet)
                self.seconds += time.perf_counter() - t
            except BaseException as e:   # re-raised on the caller's thread by write() / close()
                self._error = e

    def write(self, rgb: np.ndarray) -> None:
        if self._error is not None:
            raise RuntimeError("video encoding failed") from self._error
        self._queue.put(rgb)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise RuntimeError("video encoding failed") from self._error
        t = time.perf_counter()
        for packet in self.stream.encode():   # flush the encoder's look-ahead
            self.container.mux(packet)
        self.container.close()
        self.seconds += time.perf_counter() - t

    def abort(self) -> None:
        """Stop without flushing and delete the partial file (a failed or cancelled render)."""
        if self._thread.is_alive():
            self._error = self._error or RuntimeError("aborted")
            self._queue.put(None)
            self._thread.join()
        try:
            self.container.close()
        except Exception:   # the container may already be closed or broken; the file goes either way
            pass
        if os.path.exists(self.path):
            os.remove(self.path)


def _player_eye(s) -> Pose:
    from oyster.world.state import EYE_HEIGHT
    p = s.state()["player"]
    return Pose(float(p["x"]), float(p["y"]), float(p["z"]) + EYE_HEIGHT, float(p["yaw"]), float(p["pitch"]))


def _place_player(s, where: Scouting, cfg: TrailerConfig) -> Pose:
    """Teleport the player to the landing spot, facing the main place; return the eye pose the world settled to."""
    main = where.pois[0]
    x, y = where.stand
    eye = ground(where.seed, x, y, where.recipe) + 1.7
    yaw = math.atan2(main.y - y, main.x - x)
    pitch = min(max(math.atan2(main.z - eye, math.dist((x, y), (main.x, main.y))), cfg.end_pitch[0]), cfg.end_pitch[1])
    s.apply({"op": "teleport", "x": x, "y": y, "yaw": yaw, "pitch": pitch})
    return _player_eye(s)


def _apply_plan(s, plan: WorldPlan, notes: list[str]) -> None:
    for edit in plan.edits:
        try:
            s.apply(dict(edit))
        except ValueError as e:   # the world refused it: say so rather than pretend
            notes.append(f"could not apply {edit}: {e}")


def _tick(progress: Progress | None, frac: float, desc: str) -> None:
    if progress is not None:
        progress(frac, desc=desc)


def _warm_up(s, plan: WorldPlan, cfg: TrailerConfig) -> None:
    """Let weather ease in (and snow settle) before frame 0; start an asked-for eruption `eruption_lead_s` early."""
    snowy = any(e["op"] == "weather" and e.get("kind") == "snow" for e in plan.edits)
    dt = 0.25                                    # the most world time one step call accepts
    n = int(round((cfg.warmup_s + (cfg.snow_warmup_s if snowy else 0.0)) / dt))
    erupt_at = max(0, n - int(round(cfg.eruption_lead_s / dt))) if plan.eruption is not None else -1
    for i in range(n):
        if i == erupt_at:
            s.apply(dict(plan.eruption))
        _advance(s, dt)


def setup_world(plan: WorldPlan, width: int, height: int, cfg: TrailerConfig | None = None,
                fixed_seed: bool | None = None):
    """Open the planned world: scout it, land the player, apply the plan's edits and let the weather ease in.

    Returns (session, scouting, eye pose of the player, notes). The caller closes the session."""
    from oyster import Session
    cfg = cfg or TrailerConfig()
    recipe = plan.recipe()
    where = scout(plan.seed, plan.biomes, plan.seed_given if fixed_seed is None else fixed_seed, recipe)
    plan.seed = where.seed
    notes = list(where.notes)
    s = Session(seed=plan.seed, width=width, height=height, recipe=recipe)
    try:
        _place_player(s, where, cfg)
        _apply_plan(s, plan, notes)
        _warm_up(s, plan, cfg)
    except BaseException:
        s.close()
        raise
    return s, where, _player_eye(s), notes


def render_trailer(plan: WorldPlan, seconds: float, path: str, width: int, height: int,
                   progress: Progress | None = None, cfg: TrailerConfig | None = None,
                   fixed_seed: bool | None = None) -> TrailerResult:
    """Render `plan` to an MP4 at `path`. No size minimum here (tests use small frames); make_trailer checks it."""
    cfg = cfg or TrailerConfig()
    t0 = time.perf_counter()
    _tick(progress, 0.0, "building the world")
    s, where, end, notes = setup_world(plan, width, height, cfg, fixed_seed)
    timings = {"setup": time.perf_counter() - t0}
    try:
        cam = build_path(where.pois, end, _ground_of(s, where.recipe), seconds, cfg.fps, cfg.camera,
                         close=plan.eruption is not None)
        timings["path"] = time.perf_counter() - t0 - timings["setup"]
        last = _film(s, cam, plan, path, width, height, cfg, progress, timings)
        if _player_eye(s) != end:   # physics moved the player during the shot: put them back at the landing pose
            s.apply({"op": "teleport", "x": end.x, "y": end.y, "yaw": end.yaw, "pitch": end.pitch})
        code = s.share_code()
    finally:
        s.close()
    timings["total"] = time.perf_counter() - t0
    _tick(progress, 1.0, "done")
    return TrailerResult(path, code, plan, list(plan.not_understood), last, notes, timings)


def _ground_of(s, recipe):
    """The world's own (edited) height query; never below the water surface of the recipe's world."""
    from oyster.world.scene import WATER_LEVEL
    world = s.world
    water = WATER_LEVEL + recipe.water.level if recipe.water.enabled else -math.inf
    return lambda x, y: max(world.land.ground(x, y), water)


def _advance(s, dt: float) -> None:
    """World time and physics only (Session.advance): Session.step would also draw the player's view, which a
    trailer never shows."""
    s.advance(dt)


def _film(s, cam: CameraPath, plan: WorldPlan, path: str, width: int, height: int, cfg: TrailerConfig,
          progress: Progress | None, timings: dict) -> np.ndarray:
    """Step the world and draw each frame from the camera path into the MP4; return the last frame."""
    tmp = f"{path}.part{os.getpid()}.mp4"
    writer = Mp4Writer(tmp, width, height, cfg)
    t_step = t_draw = 0.0
    frame = None
    try:
        for i in range(len(cam)):
            a = time.perf_counter()
            _advance(s, 1.0 / cfg.fps)
            b = time.perf_counter()
            p = cam.pose(i)
            frame = s.render_from(p.x, p.y, p.z, p.yaw, p.pitch)
            t_step, t_draw = t_step + b - a, t_draw + time.perf_counter() - b
            writer.write(frame)
            if i % 5 == 0 or i == len(cam) - 1:
                _tick(progress, 0.02 + 0.96 * (i + 1) / len(cam), f"frame {i + 1}/{len(cam)}")
        c = time.perf_counter()
        writer.close()
        timings["encode_wait"] = time.perf_counter() - c
        os.replace(tmp, path)
    except BaseException:
        writer.abort()
        raise
    timings.update(step=t_step, render=t_draw, encode=writer.seconds)
    return np.array(frame, copy=True)


def make_trailer(prompt: str, seconds: float, path: str, progress: Progress | None = None, *,
                 width: int = 640, height: int = 360, seed: int | None = None,
                 cfg: TrailerConfig | None = None) -> TrailerResult:
    """Prompt -> H.264 MP4 trailer at `path` + the share code of the world where it ends (640x360 or larger)."""
    seconds = check_length(seconds)
    check_size(int(width), int(height))
    plan = plan_world(prompt, seed=seed)
    return render_trailer(plan, seconds, path, int(width), int(height), progress, cfg, fixed_seed=plan.seed_given)
