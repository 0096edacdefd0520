"""The browser app: the Gradio page (page.py), its handlers, headless API endpoints, and extension hooks."""
from oyster.app.extensions import OPTIONAL_EXTENSIONS, PageContext
from oyster.app.page import build_demo, launch_kwargs

__all__ = ["build_demo", "launch_kwargs", "PageContext", "OPTIONAL_EXTENSIONS"]
