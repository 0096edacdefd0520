"""The direct key route: POST /oyster/keys, mounted beside the Gradio app on the same server.

A key message through Gradio's event route costs a full event round (preprocess, state, postprocess) on a busy
server; this route hands the same JSON payload straight to `Runner.send_payload`. The page learns its key token
from the screen's `data-keys` attribute; the token names the visitor's Runner id and is signed with a secret made
at start-up, so it cannot be forged for another visitor. The Gradio key event stays as the fallback.
"""
import hashlib
import hmac
import secrets
import weakref

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from oyster.serve import InputError, Runner, UnknownSession

PATH = "/oyster/keys"
MAX_BODY = 4096


class KeyTokens:
    """Signs and checks key tokens `<runner id>.<signature>` with a secret made per server start."""

    def __init__(self, secret: bytes | None = None):
        self._secret = secret or secrets.token_bytes(32)

    def _sign(self, sid: str) -> str:
        return hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()[:32]

    def token(self, sid: str) -> str:
        return f"{sid}.{self._sign(sid)}"

    def sid(self, token: str) -> str | None:
        """The Runner id a token names, or None when it is malformed or not signed by this server."""
        if not isinstance(token, str) or len(token) > 200 or "." not in token:
            return None
        sid, sig = token.rsplit(".", 1)
        return sid if hmac.compare_digest(sig, self._sign(sid)) else None


# A deliberate registry: the page (handlers) and the server (launch arguments) are built separately from one Runner.
_TOKENS: "weakref.WeakKeyDictionary[Runner, KeyTokens]" = weakref.WeakKeyDictionary()


def tokens_for(runner: Runner) -> KeyTokens:
    """The one KeyTokens of a Runner."""
    if runner not in _TOKENS:
        _TOKENS[runner] = KeyTokens()
    return _TOKENS[runner]


def keys_route(runner: Runner, tokens: KeyTokens | None = None) -> Route:
    """POST /oyster/keys?t=<token> with the key widget's JSON payload as the body: 204, or 400/403/404 with
    {"error": reason} (the visitor's world is untouched)."""

    tokens = tokens or tokens_for(runner)

    async def post(request: Request) -> Response:
        sid = tokens.sid(request.query_params.get("t", ""))
        if sid is None:
            return JSONResponse({"error": "bad key token"}, status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "key payload must be a JSON string under 2 KB"}, status_code=400)
        try:
            runner.send_payload(sid, body.decode("utf-8", "replace"))
        except InputError as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        except UnknownSession:
            return JSONResponse({"error": "this world is closed"}, status_code=404)
        return Response(status_code=204)

    return Route(PATH, post, methods=["POST"])
