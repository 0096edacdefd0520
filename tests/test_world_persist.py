"""Share codes: a round trip rebuilds the same world at the same moment; bad codes are rejected."""
import base64
import hashlib
import json
import zlib

import numpy as np
import pytest

from oyster import Session
from oyster.world import chunks, persist
from oyster.world.scene import CHUNK, MAP_MASK

W, H = 160, 90


def scene_digest(s: Session) -> str:
    """Hash of everything the renderer reads: the scene scalars, the loaded ring cells, sprites and particles."""
    w = s.world
    sc = w.scene()
    h = hashlib.sha256()
    h.update(repr([getattr(sc, k) for k in ("cam_x", "cam_y", "cam_z", "yaw", "pitch", "hour", "time", "rain",
                                            "snow", "fog", "storm", "snow_cover", "wind_x", "wind_y",
                                            "lightning")]).encode())
    cx0, cx1, cy0, cy1 = w.cache._range     # the square the scene needs (other slots may hold older chunks)
    for c in (w.cache.get(cx, cy) for cy in range(cy0, cy1 + 1) for cx in range(cx0, cx1 + 1)):
        sy, sx = (c.cy * CHUNK) & MAP_MASK, (c.cx * CHUNK) & MAP_MASK
        for layer in (sc.ring.height, sc.ring.color, sc.ring.material, sc.ring.heat):
            h.update(np.ascontiguousarray(layer[sy:sy + CHUNK, sx:sx + CHUNK]).tobytes())
    for a in (sc.sprite_xyz, sc.sprite_kind, sc.sprite_action, sc.sprite_phase, sc.sprite_scale, sc.particle_xyz,
              sc.particle_kind, sc.particle_size, sc.sprite_seed):
        h.update(a.tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def played():
    """A session that walked, edited, and is in the middle of an eruption and a snow storm."""
    s = Session(seed=21, width=W, height=H)
    for k in range(40):
        s.step({"forward", "sprint"} | ({"turn_left"} if k > 20 else set()), 1 / 30)
    s.apply({"op": "weather", "kind": "snow", "intensity": 0.9})
    s.apply({"op": "spawn", "kind": "villager", "count": 3, "where": "ahead"})
    s.apply({"op": "character", "action": "follow"})
    s.apply({"op": "terrain", "action": "crater", "radius": 7.0})
    s.apply({"op": "spawn", "kind": "house", "where": "around", "count": 2})
    s.apply({"op": "undo"})
    s.apply({"op": "time", "hour": 17.0, "speed": 120.0})
    s.apply({"op": "eruption", "strength": 0.4})
    for k in range(200):
        s.step({"forward"} if k % 3 else {"jump", "right"}, 1 / 24)
    yield s
    s.close()


def test_round_trip_gives_the_same_frame_and_state(played):
    code = played.share_code()
    assert isinstance(code, str) and len(code) < 8000
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    twin = Session.from_share_code(code, width=W, height=H)
    try:
        assert twin.state() == played.state()
        assert scene_digest(twin) == scene_digest(played)
        assert np.array_equal(twin.frame(), played.frame())
        # and they stay together: the same inputs give the same next frames
        for k in range(30):
            held = {"forward", "turn_right"} if k % 2 else {"back"}
            assert np.array_equal(twin.step(held, 1 / 30), played.step(held, 1 / 30))
        assert scene_digest(twin) == scene_digest(played)
        # undo works after a restore as it would have before
        assert twin.share_code() == played.share_code()
    finally:
        twin.close()


def _encode(doc) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(doc).encode())).decode().rstrip("=")


def _doc(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


def _bad_codes(code: str) -> dict:
    doc = _doc(code)
    flipped = code[:40] + ("A" if code[40] != "A" else "B") + code[41:]
    bad = {
        "empty": "", "garbage": "hello world!", "not base64url": "abc+/def", "not a string": 12345,
        "truncated": code[: len(code) // 2], "tampered byte": flipped,
        "not zlib": base64.urlsafe_b64encode(b"just some bytes here").decode(),
        "not json": base64.urlsafe_b64encode(zlib.compress(b"{not json")).decode(),
        "oversized": "A" * (persist.MAX_ENCODED + 1),
        "zip bomb": base64.urlsafe_b64encode(zlib.compress(b" " * (persist.MAX_DECODED * 4))).decode().rstrip("="),
        "wrong version": _encode({**doc, "v": 99}),
        "missing field": _encode({k: v for k, v in doc.items() if k != "pose"}),
        "extra field": _encode({**doc, "evil": 1}),
        "bad seed": _encode({**doc, "seed": "seven"}),
        "nan": base64.urlsafe_b64encode(zlib.compress(json.dumps({**doc, "gravity": float("nan")}).encode())).decode(),
        "pose out of range": _encode({**doc, "pose": {**doc["pose"], "x": 1e12}}),
        "bad weather": _encode({**doc, "weather": {**doc["weather"], "kind": "plague"}}),
        "bad edit": _encode({**doc, "edits": doc["edits"] + [{"t": doc["t"], "edit": {"op": "gravity", "scale": 99}}]}),
        "edit in the future": _encode({**doc, "edits": doc["edits"] + [{"t": doc["t"] + 5,
                                                                         "edit": {"op": "gravity", "scale": 2}}]}),
        "edit out of order": _encode({**doc, "edits": [{"t": 5, "edit": {"op": "gravity", "scale": 2}},
                                                       {"t": 4, "edit": {"op": "gravity", "scale": 1}}]}),
        "unknown edit key": _encode({**doc, "edits": [{"t": 0, "edit": {"op": "gravity", "scale": 2, "x": 1}}]}),
        "list not dict": _encode([1, 2, 3]),
    }
    return bad


def test_bad_codes_are_rejected(played):
    code = played.share_code()
    for name, bad in _bad_codes(code).items():
        with pytest.raises(ValueError):
            Session.from_share_code(bad, width=W, height=H)
        assert name


def test_bad_code_rejection_leaves_the_source_session_alone(played):
    before = played.share_code()
    with pytest.raises(ValueError):
        Session.from_share_code(before[:-10])
    assert played.share_code() == before


def test_decode_accepts_its_own_encoding():
    doc = {"v": 1}
    with pytest.raises(ValueError, match="keys"):
        persist.decode(persist.encode(doc))


def test_swimming_player_shares_and_state_stays_plain_json():
    """Regression: numpy scalars (np.bool_) leaked into the pose and broke json.dumps of the share code."""
    s = Session(seed=7, width=W, height=H)
    try:
        s.apply({"op": "teleport", "target": "lake"})
        for _ in range(20):
            s.step({"forward"}, 1 / 30)
        st = s.state()
        assert st["player"]["in_water"] is True
        json.dumps(st)
        twin = Session.from_share_code(s.share_code(), width=W, height=H)
        assert twin.state() == st
        twin.close()
    finally:
        s.close()


def test_restore_does_not_load_the_world_around_every_logged_pose():
    """A code full of far teleports replays without filling the ring map at each stop (a crafted code must not
    stall the server); only the final place is loaded."""
    s = Session(seed=7, width=W, height=H)
    try:
        doc = _doc(s.share_code())
        doc["edits"] = [{"t": doc["t"], "edit": {"op": "teleport", "x": 5000.0 * (k + 1), "y": -3000.0 * k}}
                        for k in range(6)]
        chunks.forget_shared(7)                        # count real generation, not shared-cache hits
        twin = Session.from_share_code(_encode(doc), width=W, height=H)
        assert twin.world.cache.generated < 400        # one place's chunks, not seven places'
        assert twin.state()["player"] == s.state()["player"]
        twin.close()
    finally:
        s.close()
