"""The browser app: the Gradio page (page.py), its handlers, headless API endpoints, the Dream and trailer tabs."""
from oyster.app.extensions import PageContext
from oyster.app.page import TABS, build_demo, launch_kwargs

__all__ = ["build_demo", "launch_kwargs", "PageContext", "TABS"]
