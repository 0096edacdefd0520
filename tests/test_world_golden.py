"""Today's default world stays as it is: chunk hashes (height, albedo, material, biome, objects) and small frames
from fixed poses, recorded before the world recipe existed. Regenerate only on purpose:
`python -m tests.test_world_golden` rewrites tests/data/golden_world.npz."""
import hashlib
import json
from pathlib import Path

import numpy as np

from oyster.world import terrain

DATA = Path(__file__).parent / "data" / "golden_world.npz"
CHUNKS = [(0, 0, 0), (0, 3, -2), (0, -5, 4), (1, 0, 0), (1, 2, 2), (7, -1, -1), (7, 6, -3), (42, 0, 1)]
POSES = [(0, (12.0, -8.0, 40.0, 0.6, -0.15), 9.0), (7, (-30.0, 25.0, 60.0, 2.2, -0.2), 17.5),
         (42, (5.0, 5.0, 30.0, -1.0, -0.05), 21.0)]
W, H = 96, 54


def chunk_digest(c) -> str:
    h = hashlib.sha256()
    for a in (c.height, c.color, c.material, c.biome):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(json.dumps([(o.id, o.kind, o.x, o.y, o.z, o.radius, o.scale) for o in c.objects]).encode())
    return h.hexdigest()


def frames() -> np.ndarray:
    from oyster.session import Session
    out = []
    for seed, pose, hour in POSES:
        with Session(seed, width=W, height=H) as s:
            s.apply({"op": "time", "hour": hour})
            out.append(s.render_from(*pose))
    return np.stack(out)


def record() -> None:
    digests = np.array([chunk_digest(terrain.generate_chunk(s, cx, cy)) for s, cx, cy in CHUNKS])
    np.savez_compressed(DATA, digests=digests, frames=frames())


def test_default_chunks_unchanged():
    want = np.load(DATA)["digests"]
    got = [chunk_digest(terrain.generate_chunk(s, cx, cy)) for s, cx, cy in CHUNKS]
    assert list(got) == list(want)


def test_default_frames_unchanged():
    # the renderer uses fastmath, so another CPU may round a few pixels differently: allow a hair, not a change
    want = np.load(DATA)["frames"].astype(np.int16)
    got = frames().astype(np.int16)
    d = np.abs(got - want)
    assert d.mean() < 0.05 and d.max() <= 3, (float(d.mean()), int(d.max()))


if __name__ == "__main__":
    record()
