"""HTML fragments the page shows (HUD, chat log, status line). Everything from outside is HTML-escaped here."""
from html import escape


def _fmt(v, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return escape(str(v))


OVERLAY = ('<div class="oy-overlay">Click to play<small>WASD move &middot; arrows or drag to look &middot; '
           'Space jump &middot; Shift sprint</small></div>')


def screen_html(url: str, hud: str = "", message: str = "", keys_token: str = "") -> str:
    """The world view: the frame, the HUD over it, the click-to-play overlay, and an optional message.

    One HTML value per frame (Gradio morphs the DOM, so only the img src and HUD text change): a single output
    keeps the stream cheap; skipped outputs cost a component rebuild per frame in Gradio 6.31. `keys_token` lets
    the key widget post to the direct key route (fastkeys.py).
    """
    msg = f'<div class="oy-message" role="status">{escape(message)}</div>' if message else ""
    keys = f' data-keys="{escape(keys_token, quote=True)}"' if keys_token else ""
    return (f'<div class="oy-screen"{keys}><img class="oy-frame" src="{escape(url, quote=True)}" '
            f'alt="The generated world" draggable="false">{hud}{OVERLAY}{msg}</div>')


def hud_html(hud: dict | None) -> str:
    """World style, biome, time, weather, position and fps as one line of labelled values (elem id `hud`)."""
    hud = hud or {}
    weather = _fmt(hud.get("weather"))
    if hud.get("intensity") is not None and hud.get("weather") not in (None, "clear"):
        weather += f" {float(hud['intensity']):.0%}"
    pos = "–" if hud.get("x") is None else f"{hud['x']:.0f}, {hud['y']:.0f}, {hud.get('z') or 0:.0f} m"
    items = [("world", _fmt(hud.get("world"))),
             ("biome", _fmt(hud.get("biome"))), ("time", _fmt(hud.get("time"))), ("weather", weather),
             ("position", pos), ("fps", _fmt(hud.get("fps"), 0))]
    return '<div id="hud" class="oy-hud">' + "".join(f"<span><b>{k}</b>{v}</span>" for k, v in items) + "</div>"


def log_html(lines: list[tuple[str, str]]) -> str:
    """The Direct-mode chat log; `who` is you | world | system."""
    if not lines:
        return '<div class="oy-log"><div class="oy-system">Tell the world what to do, e.g. "make it rain".</div></div>'
    rows = "".join(f'<div class="oy-{escape(who)}">{escape(text)}</div>' for who, text in lines)
    return f'<div class="oy-log">{rows}</div>'


def status_html(message: str = "", error: bool = False) -> str:
    if not message:
        return ""
    cls = "oy-status oy-error" if error else "oy-status"
    return f'<div class="{cls}" role="status">{escape(message)}</div>'
