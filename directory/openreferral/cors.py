"""Open CORS for the public Open Referral API, and for no other path.

The Open Referral UK profile requires every response of a directory feed to carry
`Access-Control-Allow-Origin: *` so that browser applications on any site can
read it. The API reads no cookies or credentials, so the wildcard exposes
nothing private. The chat gateway keeps its own, narrower CORS policy.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = "GET, OPTIONS"
PREFLIGHT_MAX_AGE_SECONDS = "86400"


class OpenCORSMiddleware:
    """Add `Access-Control-Allow-Origin: *` to responses under `path_prefix`.

    This middleware returns 204 to a CORS preflight (`OPTIONS` with
    `Access-Control-Request-Method`) under the prefix. Other paths pass through
    unchanged.
    """

    def __init__(self, app: ASGIApp, path_prefix: str) -> None:
        self.app = app
        self.path_prefix = path_prefix.rstrip("/")

    def _applies_to(self, scope: Scope) -> bool:
        if scope["type"] != "http":
            return False
        path: str = scope["path"]
        return path == self.path_prefix or path.startswith(self.path_prefix + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies_to(scope):
            await self.app(scope, receive, send)
            return

        headers = Headers(scope=scope)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Access-Control-Allow-Origin"] = "*"
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send) -> None:
        headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", ALLOWED_METHODS.encode("ascii")),
            (b"access-control-allow-headers", b"*"),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE_SECONDS.encode("ascii")),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
