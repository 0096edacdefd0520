"""Measure Dream against the engine on held-out seeds, beside copy-last-frame and shuffled-action baselines.

    python -m oyster.neural.evaluate                         # assets/dream.pt vs the engine, writes runs/eval/
    python -m oyster.neural.evaluate --source synthetic --ckpt runs/syn/dream.pt --seeds 4
    python -m oyster.neural.evaluate --speed                 # only ms per frame at batch 1 and 8

Free-running rollouts: each stream is reset on `context` real frames, then fed only the true held inputs
and events (never a real frame again); its frame at horizon h is compared with the engine's. MSE is pooled
over frames before PSNR. "moving" = some movement key held before that horizon, "static" = none held
(copy-last-frame is near perfect there). Action gain = PSNR(true actions) - PSNR(shuffled actions).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from oyster.neural import data as D
from oyster.neural.runtime import Dream
from oyster.neural.tokenizer import to_tensor, to_uint8

HORIZONS = (1, 4, 8, 16, 32)
EVAL_SEED0 = 100_000                   # training uses seeds 0..n_rollouts-1
MOVE_KEYS = np.array([a != "sprint" for a in D.ACTIONS])   # sprint alone does not move the camera


def psnr(mse: float) -> float:
    return float("inf") if mse <= 0 else 10 * math.log10(1.0 / mse)


def ssim(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-image SSIM (Wang et al. 2004, 7x7 Gaussian window, sigma 1.5) of (N, 3, H, W) in [0, 1]."""
    g = torch.exp(-((torch.arange(7) - 3.0) ** 2) / (2 * 1.5 ** 2))
    w = (g[:, None] * g[None, :] / g.sum() ** 2).expand(3, 1, 7, 7)
    blur = lambda t: F.conv2d(t, w, groups=3)  # noqa: E731
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return s.mean((1, 2, 3))


def free_run(dream: Dream, frames, actions, events, starts, horizon, action_perm=None, detail=True) -> np.ndarray:
    """Streams b = (rollout r, start s): reset on frames[r, s-context+1..s], then step `horizon` times.
    Returns (B, horizon, H, W, 3) uint8. action_perm: use another stream's actions (shuffled baseline)."""
    k = dream.context
    batch = dream.batch(len(starts))
    batch.detail = detail
    for b, (r, s) in enumerate(starts):
        held = [set(np.array(D.ACTIONS)[actions[r, j].astype(bool)]) for j in range(s - k + 1, s)]
        batch.reset(b, list(frames[r, s - k + 1:s + 1]), held, list(events[r, s - k + 1:s]))
    src = starts if action_perm is None else [starts[i] for i in action_perm]
    out = []
    for h in range(horizon):
        helds = [set(np.array(D.ACTIONS)[actions[r, s + h].astype(bool)]) for r, s in src]
        evs = [D.EVENTS[events[r, s + h]] for r, s in starts]           # events stay true
        out.append(batch.step_many(helds, evs))
    return np.stack(out, 1)


def horizon_table(dream, ds, starts, horizon=32) -> dict:
    f, a, e = ds["frames"], ds["actions"], ds["events"]
    perm = np.random.default_rng(0).permutation(len(starts))
    pred = free_run(dream, f, a, e, starts, horizon)
    shuf = free_run(dream, f, a, e, starts, horizon, action_perm=perm)
    raw = free_run(dream, f, a, e, starts, horizon, detail=False)
    truth = np.stack([f[r, s + 1:s + 1 + horizon] for r, s in starts])
    last = np.stack([f[r, s] for r, s in starts])
    rows = {}
    for h in HORIZONS:
        if h > horizon:
            continue
        tt = to_tensor(truth[:, h - 1])
        moved = np.array([(a[r, s:s + h] * MOVE_KEYS).any() for r, s in starts])
        row = {}
        for name, x in (("dream", pred[:, h - 1]), ("dream_raw", raw[:, h - 1]), ("copy_last", last),
                        ("shuffled", shuf[:, h - 1])):
            xt = to_tensor(x)
            mse = ((xt - tt) ** 2).mean((1, 2, 3)).numpy()
            row[name] = {"all": psnr(mse.mean()),
                         "moving": psnr(mse[moved].mean()) if moved.any() else None,
                         "static": psnr(mse[~moved].mean()) if (~moved).any() else None,
                         "ssim": float(ssim(xt, tt).mean())}
        row["n_moving"], row["n_static"] = int(moved.sum()), int((~moved).sum())
        row["action_gain"] = row["dream"]["all"] - row["shuffled"]["all"]
        rows[h] = row
    return {"rows": rows, "pred": pred, "truth": truth}


def tokenizer_ceiling(dream: Dream, frames: np.ndarray) -> float:
    """PSNR of decode(encode(frame)): no prediction can beat the autoencoder's own reconstruction."""
    x = frames.reshape(-1, *frames.shape[-3:])[::7][:512]
    with torch.no_grad():
        rec = dream._one.tok.decode(dream._one.encode(list(x))).clamp(0, 1)
    return psnr(float(((to_tensor(to_uint8(rec)) - to_tensor(x)) ** 2).mean()))


def scripted(seed: int, rcfg: D.RolloutConfig, script: list) -> tuple[np.ndarray, list]:
    """Engine frames for a fixed input script (list of held sets), from the same varied start as rollouts."""
    rng = np.random.default_rng(seed)
    world = D.make_world(seed, rcfg)
    D.start_world(world, rng, rcfg.settle, rcfg.dt)
    frames = [world.step(set(), rcfg.dt)]
    frames += [world.step(h, rcfg.dt) for h in script]
    if hasattr(world, "close"):
        world.close()
    return np.stack(frames), script


def revisit_and_idle(dream: Dream, rcfg: D.RolloutConfig, seeds, turn: int = 12, idle: int = 300) -> dict:
    k = dream.context
    res = {"revisit_dream_vs_first": [], "revisit_engine_vs_first": [], "revisit_dream_vs_engine": [],
           "idle": {t: [] for t in (1, 10, 30, 100, 300) if t <= idle}}
    for seed in seeds:
        script = [set()] * (k - 1) + [{"turn_left"}] * turn + [{"turn_right"}] * turn
        fr, _ = scripted(seed, rcfg, script)
        dream.reset(list(fr[:k]), script[:k - 1])
        out = [dream.step(h) for h in script[k - 1:]]
        first, back, dback = fr[k - 1], fr[-1], out[-1]
        mse = lambda x, y: float(((to_tensor(x) - to_tensor(y)) ** 2).mean())  # noqa: E731
        res["revisit_dream_vs_first"].append(mse(dback, first))
        res["revisit_engine_vs_first"].append(mse(back, first))
        res["revisit_dream_vs_engine"].append(mse(dback, back))
        script = [set()] * (k - 1 + idle)
        fr, _ = scripted(seed, rcfg, script)
        dream.reset(list(fr[:k]), script[:k - 1])
        out = [dream.step(set()) for _ in range(idle)]
        for t in res["idle"]:
            res["idle"][t].append(mse(out[t - 1], fr[k - 1 + t]))
    agg = {key: psnr(float(np.mean(v))) for key, v in res.items() if key != "idle"}
    agg["idle"] = {t: psnr(float(np.mean(v))) for t, v in res["idle"].items()}
    return agg


def speed(dream: Dream, n: int = 300) -> dict:
    """Median ms per step at batch 1 and batch 8 (one thread), and the batching throughput gain: 8 single-stream
    steps against one step of 8 streams. Times are CPU time of the calling thread (torch runs single-threaded
    ops there), which on a shared machine excludes time spent waiting for a core; wall medians are kept too."""
    torch.set_num_threads(1)
    frames = [np.full((*dream.size, 3), 100, np.uint8)] * dream.context
    batch = dream.batch(8)
    for i in range(8):
        batch.reset(i, frames)
    dream.reset(frames)
    one, eight = (lambda: dream.step({"forward"})), (lambda: batch.step_many([{"forward"}] * 8))
    t1, t8 = [], []
    for i in range(n + 10):         # interleaved, so both see the same load on a shared machine
        for fn, ts in ((one, t1), (eight, t8)):
            w, c = time.perf_counter(), time.thread_time()
            fn()
            if i >= 10:             # warm-up
                ts.append((time.thread_time() - c, time.perf_counter() - w))
    (ms1, wall1), (ms8, wall8) = (1e3 * np.median(np.asarray(ts), axis=0) for ts in (t1, t8))
    return {"ms_batch1": float(ms1), "ms_batch8": float(ms8), "ms_per_frame_batch8": float(ms8) / 8,
            "throughput_gain_8": float(8 * ms1 / ms8), "wall_ms_batch1": float(wall1), "wall_ms_batch8": float(wall8)}


def print_speed(sp: dict) -> None:
    print(f"speed (1 thread, CPU time): {sp['ms_batch1']:.2f} ms/frame at batch 1; {sp['ms_batch8']:.2f} ms per step "
          f"of 8 streams ({sp['ms_per_frame_batch8']:.2f} ms/frame); batching gain {sp['throughput_gain_8']:.2f}x "
          f"(wall: {sp['wall_ms_batch1']:.2f} / {sp['wall_ms_batch8']:.2f} ms)")


def write_strip(path: str, pred: np.ndarray, truth: np.ndarray, context_frame: np.ndarray, rows=(0, 1, 2)) -> None:
    """Pairs of rows (engine above, dream below) at steps 0, 1, 2, 4, 8, 12, 16, 24, 32; scaled x2."""
    import cv2
    cols = [0, 1, 2, 4, 8, 12, 16, 24, 32]
    blocks = []
    for r in rows:
        if r >= len(pred):
            continue
        top = [context_frame[r]] + [truth[r, c - 1] for c in cols[1:] if c <= truth.shape[1]]
        bot = [context_frame[r]] + [pred[r, c - 1] for c in cols[1:] if c <= pred.shape[1]]
        blocks += [np.concatenate(top, 1), np.concatenate(bot, 1), np.zeros((4, 64 * len(top), 3), np.uint8)]
    img = np.concatenate(blocks, 0)
    img = cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    cv2.imwrite(path, img[..., ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9])


def fmt(v) -> str:
    return "  -  " if v is None else ("  inf" if v == float("inf") else f"{v:5.2f}")


def print_table(rows: dict) -> None:
    print("PSNR dB (SSIM) of free-running rollouts vs engine; moving/static split; gain = true - shuffled actions")
    print("dream = with detail restore (default), raw = decoded latents only; gain = dream - shuffled actions")
    print(" h | dream  all   mov  stat  ssim | raw  mov |  copy-last all   mov  stat  ssim | shuffled all |"
          "  gain | n mov/stat")
    for h, r in rows.items():
        d, w, c, s = r["dream"], r["dream_raw"], r["copy_last"], r["shuffled"]
        print(f"{h:2d} | {fmt(d['all'])} {fmt(d['moving'])} {fmt(d['static'])} {d['ssim']:.3f} | {fmt(w['moving'])} |"
              f" {fmt(c['all'])} {fmt(c['moving'])} {fmt(c['static'])} {c['ssim']:.3f} | {fmt(s['all'])} |"
              f" {r['action_gain']:+.2f} | {r['n_moving']}/{r['n_static']}")


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", default=None, help="checkpoint (default assets/dream.pt)")
    p.add_argument("--source", default="engine", choices=["engine", "synthetic"])
    p.add_argument("--seeds", type=int, default=16, help="held-out rollouts (seeds 100000..)")
    p.add_argument("--starts", type=int, default=3, help="start points per rollout")
    p.add_argument("--out", default="runs/eval")
    p.add_argument("--data", default="data/dream_eval", help="cache for the held-out rollouts")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--speed", action="store_true", help="only the ms-per-frame figures (a few seconds)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    dream = Dream.load(args.ckpt)
    if args.speed:
        sp = speed(dream)
        print_speed(sp)
        return {"speed": sp}
    horizon = max(HORIZONS)
    rcfg = D.RolloutConfig(steps=dream.context + horizon + 8 * (args.starts - 1) + 1, size=dream.size[0],
                           dt=dream.dt, source=args.source)
    data_dir = os.path.join(args.data, f"{args.source}_{rcfg.steps}")
    D.build_shards(data_dir, range(EVAL_SEED0, EVAL_SEED0 + args.seeds), rcfg, per_shard=args.seeds, log=print)
    ds = D.load_shards(data_dir)
    k = dream.context
    starts = [(r, k - 1 + 8 * j) for r in range(len(ds["frames"])) for j in range(args.starts)]
    t0 = time.time()
    tab = horizon_table(dream, ds, starts, horizon)
    print_table(tab["rows"])
    res = {"rows": tab["rows"], "tokenizer_ceiling_psnr": tokenizer_ceiling(dream, ds["frames"])}
    print(f"tokenizer ceiling (decode(encode(frame)) vs frame): {res['tokenizer_ceiling_psnr']:.2f} dB")
    res["revisit_idle"] = ri = revisit_and_idle(dream, rcfg, range(EVAL_SEED0, EVAL_SEED0 + min(4, args.seeds)))
    print(f"revisit (turn left 12, right 12): dream vs first visit {ri['revisit_dream_vs_first']:.2f} dB, "
          f"engine vs first visit {ri['revisit_engine_vs_first']:.2f} dB, "
          f"dream vs engine {ri['revisit_dream_vs_engine']:.2f} dB")
    print("idle drift (no key held), dream vs engine PSNR at step: "
          + ", ".join(f"{t}: {v:.2f}" for t, v in ri["idle"].items()))
    res["speed"] = sp = speed(dream)
    print_speed(sp)
    strip = os.path.join(args.out, "dream_strip.png")
    write_strip(strip, tab["pred"], tab["truth"], np.stack([ds["frames"][r, s] for r, s in starts]),
                rows=tuple(range(0, len(starts), max(1, len(starts) // 4)))[:4])
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "eval.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    print(f"wrote {strip} and {os.path.join(args.out, 'eval.json')} ({time.time() - t0:.0f} s)")
    return res


if __name__ == "__main__":
    main()
