"""Trailers: a prompt becomes a short cinematic H.264 video of a generated world plus the share code to step into it."""
from oyster.trailer.prompt import WorldPlan, plan_world
from oyster.trailer.video import TrailerConfig, TrailerResult, check_length, make_trailer, render_trailer

__all__ = ["make_trailer", "render_trailer", "plan_world", "check_length", "WorldPlan", "TrailerConfig",
           "TrailerResult"]
