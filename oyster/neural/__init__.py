"""Dream: a learned world model of the engine (tokenizer + block-causal transformer), trained on its rollouts."""
from oyster.neural.runtime import Dream, DreamBatch

__all__ = ["Dream", "DreamBatch"]
