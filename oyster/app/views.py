"""HTML fragments the page shows (HUD, chat log, status line). Everything from outside is HTML-escaped here."""
from html import escape


def _fmt(v, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return escape(str(v))


def hud_html(hud: dict | None) -> str:
    """Biome, time, weather, position and fps as one line of labelled values."""
    hud = hud or {}
    weather = _fmt(hud.get("weather"))
    if hud.get("intensity") is not None and hud.get("weather") not in (None, "clear"):
        weather += f" {float(hud['intensity']):.0%}"
    pos = "–" if hud.get("x") is None else f"{hud['x']:.0f}, {hud['y']:.0f}, {hud.get('z') or 0:.0f} m"
    items = [("biome", _fmt(hud.get("biome"))), ("time", _fmt(hud.get("time"))), ("weather", weather),
             ("position", pos), ("fps", _fmt(hud.get("fps"), 0))]
    return '<div class="oy-hud">' + "".join(f"<span><b>{k}</b>{v}</span>" for k, v in items) + "</div>"


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
