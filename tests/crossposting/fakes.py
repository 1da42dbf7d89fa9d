"""A local HTTP server on 127.0.0.1 that answers like a network's documented API.

Routes answer with fixed documented shapes; `script()` queues one-off answers for a
route (a 429, a 500, a 401) before it goes back to its normal answer; `lose_answer()` lets
the route do its work (the post is made) and then loses the answer on the way back. Every
request is recorded, so tests count what really reached the "network".
"""

from __future__ import annotations

import base64
import html
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from requests.structures import CaseInsensitiveDict

Answer = tuple[int, Any, dict[str, str]]
# Scripted with `script()`: the connection is closed before the request is handled (nothing was made).
DROP_REQUEST: Answer = (0, b"", {"X-Fake-Drop": "1"})


def now_iso(fmt: str = "%Y-%m-%dT%H:%M:%S.000Z") -> str:
    return datetime.now(UTC).strftime(fmt)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: CaseInsensitiveDict[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class FakeAPI:
    routes: dict[tuple[str, str], Callable[[Seen], Answer]] = field(default_factory=dict)
    scripted: dict[tuple[str, str], deque[Answer]] = field(default_factory=lambda: defaultdict(deque))
    lost: dict[tuple[str, str], deque[str]] = field(default_factory=lambda: defaultdict(deque))
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    # What each network holds (its posts, its sessions), keyed by network.
    state: dict[str, Any] = field(default_factory=dict)

    def route(self, method: str, path: str, handler: Callable[[Seen], Answer]) -> None:
        self.routes[(method, path)] = handler

    def script(self, method: str, path: str, *answers: Answer) -> None:
        self.scripted[(method, path)].extend(answers)

    def lose_answer(self, method: str, path: str, *, how: str = "drop", delay: float = 1.0) -> None:
        """The next request on this route is carried out, then its answer is lost: the connection is
        closed without one (`how="drop"`), or the answer comes after `delay` seconds (`how="slow"`,
        longer than the client's timeout)."""
        self.lost[(method, path)].append("drop" if how == "drop" else str(delay))

    def calls(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == path]

    def answer(self, seen: Seen) -> Answer:
        with self.lock:
            self.seen.append(seen)
            queue = self.scripted.get((seen.method, seen.path))
            if queue:
                return queue.popleft()
            lost = self.lost.get((seen.method, seen.path))
            loss = lost.popleft() if lost else None
        handler = self.routes.get((seen.method, seen.path))
        if handler is None:
            return 404, {"error": "NotFound", "message": f"no route {seen.method} {seen.path}"}, {}
        status, payload, headers = handler(seen)
        if loss is not None:
            headers = {**headers, **({"X-Fake-Drop": "1"} if loss == "drop" else {"X-Fake-Delay": loss})}
        return status, payload, headers


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
            # Header names are case-insensitive (the atproto SDK sends "authorization" on refreshSession).
            headers_in = CaseInsensitiveDict(self.headers.items())
            seen = Seen(self.command, path, parse_qs(parts.query), headers_in, body)
            status, payload, headers = api.answer(seen)
            headers = dict(headers)
            if "X-Fake-Drop" in headers:  # hang up without an answer
                self.close_connection = True
                return
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


def fake_jwt(did: str, *, scope: str = "com.atproto.appPass", serial: int = 0) -> str:
    def b64(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"scope": scope, "sub": did, "iat": now, "exp": now + 7200, "aud": "did:web:pds.test", "jti": str(serial)}
    return f"{b64({'alg': 'ES256K', 'typ': 'at+jwt'})}.{b64(claims)}.c2lnbmF0dXJl"


BSKY_DID = "did:plc:alicegardens12345"
BSKY_PASSWORD = "abcd-efgh-ijkl-mnop"


@dataclass
class BlueskySessions:
    """The PDS's sessions: which access and refresh tokens it still takes."""

    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)  # every token handed out, newest last
    serial: int = 0

    def open(self) -> dict[str, str]:
        self.serial += 1
        access = fake_jwt(BSKY_DID, serial=self.serial)
        refresh = fake_jwt(BSKY_DID, scope="com.atproto.refresh", serial=self.serial)
        self.access.add(access)
        self.refresh.add(refresh)
        self.issued += [access, refresh]
        return {"accessJwt": access, "refreshJwt": refresh}

    def expire_access_tokens(self) -> None:
        self.access.clear()

    def expire_refresh_tokens(self) -> None:
        self.refresh.clear()


def install_bluesky(api: FakeAPI) -> None:
    """com.atproto.server.createSession/refreshSession, com.atproto.repo.uploadBlob/createRecord/
    listRecords/deleteRecord. `api.state["bluesky"]` holds the sessions, `["bluesky_records"]` the posts."""
    sessions = api.state["bluesky"] = BlueskySessions()
    records: list[dict] = api.state.setdefault("bluesky_records", [])
    expired: Answer = (400, {"error": "ExpiredToken", "message": "Token has expired"}, {})
    required: Answer = (401, {"error": "AuthenticationRequired", "message": "Authentication Required"}, {})

    def token(req: Seen) -> str:
        return req.headers.get("Authorization", "").removeprefix("Bearer ")

    def refused(req: Seen) -> Answer | None:
        """None when the access token is good; else the PDS's answer."""
        given = token(req)
        if given in sessions.access:
            return None
        return expired if given in sessions.issued else required

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
                **sessions.open(),
                "active": True,
            },
            {},
        )

    def refresh_session(req: Seen) -> Answer:
        given = token(req)
        if given not in sessions.refresh:
            return expired if given in sessions.issued else required
        sessions.refresh.discard(given)  # refresh tokens are single-use
        return 200, {"did": BSKY_DID, "handle": "alice.bsky.test", **sessions.open(), "active": True}, {}

    def upload_blob(req: Seen) -> Answer:
        if answer := refused(req):
            return answer
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
        if answer := refused(req):
            return answer
        body = req.json()
        rkey = f"3kpost{next(counter)}"
        record = {
            "uri": f"at://{BSKY_DID}/{body['collection']}/{rkey}",
            "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "value": body["record"],
        }
        records.append(record)
        return (
            200,
            {
                "uri": record["uri"],
                "cid": record["cid"],
                "commit": {"cid": "bafyreicommit", "rev": "3kcommitrev"},
                "validationStatus": "valid",
            },
            {},
        )

    def list_records(req: Seen) -> Answer:
        # Public (no auth needed); newest first unless reverse=true.
        repo, collection = req.query.get("repo", [""])[0], req.query.get("collection", [""])[0]
        limit = int(req.query.get("limit", ["50"])[0])
        found = [r for r in reversed(records) if r["uri"].startswith(f"at://{repo}/{collection}/")][:limit]
        return 200, {"records": found, **({"cursor": found[-1]["uri"].rsplit("/", 1)[1]} if found else {})}, {}

    def delete_record(req: Seen) -> Answer:
        if answer := refused(req):
            return answer
        return 200, {"commit": {"cid": "x", "rev": "y"}}, {}

    api.route("POST", "/xrpc/com.atproto.server.createSession", create_session)
    api.route("POST", "/xrpc/com.atproto.server.refreshSession", refresh_session)
    api.route("POST", "/xrpc/com.atproto.repo.uploadBlob", upload_blob)
    api.route("POST", "/xrpc/com.atproto.repo.createRecord", create_record)
    api.route("GET", "/xrpc/com.atproto.repo.listRecords", list_records)
    api.route("POST", "/xrpc/com.atproto.repo.deleteRecord", delete_record)


MASTODON_TOKEN = "mastodon-token-ZYXW9876"


def install_mastodon(api: FakeAPI, *, max_characters: int = 1000) -> None:
    """GET /api/v1/accounts/verify_credentials, GET /api/v2/instance, POST /api/v1/statuses,
    GET /api/v1/accounts/:id/statuses."""
    by_key: dict[str, dict] = {}
    statuses: list[dict] = api.state.setdefault("mastodon_statuses", [])
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
            "created_at": now_iso(),
            "content": f"<p>{html.escape(form.get('status', ''))}</p>",
            "visibility": form.get("visibility", "public"),
            "account": {"id": "109348", "username": "alice", "acct": "alice"},
        }
        if key:
            by_key[key] = status
        statuses.append(status)
        return 200, status, {}

    def account_statuses(req: Seen) -> Answer:
        if not authed(req):
            return unauthorized()
        limit = int(req.query.get("limit", ["20"])[0])
        return 200, list(reversed(statuses))[:limit], {}

    api.route("GET", "/api/v1/accounts/verify_credentials", verify)
    api.route("GET", "/api/v2/instance", instance)
    api.route("POST", "/api/v1/statuses", post_status)
    api.route("GET", "/api/v1/accounts/109348/statuses", account_statuses)


REDDIT_PASSWORD = "reddit-password-1234"
REDDIT_TOKEN = "reddit-access-token-abcdef"


def install_reddit(api: FakeAPI) -> None:
    """POST /api/v1/access_token (password grant), GET /api/v1/me, POST /api/submit, POST /api/del,
    GET /user/{username}/submitted (a Listing of t3 things, newest first)."""
    counter = iter(range(1, 10_000))
    submitted: list[dict] = api.state.setdefault("reddit_submissions", [])

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
        submitted.append(
            {
                "kind": "t3",
                "data": {
                    "id": post_id,
                    "name": f"t3_{post_id}",
                    "title": form.get("title", ""),
                    "url": form.get("url", ""),
                    "subreddit": form["sr"],
                    "subreddit_name_prefixed": f"r/{form['sr']}",
                    "author": "alice_writes",
                    "is_self": False,
                    "permalink": f"/r/{form['sr']}/comments/{post_id}/a_title/",
                    "created_utc": time.time(),
                },
            }
        )
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

    def user_submitted(req: Seen) -> Answer:
        if not authed(req):
            return 401, {"message": "Unauthorized", "error": 401}, {}
        limit = int(req.query.get("limit", ["25"])[0])
        children = list(reversed(submitted))[:limit]
        return 200, {"kind": "Listing", "data": {"after": None, "dist": len(children), "children": children}}, {}

    api.route("GET", "/user/alice_writes/submitted", user_submitted)


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
    """GET /{page-id}, POST /{page-id}/feed, DELETE /{post-id}, GET /{page-id}/published_posts."""
    counter = iter(range(1, 10_000))
    posts: list[dict] = api.state.setdefault("facebook_posts", [])

    def page(req: Seen) -> Answer:
        return (200, {"id": page_id, "name": "Alice's Garden"}, {}) if _graph_authed(req) else graph_auth_error()

    def feed(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        form = req.form()
        post_id = f"{page_id}_98765{next(counter)}"
        link = form.get("link", "")
        posts.append(
            {
                "id": post_id,
                "message": form.get("message", ""),
                "created_time": now_iso("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post_id.split('_')[1]}",
                "attachments": {
                    "data": [{"type": "share", "unshimmed_url": link, "url": f"https://l.facebook.com/l.php?u={link}"}]
                },
            }
        )
        return 200, {"id": post_id}, {}

    def published_posts(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        limit = int(req.query.get("limit", ["25"])[0])
        return 200, {"data": list(reversed(posts))[:limit], "paging": {}}, {}

    api.route("GET", f"/{version}/{page_id}", page)
    api.route("POST", f"/{version}/{page_id}/feed", feed)
    api.route("GET", f"/{version}/{page_id}/published_posts", published_posts)


def install_instagram(api: FakeAPI, *, version: str = "v21.0", user_id: str = "17841400000000001") -> None:
    """GET /{ig-user-id}, POST /{ig-user-id}/media, POST /{ig-user-id}/media_publish, GET /{media-id},
    GET /{ig-user-id}/media (the account's published media, newest first)."""
    containers: dict[str, str] = {}
    published: list[dict] = api.state.setdefault("instagram_media", [])

    def me(req: Seen) -> Answer:
        return (200, {"id": user_id, "username": "alice.gardens"}, {}) if _graph_authed(req) else graph_auth_error()

    def media(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        containers["17889615691921648"] = req.form().get("caption", "")
        return 200, {"id": "17889615691921648"}, {}

    def publish(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        creation_id = req.form()["creation_id"]
        assert creation_id == "17889615691921648"
        published.append(
            {
                "id": "17920238422030506",
                "caption": containers[creation_id],
                "permalink": "https://www.instagram.com/p/Cabc123/",
                "timestamp": now_iso("%Y-%m-%dT%H:%M:%S+0000"),
            }
        )
        return 200, {"id": "17920238422030506"}, {}

    def media_list(req: Seen) -> Answer:
        if not _graph_authed(req):
            return graph_auth_error()
        return 200, {"data": list(reversed(published)), "paging": {}}, {}

    api.route("GET", f"/{version}/{user_id}", me)
    api.route("POST", f"/{version}/{user_id}/media", media)
    api.route("GET", f"/{version}/{user_id}/media", media_list)
    api.route("POST", f"/{version}/{user_id}/media_publish", publish)
    api.route(
        "GET",
        f"/{version}/17920238422030506",
        lambda req: (200, {"id": "17920238422030506", "permalink": "https://www.instagram.com/p/Cabc123/"}, {}),
    )


def install_threads(api: FakeAPI, *, version: str = "v1.0", user_id: str = "25000000000000001") -> None:
    """GET /{threads-user-id}, POST /{threads-user-id}/threads, POST .../threads_publish, GET /{media-id},
    GET /{threads-user-id}/threads (the user's published threads, newest first)."""
    containers: dict[str, dict[str, str]] = {}
    published: list[dict] = api.state.setdefault("threads_posts", [])

    def me(req: Seen) -> Answer:
        if not _graph_authed(req):
            return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}, {}
        return 200, {"id": user_id, "username": "alice.gardens"}, {}

    def container(req: Seen) -> Answer:
        if not _graph_authed(req):
            return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}, {}
        containers["18000000000000100"] = req.form()
        return 200, {"id": "18000000000000100"}, {}

    def publish(req: Seen) -> Answer:
        creation_id = req.form()["creation_id"]
        assert creation_id == "18000000000000100"
        container = containers[creation_id]
        published.append(
            {
                "id": "18000000000000200",
                "media_type": "TEXT_POST",
                "text": container.get("text", ""),
                "link_attachment_url": container.get("link_attachment", ""),
                "permalink": "https://www.threads.net/@alice.gardens/post/C1",
                "timestamp": now_iso("%Y-%m-%dT%H:%M:%S+0000"),
            }
        )
        return 200, {"id": "18000000000000200"}, {}

    def threads(req: Seen) -> Answer:
        if not _graph_authed(req):
            return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}, {}
        return 200, {"data": list(reversed(published)), "paging": {}}, {}

    api.route("GET", f"/{version}/{user_id}/threads", threads)

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
