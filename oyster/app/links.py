"""Share links: the copyable URL that reopens a world (`?world=<code>`), aware of Hugging Face Spaces."""
import os
from urllib.parse import urlencode, urlsplit, urlunsplit


def base_url(request=None) -> str:
    """The page's public address: the Space page when hosted (SPACE_ID), else where the visitor loaded it from."""
    space = os.environ.get("SPACE_ID", "").strip()
    if space:
        return f"https://huggingface.co/spaces/{space}"
    if os.environ.get("OYSTER_PUBLIC_URL"):
        return os.environ["OYSTER_PUBLIC_URL"].rstrip("/")
    headers = getattr(request, "headers", None) or {}
    referer = headers.get("referer") or headers.get("origin") or ""
    if referer:
        parts = urlsplit(referer)
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", "")).rstrip("/")
    host = headers.get("host", "127.0.0.1:7860")
    return f"http://{host}"


def play_link(code: str, request=None) -> str:
    """The URL that opens the world of a share code."""
    return f"{base_url(request)}/?{urlencode({'world': code})}"
