"""Dream: a learned world model of the engine (tokenizer + block-causal transformer), trained on its rollouts."""
from oyster.neural.runtime import Dream, DreamBatch, engine_frame, frame_psnr

__all__ = ["Dream", "DreamBatch", "engine_frame", "frame_psnr"]
