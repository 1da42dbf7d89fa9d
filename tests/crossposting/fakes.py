"""A local HTTP server on 127.0.0.1 that answers like a network's documented API.

Routes answer with fixed documented shapes; `script()` queues one-off answers for a
route (a 429, a 500, a 401) before it goes back to its normal answer. Every request is
recorded, so tests count what really reached the "network".
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class FakeAPI:
    routes: dict[tuple[str, str], Callable[[Seen], Answer]] = field(default_factory=dict)
    scripted: dict[tuple[str, str], deque[Answer]] = field(default_factory=lambda: defaultdict(deque))
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def route(self, method: str, path: str, handler: Callable[[Seen], Answer]) -> None:
        self.routes[(method, path)] = handler

    def script(self, method: str, path: str, *answers: Answer) -> None:
        self.scripted[(method, path)].extend(answers)

    def calls(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == path]

    def answer(self, seen: Seen) -> Answer:
        with self.lock:
            self.seen.append(seen)
            queue = self.scripted.get((seen.method, seen.path))
            if queue:
                return queue.popleft()
        handler = self.routes.get((seen.method, seen.path))
        if handler is None:
            return 404, {"error": "NotFound", "message": f"no route {seen.method} {seen.path}"}, {}
        return handler(seen)


def _handler_for(api: FakeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            # Reddit's API answers with or without the trailing slash (praw sends one).
            path = parts.path.rstrip("/") or "/"
            seen = Seen(self.command, path, parse_qs(parts.query), dict(self.headers.items()), body)
            status, payload, headers = api.answer(seen)
            headers = dict(headers)
            if "X-Fake-Delay" in headers:  # a slow network, for timeout tests
                time.sleep(float(headers.pop("X-Fake-Delay")))
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8"))
            self.send_header("Content-Length", str(len(data)))
            # One request per connection: keeps clients from reusing a socket this test server
            # already gave up on (seen as rare RemoteDisconnected errors with keep-alive).
            self.send_header("Connection", "close")
            self.close_connection = True
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = do_PUT = _any

    return Handler


class Server:
    def __init__(self) -> None:
        self.api = FakeAPI()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.api))
        self.api.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeAPI:
        self.thread.start()
        return self.api

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- Per-network documented answers --------------------------------------------------


def fake_jwt(did: str) -> str:
    def b64(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"scope": "com.atproto.appPass", "sub": did, "iat": now, "exp": now + 7200, "aud": "did:web:pds.test"}
    return f"{b64({'alg': 'ES256K', 'typ': 'at+jwt'})}.{b64(claims)}.c2lnbmF0dXJl"


BSKY_DID = "did:plc:alicegardens12345"
BSKY_PASSWORD = "abcd-efgh-ijkl-mnop"


def install_bluesky(api: FakeAPI) -> None:
    """com.atproto.server.createSession, com.atproto.repo.uploadBlob/createRecord/deleteRecord."""
    session_jwt = fake_jwt(BSKY_DID)

    def create_session(req: Seen) -> Answer:
        body = req.json()
        if body.get("password") != BSKY_PASSWORD:
            return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, {}
        return (
            200,
            {
                "did": BSKY_DID,
                "handle": body["identifier"],
                "email": "alice@example.com",
                "accessJwt": session_jwt,
                "refreshJwt": session_jwt,
                "active": True,
            },
            {},
        )

    def authed(req: Seen) -> bool:
        return req.headers.get("Authorization") == f"Bearer {session_jwt}"

    def upload_blob(req: Seen) -> Answer:
        if not authed(req):
            return 401, {"error": "AuthenticationRequired", "message": "Authentication Required"}, {}
        return (
            200,
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},
                    "mimeType": req.headers.get("Content-Type", "image/png"),
                    "size": len(req.body),
                }
            },
            {},
        )

    counter = iter(range(1, 10_000))

    def create_record(req: Seen) -> Answer:
        if not authed(req):
            return 401, {"error": "AuthenticationRequired", "message": "Authentication Required"}, {}
        rkey = f"3kpost{next(counter)}"
        return (
            200,
            {
                "uri": f"at://{BSKY_DID}/app.bsky.feed.post/{rkey}",
                "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
                "commit": {"cid": "bafyreicommit", "rev": "3kcommitrev"},
                "validationStatus": "valid",
            },
            {},
        )

    api.route("POST", "/xrpc/com.atproto.server.createSession", create_session)
    api.route("POST", "/xrpc/com.atproto.repo.uploadBlob", upload_blob)
    api.route("POST", "/xrpc/com.atproto.repo.createRecord", create_record)
    api.route(
        "POST", "/xrpc/com.atproto.repo.deleteRecord", lambda req: (200, {"commit": {"cid": "x", "rev": "y"}}, {})
    )


MASTODON_TOKEN = "mastodon-token-ZYXW9876"


def install_mastodon(api: FakeAPI, *, max_characters: int = 1000) -> None:
    """GET /api/v1/accounts/verify_credentials, GET /api/v2/instance, POST /api/v1/statuses."""
    by_key: dict[str, dict] = {}
    counter = iter(range(110_000_000, 120_000_000))

    def authed(req: Seen) -> bool:
        return req.headers.get("Authorization") == f"Bearer {MASTODON_TOKEN}"

    def unauthorized() -> Answer:
        return 401, {"error": "The access token is invalid"}, {}

    def verify(req: Seen) -> Answer:
        if not authed(req):
            return unauthorized()
        return (
            200,
            {
                "id": "109348",
                "username": "alice",
                "acct": "alice",
                "display_name": "Alice",
                "url": f"{api.url}/@alice",
                "created_at": "2024-01-01T00:00:00.000Z",
            },
            {},
        )

    def instance(req: Seen) -> Answer:
        return (
            200,
            {
                "domain": "mastodon.test",
                "title": "Fake Mastodon",
                "version": "4.3.0",
                "configuration": {
                    "urls": {"streaming": "wss://mastodon.test"},
                    "statuses": {
                        "max_characters": max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                },
            },
            {},
        )

    def post_status(req: Seen) -> Answer:
        if not authed(req):
            return unauthorized()
        key = req.headers.get("Idempotency-Key", "")
        if key and key in by_key:  # Mastodon answers a repeated key with the first status
            return 200, by_key[key], {}
        form = req.form() if req.body and not req.body.startswith(b"{") else req.json()
        status_id = str(next(counter))
        status = {
            "id": status_id,
            "uri": f"{api.url}/users/alice/statuses/{status_id}",
            "url": f"{api.url}/@alice/{status_id}",
            "created_at": "2026-11-23T10:00:00.000Z",
            "content": f"<p>{form.get('status', '')}</p>",
            "visibility": form.get("visibility", "public"),
            "account": {"id": "109348", "username": "alice", "acct": "alice"},
        }
        if key:
            by_key[key] = status
        return 200, status, {}

    api.route("GET", "/api/v1/accounts/verify_credentials", verify)
    api.route("GET", "/api/v2/instance", instance)
    api.route("POST", "/api/v1/statuses", post_status)


REDDIT_PASSWORD = "reddit-password-1234"
REDDIT_TOKEN = "reddit-access-token-abcdef"


def install_reddit(api: FakeAPI) -> None:
    """POST /api/v1/access_token (password grant), GET /api/v1/me, POST /api/submit, POST /api/del."""
    counter = iter(range(1, 10_000))

    def access_token(req: Seen) -> Answer:
        expected = base64.b64encode(b"client-id-123:client-secret-456").decode()
        if req.headers.get("Authorization") != f"Basic {expected}":
            return 401, {"message": "Unauthorized", "error": 401}, {}
        form = req.form()
        if form.get("grant_type") != "password" or form.get("password") != REDDIT_PASSWORD:
            return 200, {"error": "invalid_grant"}, {}
        return 200, {"access_token": REDDIT_TOKEN, "token_type": "bearer", "expires_in": 86400, "scope": "*"}, {}

    def authed(req: Seen) -> bool:
        return req.headers.get("Authorization") == f"bearer {REDDIT_TOKEN}"

    def me(req: Seen) -> Answer:
        if not authed(req):
            return 401, {"message": "Unauthorized", "error": 401}, {"www-authenticate": 'Bearer realm="reddit"'}
        return 200, {"name": "alice_writes", "id": "1w72", "created_utc": 1700000000.0, "link_karma": 1}, {}

    def submit(req: Seen) -> Answer:
        if not authed(req):
            return 401, {"message": "Unauthorized", "error": 401}, {"www-authenticate": 'Bearer realm="reddit"'}
        form = req.form()
        post_id = f"1x{next(counter):04d}"
        return (
            200,
            {
                "json": {
                    "errors": [],
                    "data": {
                        "url": f"https://www.reddit.com/r/{form['sr']}/comments/{post_id}/a_title/",
                        "drafts_count": 0,
                        "id": post_id,
                        "name": f"t3_{post_id}",
                    },
                }
            },
            {},
        )

    api.route("POST", "/api/v1/access_token", access_token)
    api.route("GET", "/api/v1/me", me)
    api.route("POST", "/api/submit", submit)
    api.route("POST", "/api/del", lambda req: (200, {}, {}))


GRAPH_TOKEN = "EAAGgraph-token-4242"


def graph_auth_error() -> Answer:
    return (
        400,
        {
            "error": {
                "message": "Error validating access token: Session has expired.",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
                "fbtrace_id": "AbCdEf",
            }
        },
        {},
    )


def _graph_authed(req: Seen) -> bool:
    """The Graph API takes the token as `access_token` or as an `Authorization: Bearer` header."""
    token = req.form().get("access_token") if req.method == "POST" else req.query.get("access_token", [""])[0]
    return GRAPH_TOKEN in (token, req.headers.get("Authorization", "").removeprefix("Bearer "))


def install_facebook(api: FakeAPI, *, version: str = "v21.0", page_id: str = "1234567890") -> None:
    """GET /{page-id}, POST /{page-id}/feed, DELETE /{post-id}."""
    counter = iter(range(1, 10_000))

    def page(req: Seen) -> Answer:
        return (200, {"id": page_id, "name": "Alice's Garden"}, {}) if _graph_authed(req) else graph_auth_error()

    def feed(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        return 200, {"id": f"{page_id}_98765{next(counter)}"}, {}

    api.route("GET", f"/{version}/{page_id}", page)
    api.route("POST", f"/{version}/{page_id}/feed", feed)


def install_instagram(api: FakeAPI, *, version: str = "v21.0", user_id: str = "17841400000000001") -> None:
    """GET /{ig-user-id}, POST /{ig-user-id}/media, POST /{ig-user-id}/media_publish, GET /{media-id}."""

    def me(req: Seen) -> Answer:
        return (200, {"id": user_id, "username": "alice.gardens"}, {}) if _graph_authed(req) else graph_auth_error()

    def media(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        return 200, {"id": "17889615691921648"}, {}

    def publish(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        assert req.form()["creation_id"] == "17889615691921648"
        return 200, {"id": "17920238422030506"}, {}

    api.route("GET", f"/{version}/{user_id}", me)
    api.route("POST", f"/{version}/{user_id}/media", media)
    api.route("POST", f"/{version}/{user_id}/media_publish", publish)
    api.route(
        "GET",
        f"/{version}/17920238422030506",
        lambda req: (200, {"id": "17920238422030506", "permalink": "https://www.instagram.com/p/Cabc123/"}, {}),
    )


def install_threads(api: FakeAPI, *, version: str = "v1.0", user_id: str = "25000000000000001") -> None:
    """GET /{threads-user-id}, POST /{threads-user-id}/threads, POST .../threads_publish, GET /{media-id}."""

    def me(req: Seen) -> Answer:
        if not _graph_authed(req):
            return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}, {}
        return 200, {"id": user_id, "username": "alice.gardens"}, {}

    def container(req: Seen) -> Answer:
        if not _graph_authed(req):
            return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}, {}
        return 200, {"id": "18000000000000100"}, {}

    def publish(req: Seen) -> Answer:
        assert req.form()["creation_id"] == "18000000000000100"
        return 200, {"id": "18000000000000200"}, {}

    api.route("GET", f"/{version}/{user_id}", me)
    api.route("POST", f"/{version}/{user_id}/threads", container)
    api.route("POST", f"/{version}/{user_id}/threads_publish", publish)
    api.route(
        "GET",
        f"/{version}/18000000000000200",
        lambda req: (
            200,
            {"id": "18000000000000200", "permalink": "https://www.threads.net/@alice.gardens/post/C1"},
            {},
        ),
    )
