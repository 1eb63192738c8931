"""What the gateway checks and adds around every route, before and after it runs.

Refused before any route: a state-changing request that a page of another site made a browser send (its `Origin`
or its `Sec-Fetch-Site: cross-site`, which no page can set, so this holds in the local single-user mode too, where no
key is asked), and a body larger than the route takes (an upload, or anything else).
Added to every answer: `nosniff`; to every HTML page, a content security policy that forbids inline script and
framing, `X-Frame-Options` and a referrer policy. CORS only for the origins listed in MIRAGE_CORS_ORIGINS.
Clients that send no `Origin` (curl, scripts, `mirage` commands) are not browsers and pass.

A gateway bound to a loopback address also refuses a browser's request for any other host name: a page of
attacker.example whose name is made to resolve to 127.0.0.1 (DNS rebinding) is its own origin to the browser, so only
the `Host` it sends gives it away, and the local single-user mode asks no key.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth import is_loopback
from gateway.errors import error_body
from runtime.settings import Settings

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UPLOAD_PATH = "/documents/upload"
MULTIPART_OVERHEAD = 64 * 1024
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
HTML_HEADERS = {"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}
DEFAULT_PORTS = {"http": 80, "https": 443}


def same_host(origin: str, host: str) -> bool:
    """Whether a browser's `Origin` names this server as the request reached it (`Host`): the same name and port, a
    port-less `Host` (behind a proxy on 80 or 443) standing for the origin scheme's default port."""
    parts = urlsplit(origin)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return False
    served = urlsplit(f"//{host}")
    try:
        origin_port, served_port = parts.port or DEFAULT_PORTS[parts.scheme], served.port
    except ValueError:
        return False
    return parts.hostname == served.hostname and (served_port == origin_port or (served_port is None and origin_port in DEFAULT_PORTS.values()))


def cross_site_refusal(method: str, headers: Headers, allowed: tuple[str, ...]) -> str | None:
    """Why a browser request from another site may not change anything here, or None when it may.

    `Sec-Fetch-Site` is the browser's own verdict, which no page can set: `same-origin` passes even with `Origin: null`
    (what a page sent with `Referrer-Policy: no-referrer`, like the reviewer's, puts on its own form posts)."""
    if method not in STATE_CHANGING:
        return None
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/").lower() in allowed:
        return None
    site = headers.get("sec-fetch-site")
    if site == "same-origin":
        return None
    if site == "cross-site" or (origin is not None and not same_host(origin, headers.get("host", ""))):
        return (f"a page of {(origin or 'another site')[:200]} may not {method} here (only this server's own pages and the "
                "origins in MIRAGE_CORS_ORIGINS)")
    return None


def foreign_host_refusal(headers: Headers, bound_to_loopback: bool) -> str | None:
    """Why a browser may not reach a loopback-bound gateway under this host name (browsers send `Sec-Fetch-*` on every
    request; other clients, and names of this machine, pass)."""
    if not bound_to_loopback or "sec-fetch-site" not in headers and "sec-fetch-mode" not in headers:
        return None
    host = urlsplit(f"//{headers.get('host', '')}").hostname or ""
    if is_loopback(host) or host.endswith(".localhost"):
        return None
    return f"this gateway serves this machine only: open it as http://127.0.0.1 or localhost, not {host[:100]}"


def body_limit(path: str, settings: Settings) -> tuple[int, str, str]:
    """(bytes, error code, what it is): an upload takes a file and its multipart framing; any other body is small."""
    if path == UPLOAD_PATH:
        return settings.max_upload_bytes + MULTIPART_OVERHEAD, "file_too_large", "the upload limit"
    return settings.max_body_bytes, "request_too_large", "the limit for a request body (MIRAGE_MAX_BODY_KB)"


class Guard:
    """Refuses, before any route runs, a cross-site state-changing request and a body over its limit."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        if (refusal := foreign_host_refusal(headers, is_loopback(self.settings.host))) is not None:
            return await JSONResponse(error_body("foreign_host", refusal), status_code=403)(scope, receive, send)
        if (refusal := cross_site_refusal(scope["method"], headers, self.settings.allowed_origins)) is not None:
            return await JSONResponse(error_body("cross_origin", refusal), status_code=403)(scope, receive, send)
        limit, code, what = body_limit(scope["path"], self.settings)
        length = headers.get("content-length", "")
        if length.isdigit():  # the server holds the body to its declared length
            if int(length) <= limit:
                return await self.app(scope, receive, send)
            seen = int(length)
        else:  # sent in chunks: read here up to the limit (held in memory, as the upload route holds a file), then handed on
            seen, messages = await read_body(receive, limit)
            if seen <= limit:
                return await self.app(scope, replay(messages, receive), send)
        body = error_body(code, f"the request is {'over ' if not length else ''}{seen} bytes; {what} is {limit} bytes")
        await JSONResponse(body, status_code=413)(scope, receive, send)


async def read_body(receive: Receive, limit: int) -> tuple[int, list[Message]]:
    """The body's messages and its size so far, stopping once it passes `limit`."""
    seen, messages = 0, []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return seen, messages
        seen += len(message.get("body", b""))
        if seen > limit or not message.get("more_body", False):
            return seen, messages


def replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that gives the messages already read, then the server's (a disconnect)."""
    pending = list(messages)

    async def receive_again() -> Message:
        return pending.pop(0) if pending else await receive()

    return receive_again


class BrowserHeaders:
    """`nosniff` on every answer; on an HTML page, the policy that keeps it from running or framing what it did not ship
    (a page that sets its own policy, like /docs, keeps it); on a JSON answer (questions, answers, documents about
    patients' care), `Cache-Control: no-store` unless the route says otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                kind = headers.get("content-type", "")
                if kind.startswith("text/html"):
                    for name, value in HTML_HEADERS.items():
                        headers.setdefault(name, value)
                elif kind.startswith("application/json"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, settings: Settings) -> None:
    """Starlette runs the middleware added last first: the headers go on every answer, refusals included."""
    app.add_middleware(Guard, settings=settings)
    if settings.allowed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], expose_headers=["Retry-After"], max_age=600)
    app.add_middleware(BrowserHeaders)
