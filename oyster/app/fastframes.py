"""The frame socket: WebSocket /oyster/frames, mounted beside the Gradio app on the same server.

The page opens it with the key token the screen carries (fastkeys.py) and from then on gets its frames as binary
messages instead of through Gradio's queue and server-sent events (no base64, no JSON diff per frame), and may send
its key messages back over the same socket. Gradio's stream stays open beside it for messages and takes the
frames back when the socket closes, so a proxy without WebSockets only costs the fast path.

Server -> page: binary frames `[2-byte big-endian header length][JSON header {"fid", "seq", stamps...}][JPEG]`,
and text JSON `{"hud": html}`, `{"message": text, "done": bool}` or `{"error": reason}` (a refused key message).
Page -> server: text messages with the key widget's JSON payload (as POST /oyster/keys takes).
"""
import asyncio
import json
import logging
import secrets
import struct

import anyio
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from oyster.app.fastkeys import MAX_BODY, KeyTokens, tokens_for
from oyster.app.views import hud_html
from oyster.serve import InputError, Runner, UnknownSession

log = logging.getLogger(__name__)
PATH = "/oyster/frames"
MAX_BAD_MESSAGES = 50        # refused key messages on one socket before it is closed (a broken or hostile page)
# Close codes: 1008 policy (bad token, too many bad messages), 1009 too big, 4404 no such world, 4409 replaced.
BAD_TOKEN, TOO_BIG, NO_WORLD = 1008, 1009, 4404


def frame_message(packet: dict) -> bytes:
    """A frame packet (with `jpeg`) as one binary message: header length, JSON header, JPEG bytes."""
    head = {"fid": packet.get("frame_id", 0), "seq": packet.get("seq", -1)} | (packet.get("stamps") or {})
    h = json.dumps(head, separators=(",", ":")).encode()
    return struct.pack(">H", len(h)) + h + packet["jpeg"]


def parse_frame_message(data: bytes) -> tuple[dict, bytes]:
    """Inverse of `frame_message`: (header, JPEG bytes). For tests and the load benchmark."""
    (n,) = struct.unpack(">H", data[:2])
    return json.loads(data[2:2 + n]), data[2 + n:]


def channel_supported(runner) -> bool:
    """Whether this runner can hand a visitor's frames to a second consumer (the in-process Runner can)."""
    import inspect
    return "channel" in inspect.signature(runner.frames).parameters


def frames_route(runner: Runner, tokens: KeyTokens | None = None) -> WebSocketRoute:
    """WebSocket /oyster/frames?t=<key token>: the visitor's frames; key messages may come back on it.

    A missing, malformed or forged token is refused before the socket opens (HTTP 403); so is a runner without
    frame channels (the page then keeps Gradio's stream). A key message that is not valid JSON text, or is over
    MAX_BODY, gets `{"error": ...}` and changes nothing; an oversized one also closes the socket (1009), and so
    do MAX_BAD_MESSAGES refused ones (1008). The visitor's world and every other visitor are untouched.
    """
    tokens = tokens or tokens_for(runner)
    supported = channel_supported(runner)

    async def endpoint(ws: WebSocket) -> None:
        sid = tokens.sid(ws.query_params.get("t", ""))
        if sid is None or not supported:
            await ws.close(code=BAD_TOKEN)
            return
        await ws.accept()
        gen = runner.frames(sid, channel=secrets.token_hex(8))
        reader = asyncio.create_task(_read_keys_until_closed(ws, runner, sid))
        try:
            while not reader.done():
                try:
                    packet = await anyio.to_thread.run_sync(next, gen, None)
                except UnknownSession:
                    await ws.close(code=NO_WORLD, reason="this world is closed")
                    return
                if packet is None or reader.done():
                    break
                if packet.get("jpeg"):
                    await ws.send_bytes(frame_message(packet))
                if packet.get("hud"):
                    await ws.send_text(json.dumps({"hud": hud_html(packet["hud"])}))
                if packet.get("message") or packet.get("done"):
                    await ws.send_text(json.dumps({"message": packet.get("message", ""),
                                                   "done": bool(packet.get("done"))}))
                if packet.get("done"):
                    break
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass    # the page went away mid-send: its Gradio stream notices and frees the seat
        finally:
            reader.cancel()
            try:
                gen.close()      # lets the page's Gradio stream render again
            except ValueError:   # still running in a worker thread (server shutdown): it ends with the server
                pass
            if ws.application_state == WebSocketState.CONNECTED:
                try:
                    await ws.close()
                except (WebSocketDisconnect, RuntimeError, OSError):
                    pass    # already gone

    return WebSocketRoute(PATH, endpoint)


async def _read_keys_until_closed(ws: WebSocket, runner: Runner, sid: str) -> None:
    try:
        await _read_keys(ws, runner, sid)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass     # the socket went away; the frame loop sees this task done and ends


async def _read_keys(ws: WebSocket, runner: Runner, sid: str) -> None:
    """Key messages from the page until it disconnects; each refused one is answered with {"error": reason}."""
    bad = 0
    while True:
        msg = await ws.receive()
        if msg["type"] == "websocket.disconnect":
            return
        text, data = msg.get("text"), msg.get("bytes")
        size = len(text.encode()) if text is not None else len(data or b"")
        if size > MAX_BODY:
            await ws.close(code=TOO_BIG, reason="key messages must be under 4 KB")
            return
        try:
            if text is None:
                raise InputError("key messages are JSON text, not binary")
            runner.send_payload(sid, text)
            continue
        except InputError as e:
            why = str(e)
        except UnknownSession:
            return
        bad += 1
        if bad > MAX_BAD_MESSAGES:
            await ws.close(code=BAD_TOKEN, reason="too many refused key messages")
            return
        await ws.send_text(json.dumps({"error": why}))
