"""The fault matrix of tests/reliability/test_fault_matrix.py: every external call of a sync (by
scene), every way it can fail, and the cases they make."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tests.fakes.faults import FOREVER, Fault
from tests.world import LEEDS, READY

READY_TITLES = READY
FIRST, NEWS, CHECK = "first night", "news", "news after a lost comment"
#: The setups, by name: (Medium target, big boards, what happens before the run under test).
SCENES: dict[str, tuple[str, bool, dict[str, bool] | None]] = {
    FIRST: ("medium", False, None),
    "drafts": ("drafts", False, None),
    NEWS: ("medium", True, {"comment_lost": False}),
    CHECK: ("medium", True, {"comment_lost": True}),
}

#: Every external call of a sync: (session name, method, regex searched in the URL path), and the
#: valid JSON of the wrong shape an answer to it may be.
CALLS: dict[str, tuple[str, str | None, str]] = {
    "trello board read": ("Trello", "GET", r"^/1/boards/[^/]+$"),
    "trello history read": ("Trello", "GET", r"^/1/boards/[^/]+/actions$"),
    "trello card create": ("Trello", "POST", r"^/1/cards$"),
    "trello link attach": ("Trello", "POST", r"^/1/cards/[^/]+/attachments$"),
    "trello card move": ("Trello", "PUT", r"^/1/cards/[^/]+$"),
    "medium profile": ("Medium", "GET", r"/me$"),
    "medium draft create": ("Medium", "POST", r"/posts$"),
    "caldav listing": ("CalDAV", "PROPFIND", ""),
    "caldav fetch": ("CalDAV", "REPORT", ""),
    "caldav write": ("CalDAV", "PUT", ""),
    "rss feed": ("RSS", "GET", r"^/feed/"),
}
NEWS_CALLS: dict[str, tuple[str, str | None, str]] = {
    "caldav delete": ("CalDAV", "DELETE", ""),
    "trello comment": ("Trello", "POST", r"^/1/cards/[^/]+/actions/comments$"),
    "trello card update from a calendar edit": ("Trello", "PUT", rf"^/1/cards/{LEEDS}$"),
    "trello cancel move": ("Trello", "PUT", rf"^/1/cards/(?!{LEEDS})[^/]+$"),
    "trello cards paged": ("Trello", "GET", r"^/1/boards/[^/]+/cards/all$"),
    "trello labels read": ("Trello", "GET", r"^/1/boards/[^/]+/labels$"),
}
CHECK_CALLS: dict[str, tuple[str, str | None, str]] = {
    "trello comments check": ("Trello", "GET", r"^/1/cards/[^/]+/actions$"),
}
#: "401 halfway" is a token revoked in the middle of a run: every request to the service.
TOKENS: dict[str, tuple[str, str | None, str]] = {
    f"{service.lower()}: every call": (service, None, "")
    for service in ("Trello", "Medium", "CalDAV")
}
ALL_CALLS = {**CALLS, **NEWS_CALLS, **CHECK_CALLS, **TOKENS}
SCENE_OF = {
    **dict.fromkeys(CALLS, FIRST),
    **dict.fromkeys(NEWS_CALLS, NEWS),
    **dict.fromkeys(CHECK_CALLS, CHECK),
    **dict.fromkeys(TOKENS, FIRST),
}
WRONG_SHAPE = {
    "trello board read": "[]",
    "trello history read": '{"error":"x"}',
    "trello card create": '{"name":"no id"}',
    "trello link attach": "[]",
    "trello card move": "null",
    "medium profile": '{"data":[]}',
    "medium draft create": '{"data":{"id":42,"url":null}}',
    "caldav listing": '{"error":"x"}',
    "caldav fetch": "[]",
    "caldav write": "{}",
    "rss feed": '{"items":[]}',
    "caldav delete": "[]",
    "trello comment": '[1,2,"x"]',
    "trello card update from a calendar edit": '{"error":"x"}',
    "trello cancel move": "[]",
    "trello cards paged": '{"error":"x"}',
    "trello labels read": "null",
    "trello comments check": '[1,2,"x"]',
}
#: Calls whose answer nothing reads but the status. None: every Trello write's answer is checked
#: (issue 20: a move answered 200 with the wrong shape may not have been made).
UNREAD_ANSWERS: set[str] = set()
BODILESS = {"caldav write", "caldav delete"}  # the status and ETag say it all
READS = {"GET", "PROPFIND", "REPORT"}
#: How each service is named in a failure line.
NAMED = {
    "Trello": r"Trello",
    "Medium": r"Medium",
    "CalDAV": r"CalDAV",
    "RSS": r"^rss: feed https://",
}
#: Retries each session makes after a 429 (cfg.trello.retries for Trello and CalDAV).
RETRIES_429 = {"Trello": 4, "CalDAV": 4, "RSS": 2, "Medium": 0}
#: ... and after a 429 to a read, where it differs (Medium retries a GET, never a POST).
READ_RETRIES_429 = {**RETRIES_429, "Medium": 3}
BURST = 3
ALWAYS = FOREVER  # a fault that lasts the whole run
TOO_MANY = {
    "Trello": '{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}',
    "Medium": '{"errors":[{"message":"Too many requests.","code":-1}]}',
    "CalDAV": "Too Many Requests",
    "RSS": "Too Many Requests",
}
#: Medium creates whose outcome only an operator can settle (the draft may exist).
UNKNOWN_OUTCOME = (
    "timeout",
    "answer lost",
    "reset mid-body",
    "500",
    "truncated body",
    "not JSON",
    "wrong shape",
)


@dataclass(frozen=True)
class Case:
    call: str
    fault: str

    @property
    def service(self) -> str:
        return ALL_CALLS[self.call][0]

    @property
    def scene(self) -> str:
        return SCENE_OF[self.call]

    @property
    def reads(self) -> bool:
        return ALL_CALLS[self.call][1] in READS

    def make(self, calls_in_a_clean_run: int) -> Fault:
        """The fault: a read's lasts the whole run (retries cannot cure it); a write's hits once
        and, where the server may have done it, after it did ("the answer is lost"). A 401
        halfway: from the k-th request to the service on (k = half its requests in a clean
        run), every request is refused, as when the token is revoked during the run."""
        service, method, path = ALL_CALLS[self.call]
        times = ALWAYS if self.reads else 1
        halfway = max(1, calls_in_a_clean_run // 2)
        kinds = {
            "timeout": ("timeout" if self.reads else "timeout-after", {}),
            "connection reset": ("reset", {}),
            "answer lost": ("reset-after", {}),
            "reset mid-body": ("reset-mid-body", {}),
            "500": ("status", {"status": 500, "body": "Internal Server Error"}),
            "429 burst": (
                "status",
                {"status": 429, "body": TOO_MANY[service], "times": BURST},
            ),
            "truncated body": ("truncated", {"times": 1}),
            "not JSON": ("not-json" if self.reads else "not-json-after", {"times": 1}),
            "wrong shape": ("wrong-shape", {"body": WRONG_SHAPE.get(self.call, "[]")}),
            "401 halfway": ("401", {"times": ALWAYS, "skip": halfway - 1}),
        }
        kind, extra = kinds[self.fault]
        return Fault(service, method, path, kind, **{"times": times, **extra})

    @property
    def absorbed(self) -> bool:
        """A fault the run gets over by itself: a 429 burst within the session's retries, a
        CalDAV write's answer mangled (it has no body to read: the status and ETag say it
        all), or JSON of the wrong shape in an answer nobody reads."""
        mangled = ("truncated body", "not JSON", "wrong shape")
        if self.call in BODILESS and self.fault in mangled:
            return True
        if self.call in UNREAD_ANSWERS and self.fault == "wrong shape":
            return True
        retries = (READ_RETRIES_429 if self.reads else RETRIES_429)[self.service]
        return self.fault == "429 burst" and retries >= BURST


READ_FAULTS = [
    "timeout",
    "connection reset",
    "reset mid-body",
    "500",
    "429 burst",
    "truncated body",
    "not JSON",
    "wrong shape",
]
WRITE_FAULTS = [
    "timeout",
    "connection reset",
    "answer lost",
    "reset mid-body",
    "500",
    "429 burst",
    "truncated body",
    "not JSON",
    "wrong shape",
]
#: The second night's faults run by default, the ones that differ most: for a read, no answer,
#: a refusal, a rate limit, an answer cut off or in the wrong shape; for a write, an answer lost
#: after the server made it, a refusal, a proxy's page or JSON in the wrong shape.
BOUNDED = {
    "reads": {"timeout", "500", "429 burst", "truncated body", "wrong shape"},
    "writes": {"answer lost", "500", "not JSON", "wrong shape"},
}
EVERY_FAULT = bool(os.environ.get("OTG_FAULTS_ALL"))


def _cases(calls: dict[str, tuple[str, str | None, str]], bounded: bool) -> list[Case]:
    cases = []
    for call, (_, method, _) in calls.items():
        reads = method in READS
        for fault in READ_FAULTS if reads else WRITE_FAULTS:
            if not bounded or fault in BOUNDED["reads" if reads else "writes"]:
                cases.append(Case(call, fault))
    return cases


FIRST_CASES = _cases(CALLS, bounded=False) + [Case(call, "401 halfway") for call in TOKENS]
NEWS_CASES = _cases({**NEWS_CALLS, **CHECK_CALLS}, bounded=not EVERY_FAULT)
CASES = FIRST_CASES + NEWS_CASES
