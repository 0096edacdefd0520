"""Train Dream in three stages: the frame tokenizer, the dynamics transformer on frozen latents, then the
decoder alone on the dynamics model's own predictions.

    python -m oyster.neural.train                                   # engine data, CPU, resumes from runs/dream
    python -m oyster.neural.train --source synthetic --out runs/syn --data data/syn --n_rollouts 32 \
        --tok_steps 200 --dyn_steps 200 --dec_steps 50                    # a quick dry run, no engine needed
    python -m oyster.neural.train --export assets/dream.pt          # also write the shippable checkpoint

Against drift (free-running rollouts feed the model its own predictions) the dynamics stage uses
noise-augmented context (GameNGen) and extra "self-forcing" passes: pass k re-runs the sequence with
the previous pass's predictions as inputs after a few real anchor frames, so the model learns to
continue from its own errors. Any field of TrainConfig is a flag (`--model.d_model 192`).
"""
import argparse
import dataclasses
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from oyster.neural import data as D
from oyster.neural.checkpoint import export_checkpoint, save_atomic
from oyster.neural.model import DreamConfig, DreamModel
from oyster.neural.tokenizer import Tokenizer, TokenizerConfig, to_tensor


@dataclass
class TrainConfig:
    out: str = "runs/dream"             # training checkpoint (ckpt.pt) and log.txt
    data: str = "data/dream"            # rollout shards (generated here if missing)
    source: str = "engine"              # "engine" or "synthetic"
    n_rollouts: int = 128               # training rollouts (seeds 0..n-1; evaluation uses seeds >= 100000)
    rollout_steps: int = 160            # transitions per rollout
    dt: float = 1 / 15                  # world seconds per step
    tok_steps: int = 700                # tokenizer optimisation steps
    tok_batch: int = 32
    tok_lr: float = 2e-3
    dyn_steps: int = 1000               # dynamics optimisation steps
    dyn_batch: int = 16                 # sequences per step
    seq_len: int = 12                   # inputs per sequence (targets are the next 12 latents)
    dyn_lr: float = 1e-3
    dec_steps: int = 300                # decoder fine-tuning on predicted latents (encoder frozen)
    dec_batch: int = 32                 # frames per step
    dec_lr: float = 5e-4
    noise_max: float = 0.2              # context latents get N(0, s^2) noise, s ~ U(0, noise_max) per frame
    passes: int = 3                     # 1 = teacher forcing only; k > 1 adds k-1 self-forcing passes
    threads: int = 1                    # torch CPU threads; on a busy shared CPU 2 threads ran 10x slower than 1
    device: str = "auto"                # "auto" = cuda if present else cpu
    seed: int = 0
    log_every: int = 50
    ckpt_every: int = 250
    export: str = ""                    # if set, write the shippable checkpoint here at the end
    # the shipped decoder: narrower than the encoder and with ReLU, ~28% of a mirrored decoder's work for
    # 0.05 dB of one-step PSNR (TRAINING.md); it is what makes batched serving pay
    tokenizer: TokenizerConfig = field(default_factory=lambda: TokenizerConfig(dec_widths=(16, 32), dec_act="relu"))
    model: DreamConfig = field(default_factory=DreamConfig)


def lr_at(step: int, total: int, peak: float, warmup: int = 100) -> float:
    """Linear warmup then cosine decay to 10% of peak."""
    if step < warmup:
        return peak * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


class Logger:
    def __init__(self, out: str):
        self.path = os.path.join(out, "log.txt")

    def __call__(self, msg: str) -> None:
        msg = time.strftime("%H:%M:%S ") + msg
        print(msg, flush=True)
        with open(self.path, "a") as f:
            f.write(msg + "\n")


def train_tokenizer(cfg, tok, opt, frames, start, device, log, save) -> None:
    """frames (N, H, W, 3) uint8. MSE on pixels (what PSNR measures)."""
    rng = np.random.default_rng(cfg.seed + start)
    t0 = time.time()
    for step in range(start, cfg.tok_steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg.tok_steps, cfg.tok_lr)
        x = to_tensor(frames[rng.integers(0, len(frames), cfg.tok_batch)]).to(device)
        if rng.random() < 0.5:                          # horizontal flips: more variety for free
            x = x.flip(-1)
        loss = F.mse_loss(tok(x), x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if (step + 1) % cfg.log_every == 0 or step + 1 == cfg.tok_steps:
            rate = (step + 1 - start) * cfg.tok_batch / (time.time() - t0)
            psnr = 10 * math.log10(1 / max(loss.item(), 1e-10))
            log(f"tok {step + 1}/{cfg.tok_steps} loss {loss.item():.5f} (~{psnr:.1f} dB) {rate:.0f} img/s")
        if (step + 1) % cfg.ckpt_every == 0 or step + 1 == cfg.tok_steps:
            save("tokenizer", step + 1)


@torch.no_grad()
def encode_all(tok, frames: np.ndarray, device, batch: int = 256) -> torch.Tensor:
    """(N, T, H, W, 3) uint8 -> (N, T, C, G, G) float latents."""
    tok.eval()
    flat = frames.reshape(-1, *frames.shape[2:])
    out = [tok.encode(to_tensor(flat[i:i + batch]).to(device)).cpu() for i in range(0, len(flat), batch)]
    z = torch.cat(out)
    return z.view(*frames.shape[:2], *z.shape[1:])


def dynamics_loss(model, cfg: TrainConfig, z, a, e, rng) -> torch.Tensor:
    """z (B, L+1, C, G, G) true latents, a (B, L, A), e (B, L). Teacher forcing plus self-forcing passes."""
    inp, tgt = z[:, :-1], z[:, 1:]
    sigma = torch.rand(inp.shape[0], inp.shape[1], 1, 1, 1, device=z.device) * cfg.noise_max
    inp = inp + sigma * torch.randn_like(inp)
    pred = model(inp, a, e)
    loss = F.mse_loss(pred, tgt)
    for _ in range(cfg.passes - 1):
        anchor = int(rng.integers(1, cfg.model.context + 1))   # real frames, as after Dream.reset
        fed = pred[:, anchor - 1:-1].detach().clamp(-1, 1)     # prediction of frame t feeds input t
        pred = model(torch.cat([inp[:, :anchor], fed], 1), a, e)
        loss = loss + F.mse_loss(pred, tgt)
    return loss / cfg.passes


def train_dynamics(cfg, model, opt, lat, acts, evts, start, device, log, save) -> None:
    """lat (N, T+1, C, G, G); acts (N, T+1, A); evts (N, T+1)."""
    rng = np.random.default_rng(cfg.seed + 1 + start)
    n, t_all = lat.shape[:2]
    length = cfg.seq_len
    assert t_all >= length + 1, f"rollouts of {t_all} frames are shorter than seq_len+1={length + 1}"
    t0 = time.time()
    for step in range(start, cfg.dyn_steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg.dyn_steps, cfg.dyn_lr)
        ri = rng.integers(0, n, cfg.dyn_batch)
        ti = rng.integers(0, t_all - length, cfg.dyn_batch)
        idx = ti[:, None] + np.arange(length + 1)[None]
        z = lat[ri[:, None], idx].to(device)
        a = acts[ri[:, None], idx[:, :-1]].float().to(device)
        e = evts[ri[:, None], idx[:, :-1]].to(device)
        loss = dynamics_loss(model, cfg, z, a, e, rng)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (step + 1) % cfg.log_every == 0 or step + 1 == cfg.dyn_steps:
            rate = (step + 1 - start) * cfg.dyn_batch / (time.time() - t0)
            log(f"dyn {step + 1}/{cfg.dyn_steps} loss {loss.item():.5f} {rate:.1f} seq/s")
        if (step + 1) % cfg.ckpt_every == 0 or step + 1 == cfg.dyn_steps:
            save("dynamics", step + 1)


def train_decoder(cfg, tok, model, opt, lat, frames, acts, evts, start, device, log, save) -> None:
    """Fine-tune the decoder alone on the dynamics model's own predictions (teacher-forced and self-forced),
    with the true frames as targets: it learns to render imperfect predicted latents as sharply as pixel MSE
    allows. The encoder is frozen, so latents (and the dynamics model trained on them) stay valid."""
    rng = np.random.default_rng(cfg.seed + 2 + start)
    n, t_all = lat.shape[:2]
    length, per_seq = cfg.seq_len, 4
    model.eval()
    tok.train()
    t0 = time.time()
    for step in range(start, cfg.dec_steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg.dec_steps, cfg.dec_lr, warmup=20)
        nseq = max(1, cfg.dec_batch // per_seq)
        ri, ti = rng.integers(0, n, nseq), rng.integers(0, t_all - length, nseq)
        idx = ti[:, None] + np.arange(length + 1)[None]
        z, a, e = lat[ri[:, None], idx].to(device), acts[ri[:, None], idx[:, :-1]].float().to(device), \
            evts[ri[:, None], idx[:, :-1]].to(device)
        with torch.no_grad():                        # inputs as at run time: real anchors, then own predictions
            pred = model(z[:, :-1], a, e).clamp(-1, 1)
            anchor = int(rng.integers(1, cfg.model.context + 1))
            pred = model(torch.cat([z[:, :anchor], pred[:, anchor - 1:-1]], 1), a, e).clamp(-1, 1)
        pick = rng.integers(0, length, (nseq, per_seq))                 # frames per sequence
        rows, cols = torch.as_tensor(np.arange(nseq)[:, None]), torch.as_tensor(pick)
        zin = pred[rows, cols]
        zin[:, 0] = z[rows[:, 0], cols[:, 0] + 1]     # one clean latent per sequence: anchors decode well too
        target = to_tensor(frames[ri[:, None], ti[:, None] + pick + 1]).flatten(0, 1).to(device)
        zin = zin.flatten(0, 1)
        loss = F.mse_loss(tok.decode(zin), target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if (step + 1) % cfg.log_every == 0 or step + 1 == cfg.dec_steps:
            psnr = 10 * math.log10(1 / max(loss.item(), 1e-10))
            log(f"dec {step + 1}/{cfg.dec_steps} loss {loss.item():.5f} (~{psnr:.1f} dB on predictions) "
                f"{(step + 1 - start) * nseq * per_seq / (time.time() - t0):.0f} img/s")
        if (step + 1) % cfg.ckpt_every == 0 or step + 1 == cfg.dec_steps:
            save("decoder", step + 1)
    tok.eval()


def make_modules(cfg: TrainConfig, device):
    cfg.model.latent_dim = cfg.tokenizer.latent_dim
    cfg.model.grid = cfg.tokenizer.grid
    cfg.model.n_actions = len(D.ACTIONS)
    tok, model = Tokenizer(cfg.tokenizer).to(device), DreamModel(cfg.model).to(device)
    tok_opt = torch.optim.AdamW(tok.parameters(), lr=cfg.tok_lr, weight_decay=0.0)
    dyn_opt = torch.optim.AdamW(model.parameters(), lr=cfg.dyn_lr, weight_decay=0.01, betas=(0.9, 0.95))
    dec_opt = torch.optim.AdamW(tok.decoder.parameters(), lr=cfg.dec_lr, weight_decay=0.0)
    return tok, model, {"tok_opt": tok_opt, "dyn_opt": dyn_opt, "dec_opt": dec_opt}


def run(cfg: TrainConfig) -> str:
    """Runs (or resumes) both stages; returns the path of the training checkpoint."""
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = torch.device("cuda" if cfg.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if cfg.device == "auto" else cfg.device))
    os.makedirs(cfg.out, exist_ok=True)
    log = Logger(cfg.out)
    log(f"config: {dataclasses.asdict(cfg)}  device: {device}")
    tok, model, opts = make_modules(cfg, device)
    path = os.path.join(cfg.out, "ckpt.pt")
    steps = {"tokenizer": 0, "dynamics": 0, "decoder": 0}      # optimisation steps done per stage
    if os.path.exists(path):
        ck = torch.load(path, map_location=device, weights_only=True)
        steps.update(ck["steps"])
        model.load_state_dict(ck["model"])
        kept = set(opts)
        if decoder_changed(ck["train_config"]["tokenizer"], cfg.tokenizer):
            # a new decoder design on the trained encoder: latents (and the dynamics model) stay valid,
            # the decoder is trained afresh by the decoder stage
            tok.encoder.load_state_dict({k[len("encoder."):]: v for k, v in ck["tokenizer"].items()
                                         if k.startswith("encoder.")})
            steps["decoder"] = 0
            kept -= {"tok_opt", "dec_opt"}          # their state belongs to the old decoder
            log("decoder design changed: keeping the encoder and dynamics, training a new decoder")
        else:
            tok.load_state_dict(ck["tokenizer"])
        for name in kept & set(ck):
            opts[name].load_state_dict(ck[name])
        log(f"resumed from {path}: {steps}")

    def save(stage: str, step: int) -> None:
        steps[stage] = step
        save_atomic({"steps": dict(steps), "tokenizer": tok.state_dict(), "model": model.state_dict(),
                     **{name: opt.state_dict() for name, opt in opts.items()},
                     "train_config": _plain(dataclasses.asdict(cfg))}, path)

    todo = {"tokenizer": cfg.tok_steps, "dynamics": cfg.dyn_steps, "decoder": cfg.dec_steps}
    if all(steps[k] >= n for k, n in todo.items()):
        log(f"nothing left to train in {path}")
    else:
        _train(cfg, device, log, save, steps, tok, model, opts)
    if cfg.export:
        notes = (f"oyster.neural.train: {steps['tokenizer']} tokenizer + {steps['dynamics']} dynamics + "
                 f"{steps['decoder']} decoder steps")
        export_checkpoint(cfg.export, tok, model, dt=cfg.dt, notes=notes)
        log(f"exported {cfg.export} ({os.path.getsize(cfg.export) / 1e6:.1f} MB)")
    return path


def _train(cfg, device, log, save, steps, tok, model, opts) -> None:
    rcfg = D.RolloutConfig(steps=cfg.rollout_steps, size=cfg.tokenizer.size, dt=cfg.dt, source=cfg.source)
    t0 = time.time()
    D.build_shards(cfg.data, range(cfg.n_rollouts), rcfg, log=log)
    ds = D.load_shards(cfg.data)
    log(f"data: {ds['frames'].shape[0]} rollouts x {ds['frames'].shape[1]} frames ({time.time() - t0:.0f} s)")
    if steps["tokenizer"] < cfg.tok_steps:          # (more tokenizer steps than last time: it continues)
        if steps["dynamics"]:
            log("warning: the tokenizer changes under a partly trained dynamics model")
        tok.train()
        train_tokenizer(cfg, tok, opts["tok_opt"], ds["frames"].reshape(-1, *ds["frames"].shape[2:]),
                        steps["tokenizer"], device, log, save)
    t1 = time.time()
    lat = encode_all(tok, ds["frames"], device)
    log(f"encoded {tuple(lat.shape)} latents in {time.time() - t1:.0f} s")
    acts, evts = torch.from_numpy(ds["actions"]), torch.from_numpy(ds["events"])
    model.train()
    train_dynamics(cfg, model, opts["dyn_opt"], lat, acts, evts, steps["dynamics"], device, log, save)
    train_decoder(cfg, tok, model, opts["dec_opt"], lat, ds["frames"], acts, evts, steps["decoder"], device, log, save)


def decoder_changed(saved: dict, cfg: TokenizerConfig) -> bool:
    """Does cfg ask for another decoder than the one a checkpoint's tokenizer config (a dict) describes?"""
    old = TokenizerConfig.from_dict(saved)
    return (old.decoder_widths, old.dec_act) != (cfg.decoder_widths, cfg.dec_act)


def _plain(d):
    """Config dict with tuples as lists (weights_only checkpoints keep plain containers)."""
    if isinstance(d, dict):
        return {k: _plain(v) for k, v in d.items()}
    return list(d) if isinstance(d, tuple) else d


def parse_args(argv=None) -> TrainConfig:
    """Every TrainConfig field (nested ones as --tokenizer.x / --model.x) becomes a flag."""
    cfg = TrainConfig()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    targets = {}
    for f in dataclasses.fields(cfg):
        val = getattr(cfg, f.name)
        if dataclasses.is_dataclass(val):
            for g in dataclasses.fields(val):
                targets[f"{f.name}.{g.name}"] = (val, g.name, getattr(val, g.name))
        else:
            targets[f.name] = (cfg, f.name, val)
    for name, (_, _, default) in targets.items():
        kind = (lambda s: tuple(int(x) for x in s.split(","))) if isinstance(default, tuple) else type(default)
        p.add_argument(f"--{name}", type=kind, default=None)
    args = vars(p.parse_args(argv))
    for name, (obj, attr, _) in targets.items():
        if args[name] is not None:
            setattr(obj, attr, args[name])
    return cfg


if __name__ == "__main__":
    run(parse_args())
