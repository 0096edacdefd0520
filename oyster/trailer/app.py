"""The page's extension hook for the trailer tab (listed in oyster.app.extensions.OPTIONAL_EXTENSIONS).

The tab itself lives with the rest of the UI in oyster/app/trailer_tab.py; this only names it where the page looks.
"""
from oyster.app.trailer_tab import add_trailer_tab, build_trailer_tab

__all__ = ["add_trailer_tab", "build_trailer_tab"]
