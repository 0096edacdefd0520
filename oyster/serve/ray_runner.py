"""RayRunner: the Runner seam served by a Ray cluster. Sessions live in host actors (many per host), the seat cap,
the line, placements and snapshots in one directory actor; this page server only streams and forwards.

    OYSTER_RUNNER=ray python app.py       # joins RAY_ADDRESS when set, else starts a loopback-only local Ray

Frames come from the host as a Ray streaming generator. When a host dies, stalls or is drained, the stream says
"Reconnecting…", the session is restored on another host from its newest snapshot (at most half a second old, and
taken right after every command), and play goes on. Any page server can reach any session (named actors).
"""
import logging
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from oyster.serve.checks import (
    InputError,
    RunnerFull,
    UnknownSession,
    check_held,
    check_id,
    check_key_input,
    check_look,
    check_world_args,
    clip,
    closed_message,
    parse_key_payload,
)
from oyster.serve.config import ServeConfig
from oyster.serve.encode import data_url, encode_jpeg, parse_data_url
from oyster.serve.ratelimit import RateLimits, default_rates
from oyster.serve.ray_boot import NAMESPACE, connect
from oyster.serve.ray_host import unwrap
from oyster.serve.visitor import waiting_frame

log = logging.getLogger(__name__)
DIRECTORY = "oyster-directory"
RECONNECTING = "Reconnecting…"


@dataclass
class RayOptions:
    """How many hosts, how big, how watched. Env: OYSTER_RAY_HOSTS, OYSTER_RAY_HOST_SEATS, OYSTER_RAY_HOST_CPUS."""
    hosts: int = 2                   # host actors (one per 1-2 cores is a good start)
    host_seats: int = 0              # sessions one host takes before placement prefers another; 0 = spread evenly
    host_cpus: float = 1.0           # CPUs Ray reserves per host
    host_resources: dict = field(default_factory=dict)   # e.g. {"oyster_host": 1} to pin hosts to prepared nodes
    snapshot_period_s: float = 0.5   # snapshots leave the host at least this often
    stall_s: float = 5.0             # a host that answers no ping, or makes no frame, for this long is replaced
    first_frame_s: float = 60.0      # a restore may take this long to show its first frame
    supervise: bool = True           # watch the hosts from this page server

    @classmethod
    def from_env(cls, **overrides) -> "RayOptions":
        opt = cls(**overrides)
        for name, kind in (("hosts", int), ("host_seats", int), ("host_cpus", float)):
            raw = os.environ.get(f"OYSTER_RAY_{name.upper()}")
            if raw and name not in overrides:
                setattr(opt, name, kind(raw))
        if opt.hosts < 1:
            raise ValueError("OYSTER_RAY_HOSTS must be >= 1")
        return opt


@dataclass
class _Visitor:
    """What this page server keeps per session: the newest input seq and held set, frame-id offset, last frame."""
    seq: int = -1
    held: frozenset = frozenset()
    fid_base: int = 0          # frame ids keep growing across a move to another host
    fid: int = 0
    host: str | None = None    # where inputs go; updated when the session moves
    url: str | None = None     # the newest frame's data URL (decoded only when a side view asks)


class RayRunner:
    def __init__(self, config: ServeConfig | None = None, options: RayOptions | None = None, session_factory=None):
        import ray
        self.cfg = config or ServeConfig.from_env()
        self.limits = RateLimits(default_rates(self.cfg))   # per client; the page and the API take from them
        self.opt = options or RayOptions.from_env()
        self.started_local = connect()
        self._ray = ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from oyster.serve.ray_directory import Directory
        from oyster.serve.ray_host import SessionHost
        seats = self.opt.host_seats or math.ceil(self.cfg.max_players / self.opt.hosts)
        lifetime = None if self.started_local else "detached"
        # The directory holds every session's snapshot, so it lives on this page server's node (the head in the
        # README's layout), never on a host node that may die with its sessions; left to Ray it could land anywhere.
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        self.directory = ray.remote(Directory).options(
            name=DIRECTORY, namespace=NAMESPACE, get_if_exists=True, lifetime=lifetime, num_cpus=0,
            max_restarts=0, scheduling_strategy=here).remote(self.cfg.max_players, self.cfg.max_waiting, seats)
        host_cfg = {k: getattr(self.cfg, k) for k in self.cfg.__dataclass_fields__}
        host_cfg |= {"max_players": 2 * seats + 4, "max_waiting": 0}   # headroom for sessions moved in on failover
        self._host_cls = ray.remote(SessionHost)
        self._host_args = (host_cfg, self.directory, self.opt.snapshot_period_s, session_factory)
        self._host_opts = dict(namespace=NAMESPACE, get_if_exists=True, lifetime=lifetime, max_restarts=-1,
                               max_task_retries=0, num_cpus=self.opt.host_cpus, resources=self.opt.host_resources,
                               max_concurrency=4 * (2 * seats + 4) + 16)
        self._handles: dict[str, object] = {}
        self.host_names = [f"oyster-host-{i}" for i in range(self.opt.hosts)]
        for name in self.host_names:
            self._handles[name] = self._host_cls.options(name=name, **self._host_opts).remote(name, *self._host_args)
        ray.get([h.ping.remote() for h in self._handles.values()], timeout=300)
        self._visitors: dict[str, _Visitor] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self.recoveries: list[float] = []     # seconds from a lost stream to the restored session's first frame
        self._watch = None
        if self.opt.supervise:
            self._watch = threading.Thread(target=self._supervise, daemon=True, name="oyster-ray-watch")
            self._watch.start()

    # ---- plumbing --------------------------------------------------------------------------------------------
    def _d(self, method: str, *args, timeout: float = 30.0):
        return self._ray.get(getattr(self.directory, method).remote(*args), timeout=timeout)

    def _handle(self, name: str):
        h = self._handles.get(name)
        if h is None:
            h = self._handles[name] = self._ray.get_actor(name, namespace=NAMESPACE)
        return h

    def _visitor(self, sid: str) -> _Visitor:
        with self._lock:
            v = self._visitors.get(sid)
        if v is not None:
            return v
        if not isinstance(sid, str) or self._d("status", sid)["status"] not in ("active", "waiting"):
            raise UnknownSession(f"No open session {clip(str(sid), 40)!r} (closed, timed out, or never opened).")
        with self._lock:
            return self._visitors.setdefault(sid, _Visitor())

    def _where(self, sid: str) -> str:
        """The host holding a seated session, restoring it elsewhere first if its host is lost."""
        st = self._d("status", sid)
        if st["status"] == "waiting":
            raise InputError(self.line_message(st["position"]))
        if st["status"] != "active":
            raise UnknownSession(f"No open session {clip(sid, 40)!r} (closed, timed out, or never opened).")
        return st["host"] if st["host"] is not None else self._recover(sid, None)

    def _recover(self, sid: str, failed: str | None) -> str:
        """Put a session whose host failed on another host from its newest snapshot; returns the new host."""
        deadline = time.monotonic() + self.opt.first_frame_s
        while True:
            mv = self._d("move", sid, failed)
            if mv["host"] is not None:
                break
            if mv["args"] is None and self._d("status", sid)["status"] != "active":
                raise UnknownSession("This world was closed.")
            if time.monotonic() > deadline:
                raise UnknownSession("No host is available to continue this world; reload to try again.")
            time.sleep(0.2)   # every host is down or draining: wait for one to come back
        seed, prompt, code = mv["args"] or (0, "", "")
        t0 = time.monotonic()
        reply = self._handle(mv["host"]).open.remote(sid, seed, prompt, code, mv["snapshot"], False)
        unwrap(self._ray.get(reply, timeout=self.opt.first_frame_s))
        log.info("restored on %s in %.2f s", mv["host"], time.monotonic() - t0)
        return mv["host"]

    def _on_host(self, sid: str, method: str, *args, timeout: float = 120.0):
        """Call a host method for a session; a dead host is replaced (restored from snapshot) and the call retried."""
        from ray.exceptions import ActorDiedError, ActorUnavailableError, GetTimeoutError, RayActorError
        host = self._where(sid)
        for attempt in range(3):
            try:
                return unwrap(self._ray.get(getattr(self._handle(host), method).remote(sid, *args), timeout=timeout))
            except UnknownSession:
                if attempt == 2 or self._d("status", sid)["status"] != "active":
                    raise
                host = self._recover(sid, host)      # the host restarted empty under us
            except (RayActorError, ActorDiedError, ActorUnavailableError, GetTimeoutError):
                if attempt == 2:
                    raise
                host = self._recover(sid, host)
        raise AssertionError("unreachable")

    # ---- lifecycle -------------------------------------------------------------------------------------------
    def open(self, session_id: str, seed: int = 0, prompt: str = "", share_code: str = "",
             client: str = "") -> dict:
        check_id(session_id)
        seed, prompt, share_code = check_world_args(seed, prompt, share_code)
        self.limits.take("open", client)     # per-client open rate (seat counts per client: in-process Runner only)
        seat = self._d("admit", session_id, [seed, prompt, share_code])
        if seat["status"] == "full":
            raise RunnerFull(f"All {self.cfg.max_players} seats and all {self.cfg.max_waiting} places in line "
                             "are taken. Please try again in a few minutes.")
        with self._lock:
            self._visitors.setdefault(session_id, _Visitor())
        info = {"session_id": session_id, "status": seat["status"], "position": seat["position"], "message": "",
                "warning": "", "seed": seed, "fps": self.cfg.fps, "width": self.cfg.width, "height": self.cfg.height}
        if seat["status"] == "waiting":
            info["message"] = self.line_message(seat["position"])
            return info
        host = seat["host"] if seat["host"] is not None else self._recover(session_id, None)
        self._visitors[session_id].host = host
        reply = self._ray.get(self._handle(host).open.remote(session_id, seed, prompt, share_code), timeout=300)
        info["warning"] = unwrap(reply)["warning"]
        return info

    def close(self, session_id: str, reason: str = "closed") -> bool:
        if not isinstance(session_id, str):
            return False
        with self._lock:
            self._visitors.pop(session_id, None)
        out = self._d("release", session_id, reason)
        if out["host"] is not None:   # waited for, so a quick re-open of the same id cannot race the close
            try:
                self._ray.get(self._handle(out["host"]).close.remote(session_id, reason), timeout=10)
            except Exception:  # noqa: BLE001 - a dead host has closed it anyway; the seat is free already
                log.warning("host %s did not confirm closing a session", out["host"])
        return out["released"]

    def line_message(self, position: int) -> str:
        seats = "The only seat is" if self.cfg.max_players == 1 else f"All {self.cfg.max_players} seats are"
        return (f"{seats} taken: you are number {position} in line. "
                "Your world starts as soon as a seat frees up.")

    # ---- inputs ----------------------------------------------------------------------------------------------
    def send_input(self, session_id: str, seq: int, held: Iterable[str], ack: int | None = None,
                   age_ms: float = 0.0, look=None) -> bool:
        """Checked here, then sent to the host without waiting (the host drops replays by seq as well)."""
        v = self._visitor(session_id)
        seq, names, (dyaw, dpitch), ack, age_ms = check_key_input(seq, held, look, ack, age_ms)
        if ack is not None:
            ack = max(0, ack - v.fid_base)
        with self._lock:
            if seq <= v.seq:
                return False
            v.seq, v.held = seq, names
        host = v.host or self._d("status", session_id)["host"]
        if host is not None:
            self._handle(host).send_input.remote(session_id, seq, sorted(names), ack, age_ms,
                                                 None if look is None else [dyaw, dpitch])
        return True

    def send_payload(self, session_id: str, payload: str) -> bool:
        msg = parse_key_payload(payload)
        return self.send_input(session_id, msg["seq"], msg["held"], msg.get("ack"), msg.get("age", 0.0),
                               msg.get("look"))

    def step_once(self, session_id: str, held: Iterable[str] = (), steps: int = 1, dt: float | None = None,
                  quality: int | None = None, look=None) -> dict:
        v = self._visitor(session_id)
        names = check_held(held)
        check_look(look)
        out = self._on_host(session_id, "step_once", sorted(names), steps, dt, quality, look)
        with self._lock:
            v.seq += 1
            v.held = names
        return out

    def frames(self, session_id: str) -> Iterator[dict]:
        """Packets as the in-process runner sends them, plus {"message": "Reconnecting…"} while a session moves."""
        v = self._visitor(session_id)
        while True:   # the line, polled here: the directory seats the head when someone leaves
            st = self._d("status", session_id)
            if st["status"] == "waiting":
                msg = self.line_message(st["position"])
                url = data_url(encode_jpeg(waiting_frame(msg, self.cfg), 70), 0, -1)
                yield {"url": url, "frame_id": 0, "seq": -1, "message": msg}
                time.sleep(0.5)
                continue
            if st["status"] != "active":
                yield {"message": closed_message(st.get("reason", ""), self.cfg), "done": True}
                return
            break
        host = v.host = self._where(session_id)
        seed, prompt, code = st["args"] or (0, "", "")
        unwrap(self._ray.get(self._handle(host).open.remote(session_id, seed, prompt, code, None, False),
                             timeout=300))
        lost_at = None
        while True:
            failed = moved = None
            try:
                for packet in self._stream(host, session_id, v):
                    if packet.get("moved") or packet.get("gone"):
                        failed, moved = (host, None) if packet.get("gone") else (None, host)
                        break
                    if lost_at is not None and "url" in packet:
                        self.recoveries.append(time.monotonic() - lost_at)
                        lost_at = None
                    yield packet
                    if packet.get("done"):
                        self.close(session_id, "ended")
                        return
                else:
                    failed = host
            except _HostLost:
                failed = host
            if self._d("status", session_id)["status"] != "active":
                yield {"message": closed_message("", self.cfg), "done": True}
                return
            if lost_at is None:
                lost_at = time.monotonic()
            yield {"message": RECONNECTING, "reconnecting": True}
            with self._lock:
                v.fid_base = v.fid
            try:
                t0 = time.monotonic()
                if moved:   # drained: whoever drains re-places it from an exact snapshot; wait for that
                    host = self._moved_from(session_id, moved)
                host = v.host = self._recover(session_id, failed) if failed else self._where(session_id)
                log.info("session moved from %s to %s in %.2f s (lost %.2f s ago)", failed or moved, host,
                         time.monotonic() - t0, time.monotonic() - lost_at)
            except UnknownSession as e:
                yield {"message": str(e), "done": True}
                return
            except Exception:  # noqa: BLE001 - the cluster could not take the session back: say so, do not crash
                log.exception("a session could not be restored")
                self.close(session_id, "error")
                yield {"message": "Your world could not be moved to another server. Reload to play again.",
                       "done": True}
                return

    def _moved_from(self, sid: str, old: str) -> str:
        deadline = time.monotonic() + self.opt.first_frame_s
        while time.monotonic() < deadline:
            st = self._d("status", sid)
            if st["status"] != "active" or st["host"] != old:
                return st["host"]
            time.sleep(0.05)
        return old

    def _stream(self, host: str, sid: str, v: _Visitor) -> Iterator[dict]:
        """One host's frame stream for a session, frame ids shifted past earlier hosts'; _HostLost on failure."""
        from ray.exceptions import RayError
        try:
            gen = self._handle(host).frames.options(num_returns="streaming",
                                                   _generator_backpressure_num_objects=2).remote(sid)
        except RayError as e:
            raise _HostLost(host) from e
        wait = self.opt.first_frame_s
        try:
            while True:
                ready, _ = self._ray.wait([gen], timeout=wait)
                if not ready:
                    log.info("no frame from %s for %.1f s", host, wait)
                    raise _HostLost(host)         # stalled: no frame for too long
                try:
                    packet = self._ray.get(next(gen))
                except StopIteration:
                    return
                wait = self.opt.stall_s
                if "url" in packet and packet.get("frame_id"):
                    fid = packet["frame_id"] + v.fid_base
                    if v.fid_base:   # after a move: re-number (the first host's frames pass through untouched)
                        meta, jpeg = parse_data_url(packet["url"])
                        packet["frame_id"] = fid
                        packet["url"] = data_url(jpeg, fid, meta.get("seq", -1))
                    with self._lock:
                        v.fid, v.url = fid, packet["url"]
                yield packet
        except RayError as e:
            log.info("stream from %s failed: %s", host, type(e).__name__)
            raise _HostLost(host) from e
        finally:
            try:
                self._ray.cancel(gen)
            except Exception:  # noqa: BLE001 - the stream may already be gone with its host
                pass

    def dream_frames(self, session_id: str) -> Iterator[dict]:
        """The session's dream, made in its host (one batched model step for all of that host's dreamers):
        {"url", "psnr", "since_anchor", "anchored"} per dream frame, {"waiting": True} before the engine has
        frames, and a last {"message", "done"}. Closing the iterator takes the session out of Dream mode."""
        from ray.exceptions import RayError
        self._visitor(session_id)
        host = self._where(session_id)
        ticket = os.urandom(8).hex()
        try:
            gen = self._handle(host).dream_frames.options(
                num_returns="streaming", _generator_backpressure_num_objects=2).remote(session_id, ticket)
            for ref in gen:
                packet = self._ray.get(ref)
                if packet.get("gone"):
                    break
                yield packet
                if packet.get("done"):
                    return
        except RayError:
            pass
        finally:
            try:
                self._handle(host).dream_stop.remote(session_id, ticket)
            except Exception:  # noqa: BLE001 - a lost host has stopped dreaming anyway
                pass
        yield {"message": "Dream stopped while your world moved to another server. Press Dream along again.",
               "done": True}

    # ---- commands, snapshot, state ---------------------------------------------------------------------------
    def command(self, session_id: str, text: str) -> dict:
        self._visitor(session_id)
        if not isinstance(text, str):
            raise InputError("the command must be text")
        text = text.strip()
        if not text:
            raise InputError("type something for the world to do, e.g. 'make it rain'")
        if len(text) > self.cfg.max_command_chars:
            raise InputError(f"that message is {len(text):,} characters; the limit is {self.cfg.max_command_chars}")
        out = self._on_host(session_id, "command", text)
        snap = out.pop("snapshot", None)
        if snap is not None:   # the edit is kept outside the host before the visitor sees the reply
            st = self._d("status", session_id)
            if st["host"] is not None:
                self._d("put_snapshots", st["host"], {session_id: snap}, {})
        return out

    def log(self, session_id: str) -> list[tuple[str, str]]:
        self._visitor(session_id)
        if self._d("status", session_id)["status"] == "waiting":
            return []
        return [tuple(x) for x in self._on_host(session_id, "log")]

    def log_line(self, session_id: str, who: str, text: str) -> None:
        self._visitor(session_id)
        if self._d("status", session_id)["status"] == "active":
            self._on_host(session_id, "log_line", who, text)

    def snapshot(self, session_id: str) -> str:
        self._visitor(session_id)
        if self._d("status", session_id)["status"] == "waiting":
            raise InputError("your world has not started yet")
        return self._on_host(session_id, "share_code")

    def set_quality(self, session_id: str, mode: str) -> dict:
        """The visitor's frame quality, set in its host (a session restored elsewhere starts at the default)."""
        self._visitor(session_id)
        if self._d("status", session_id)["status"] == "waiting":
            raise InputError("your world has not started yet")
        return self._on_host(session_id, "set_quality", mode)

    def state(self, session_id: str) -> dict:
        self._visitor(session_id)
        if self._d("status", session_id)["status"] == "waiting":
            return {}
        return self._on_host(session_id, "state")

    def held(self, session_id: str) -> tuple[int, frozenset]:
        v = self._visitor(session_id)
        return v.seq, v.held

    def latest_frame(self, session_id: str) -> tuple[int, np.ndarray | None]:
        """The newest frame this page server streamed (decoded from its JPEG), for side views."""
        v = self._visitor(session_id)
        if v.url is None:
            return v.fid, None
        bgr = cv2.imdecode(np.frombuffer(parse_data_url(v.url)[1], np.uint8), cv2.IMREAD_COLOR)
        return v.fid, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    # ---- operations ------------------------------------------------------------------------------------------
    def drain(self, host: str) -> list[str]:
        """Move every session off `host` with nothing lost (rolling restart); returns the ids moved.

        New sessions stop going there; each session is snapshotted exactly as it is, closed there and opened on
        the least-loaded other host; its stream shows "Reconnecting…" for a moment. `undrain` reopens the host.
        """
        self._d("set_draining", host, True)
        self._ray.get(self._handle(host).release_all.remote(), timeout=120)   # stores the snapshots itself
        moved = []
        for sid in self._d("set_draining", host, True):
            self._recover(sid, host)
            moved.append(sid)
        return moved

    def undrain(self, host: str) -> None:
        self._d("set_draining", host, False)

    def _supervise(self) -> None:
        """Once a second: ping every host; one that died, or answers no ping or makes no frame for stall_s, is
        replaced (Ray restarts it empty) and its sessions are restored elsewhere by the streams that held them."""
        from ray.exceptions import RayError
        since: dict[str, float] = {}     # host -> when it was first seen stalled, in this run of checks
        while not self._stop.wait(1.0):
            try:
                refs = {name: self._handle(name).ping.remote() for name in self.host_names}
                ready, _ = self._ray.wait(list(refs.values()), num_returns=len(refs), timeout=self.opt.stall_s)
                now = time.monotonic()
                for name, ref in refs.items():
                    verdict = "stalled"
                    if ref in ready:
                        try:
                            verdict = "ok" if self._ray.get(ref)["frame_age_s"] < self.opt.stall_s else "stalled"
                        except RayError:
                            verdict = "dead"
                    if verdict == "stalled" and now - since.setdefault(name, now) < self.opt.stall_s:
                        continue   # stalled for stall_s in a row before it is replaced
                    since.pop(name, None)
                    if verdict != "ok":
                        log.warning("host %s is %s: its sessions move to other hosts", name, verdict)
                    if verdict == "ok" and not self._d("overview")["hosts"].get(name, {}).get("up", True):
                        self._d("host_alive", name)
                    elif verdict == "dead":
                        self._d("host_down", name)
                    elif verdict == "stalled":
                        self._d("host_down", name)
                        self._ray.kill(self._handle(name), no_restart=False)
            except Exception:  # noqa: BLE001 - the watcher must outlive a flaky cluster
                if self._stop.is_set():
                    return

    def stats(self) -> dict:
        """Cluster totals in the in-process runner's keys, plus "hosts": one entry per host (sessions, fps,
        CPU ms per frame, frame time p50/p99, node) and "directory": seats, line, moves."""
        from ray.exceptions import RayError
        over = self._d("overview")
        hosts = []
        refs = {n: self._handle(n).stats.remote() for n in self.host_names}
        for name, ref in refs.items():
            try:
                st = self._ray.get(ref, timeout=5)
            except RayError:
                st = {"host": name, "down": True}
            hosts.append(st)
        up = [h for h in hosts if not h.get("down")]
        fps = [h["fps_mean"] for h in up if h.get("sessions_active")]
        sent = sum(h.get("frames_sent", 0) for h in up)
        return {
            "runner": "ray", "sessions_active": over["seated"], "sessions_waiting": over["waiting"],
            "max_players": self.cfg.max_players, "target_fps": self.cfg.fps,
            "fps_mean": round(float(np.mean(fps)), 2) if fps else 0.0,
            "fps_min": min((h["fps_min"] for h in up if h.get("sessions_active")), default=0.0),
            "frame_ms_p50": max((h["frame_ms_p50"] for h in up), default=0.0),
            "frame_ms_p99": max((h["frame_ms_p99"] for h in up), default=0.0),
            "frames_sent": sent, "frames_dropped": sum(h.get("frames_dropped", 0) for h in up),
            "stale_inputs": sum(h.get("stale_inputs", 0) for h in up), "per_session": [],
            "hosts": hosts, "directory": over, "recoveries_s": [round(x, 2) for x in self.recoveries[-20:]],
        }

    def session_ids(self) -> list[str]:
        return self._d("session_ids")

    def shutdown(self) -> None:
        """Close this page server's sessions and stop watching; a local Ray started here stops too."""
        self._stop.set()
        with self._lock:
            mine = list(self._visitors)
        for sid in mine:
            try:
                self.close(sid, "shutdown")
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        if self._watch is not None:
            self._watch.join(timeout=10)
        if self.started_local:
            self._ray.shutdown()


class _HostLost(Exception):
    """The host of a stream died, stalled or dropped the session."""
