"""Train the Direct-mode fallback intent classifier on template paraphrases (seconds on one CPU core).

    python -m oyster.direct.train                 # writes assets/direct_intent.pt
    python -m oyster.direct.train --epochs 2 --out /tmp/x.pt
"""
import argparse
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from oyster.direct import classifier as C
from oyster.direct import templates
from oyster.direct.text import normalise


@dataclass
class TrainConfig:
    seed: int = 0
    per_intent: int = 160   # template sentences per intent
    epochs: int = 8
    batch_size: int = 64
    lr: float = 0.01
    weight_decay: float = 1e-4
    threads: int = 1


def train(cfg: TrainConfig, model_cfg: C.ClassifierConfig | None = None, verbose: bool = True):
    """Returns (model, model_cfg, losses per epoch, train accuracy)."""
    import torch

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    model_cfg = model_cfg or C.ClassifierConfig()
    data = [(C.features(normalise(t).text, model_cfg), model_cfg.intents.index(i))
            for t, i in templates.generate(cfg.per_intent, cfg.seed)]  # features once, not per epoch
    rng = random.Random(cfg.seed)
    model = C.build_model(model_cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    losses = []
    for epoch in range(cfg.epochs):
        rng.shuffle(data)
        total = 0.0
        for k in range(0, len(data), cfg.batch_size):
            chunk = data[k:k + cfg.batch_size]
            ids, offsets, weights = C.batch_features([f for f, _ in chunk])
            target = torch.tensor([y for _, y in chunk])
            loss = torch.nn.functional.cross_entropy(model(ids, offsets, weights), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(chunk)
        losses.append(total / len(data))
        if verbose and (epoch % 2 == 0 or epoch == cfg.epochs - 1):
            print(f"epoch {epoch:3d}  loss {losses[-1]:.4f}")
    with torch.no_grad():
        ids, offsets, weights = C.batch_features([f for f, _ in data])
        pred = model(ids, offsets, weights).argmax(1)
        acc = float((pred == torch.tensor([y for _, y in data])).float().mean())
    return model, model_cfg, losses, acc


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    ap.add_argument("--per-intent", type=int, default=TrainConfig.per_intent)
    ap.add_argument("--seed", type=int, default=TrainConfig.seed)
    ap.add_argument("--out", type=Path, default=C.CHECKPOINT)
    args = ap.parse_args(argv)
    cfg = TrainConfig(seed=args.seed, per_intent=args.per_intent, epochs=args.epochs)
    print("train config:", asdict(cfg))
    t0 = time.perf_counter()
    model, model_cfg, losses, acc = train(cfg)
    C.save(model, model_cfg, args.out)
    print(f"trained in {time.perf_counter() - t0:.1f} s; train accuracy {acc:.3f}; saved {args.out} "
          f"({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
