"""A stateful fake of the Medium API (and a Medium RSS feed) for tests, served through
``responses``, answering as reference/medium.md says the real one does.

- ``GET /v1/me`` → ``{"data": {id, username, name, url, imageUrl}}``;
- ``POST /v1/users/{id}/posts`` and ``/v1/publications/{id}/posts`` → 201 ``{"data": {...}}``
  with ``id``, ``url``, ``publishStatus``... (``publishStatus`` defaults to *public*, as Medium's
  does: a client that forgets to send ``draft`` publishes);
- errors as ``{"errors": [{"message", "code"}]}``: 401 code 6000 (no token) / 6003 (a wrong or
  revoked token), 400 for a bad body, 403 for someone else's user or publication, 429 code 1007
  past the daily limit;
- ``lose_next_response()``: the next POST creates its post, then the answer is lost
  (``ConnectionError``, or any exception given) — the case no client can detect afterwards;
- ``refuse_next_connection()``: the next POST never reaches Medium: no connection can be made
  (refused, as requests raises it, or a connect timeout), so it is neither counted nor answered.

A feed of the posts marked published (``publish``) can be served at any URL (``serve_feed``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Any

import requests
import responses
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

BASE = "https://api.medium.com/v1"
DEFAULT_TOKEN = "2b1c0f3e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1"
USER = {
    "id": "5303d74c64f66366f00cb9b2a94f3251bf5",
    "username": "oneteamgov",
    "name": "OneTeamGov",
    "url": "https://medium.com/@oneteamgov",
    "imageUrl": "https://cdn-images-1.medium.com/fit/c/400/400/otg.png",
}
PUBLICATION = "b45573563f5a"
DAILY_LIMIT = 10
LICENSES = {
    "all-rights-reserved": "",
    "cc-40-by": "https://creativecommons.org/licenses/by/4.0/",
    "public-domain": "https://creativecommons.org/publicdomain/mark/1.0/",
}


def error(status: int, message: str, code: int) -> tuple[int, dict[str, str], str]:
    body = json.dumps({"errors": [{"message": message, "code": code}]})
    return status, {"Content-Type": "application/json"}, body


@dataclass
class Received:
    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    status: int | None = None


@dataclass
class FakeMedium:
    token: str = DEFAULT_TOKEN
    user: dict[str, Any] = field(default_factory=lambda: dict(USER))
    publications: tuple[str, ...] = (PUBLICATION,)
    daily_limit: int = DAILY_LIMIT
    posts: list[dict[str, Any]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    revoked: bool = False
    _lose: list[BaseException | type[BaseException]] = field(default_factory=list)
    _fail: list[tuple[int, str, int]] = field(default_factory=list)
    _refuse: list[bool] = field(default_factory=list)
    published: dict[str, datetime] = field(default_factory=dict)

    # -- setup -----------------------------------------------------------------------------
    def install(self, rsps: responses.RequestsMock) -> None:
        rsps.add_callback("GET", f"{BASE}/me", callback=self._me)
        posts = re.compile(re.escape(BASE) + r"/(users|publications)/([^/?#]+)/posts$")
        rsps.add_callback("POST", posts, callback=self._create)

    @contextmanager
    def running(self) -> Iterator[responses.RequestsMock]:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            self.install(rsps)
            yield rsps

    def revoke(self) -> None:
        """The token stops working: 401 ``Token was invalid.`` (code 6003)."""
        self.revoked = True

    def lose_next_response(
        self, exception: BaseException | type[BaseException] = requests.ConnectionError
    ) -> None:
        """The next POST creates its post, then its answer never arrives."""
        self._lose.append(exception)

    def refuse_next_connection(self, timeout: bool = False) -> None:
        """The next POST gets no connection (refused; a connect timeout if ``timeout``): it never
        reaches Medium, which creates nothing and sees nothing."""
        self._refuse.append(timeout)

    def fail_next(self, status: int, message: str = "Internal error", code: int = -1) -> None:
        """The next POST is answered with this error and creates nothing."""
        self._fail.append((status, message, code))

    # -- inspection ------------------------------------------------------------------------
    def count(self, method: str | None = None) -> int:
        return sum(1 for r in self.received if method is None or r.method == method)

    @property
    def token_in_urls(self) -> bool:
        return any(self.token in r.url for r in self.received)

    # -- handlers --------------------------------------------------------------------------
    def _record(self, request: requests.PreparedRequest) -> Received:
        raw = request.body.decode() if isinstance(request.body, bytes) else request.body
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"_raw": raw}
        received = Received(request.method or "", request.url or "", dict(request.headers), body)
        self.received.append(received)
        return received

    def _auth(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str] | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return error(401, "An access token is required.", 6000)
        if header != f"Bearer {self.token}" or self.revoked:
            return error(401, "Token was invalid.", 6003)
        return None

    def _me(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        received = self._record(request)
        answer = self._auth(request) or (200, {}, json.dumps({"data": self.user}))
        received.status = answer[0]
        return answer

    def _create(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if self._refuse:  # as requests raises it when urllib3 cannot open the socket
            timeout = self._refuse.pop(0)
            if timeout:
                reason = ConnectTimeoutError(None, "Connection to api.medium.com timed out.")
                raise requests.ConnectTimeout(MaxRetryError(None, request.url, reason))
            reason = NewConnectionError(
                None, "Failed to establish a new connection: [Errno 111] Connection refused"
            )
            raise requests.ConnectionError(MaxRetryError(None, request.url, reason))
        received = self._record(request)
        answer = self._answer_create(request, received.body or {})
        received.status = answer[0]
        if self._lose and answer[0] == 201:
            received.status = None
            exc = self._lose.pop(0)
            raise exc("Connection aborted: the answer was lost") if isinstance(exc, type) else exc
        return answer

    def _answer_create(
        self, request: requests.PreparedRequest, body: dict[str, Any]
    ) -> tuple[int, dict[str, str], str]:
        if (denied := self._auth(request)) is not None:
            return denied
        if self._fail:
            return error(*self._fail.pop(0))
        kind, owner = re.search(
            r"/(users|publications)/([^/?#]+)/posts$", request.url or ""
        ).groups()
        if (kind == "users" and owner != self.user["id"]) or (
            kind == "publications" and owner not in self.publications
        ):
            return error(403, "You do not have permission to publish there.", 2005)
        if not body.get("title") or not body.get("content"):
            return error(400, "A title and content are required.", 2004)
        if body.get("contentFormat") not in ("html", "markdown"):
            return error(400, "contentFormat must be html or markdown.", 2004)
        if len(self.posts) >= self.daily_limit:
            return error(429, "You have reached the daily limit of posts.", 1007)
        seed = f"{len(self.posts)}:{body['title']}".encode()
        post_id = hashlib.sha1(seed, usedforsecurity=False).hexdigest()[:12]
        slug = re.sub(r"[^a-z0-9]+", "-", body["title"].lower()).strip("-")
        tags = [t for t in body.get("tags", []) if len(t) <= 25][:3]
        license_ = body.get("license", "all-rights-reserved")
        post = {
            "id": post_id,
            "title": body["title"],
            "authorId": self.user["id"],
            "tags": tags,
            "url": f"https://medium.com/@{self.user['username']}/{slug}-{post_id}",
            "canonicalUrl": body.get("canonicalUrl", ""),
            "publishStatus": body.get("publishStatus", "public"),
            "license": license_,
            "licenseUrl": LICENSES.get(license_, ""),
        }
        if kind == "publications":
            post["publicationId"] = owner
        self.posts.append({**post, "content": body["content"], "request": body})
        return 201, {"Content-Type": "application/json"}, json.dumps({"data": post})

    # -- the RSS feed ----------------------------------------------------------------------
    def publish(self, post_id: str, when: datetime) -> None:
        """An editor published the draft on Medium: it appears in the feed."""
        self.published[post_id] = when

    def feed_xml(self) -> str:
        items = []
        for post in self.posts:
            when = self.published.get(post["id"])
            if when is None:
                continue
            categories = "".join(f"<category><![CDATA[{t}]]></category>" for t in post["tags"])
            items.append(
                f"<item><title><![CDATA[{post['title']}]]></title>"
                f"<link>{escape(post['url'])}?source=rss----{post['id']}---4</link>"
                f'<guid isPermaLink="false">https://medium.com/p/{post["id"]}</guid>'
                f"{categories}<dc:creator><![CDATA[{self.user['name']}]]></dc:creator>"
                f"<pubDate>{format_datetime(when.astimezone(UTC), usegmt=True)}</pubDate>"
                "<content:encoded><![CDATA[<p>…</p>]]></content:encoded></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0"><channel>'
            f"<title><![CDATA[Stories by {self.user['name']} on Medium]]></title>"
            f"<link>{self.user['url']}</link>" + "".join(reversed(items)) + "</channel></rss>"
        )

    def serve_feed(self, rsps: responses.RequestsMock, url: str) -> None:
        rsps.add_callback(
            "GET",
            url,
            callback=lambda request: (200, {"Content-Type": "text/xml"}, self.feed_xml()),
        )
