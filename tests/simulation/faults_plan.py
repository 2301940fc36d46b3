"""A night's fault plan, drawn from the seed: what strikes, where, and when in the run.

Faults at the transport (``tests/fakes/faults.py``): timeouts, resets before and after the service
acted, writes the service makes after the client gave up (``late``), 200 answers of the wrong
shape (the service acted, or not), 5xx, a 429 storm, lost answers, a token revoked halfway; and
beside them a full disk (the state database stops taking writes at a random transaction) and a
second run racing the first (it must wait or refuse, never run alongside)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.fakes.faults import FOREVER, Fault

#: (service, method, path regex): the requests a fault may strike.
TARGETS = [
    ("Trello", "POST", r"^/1/cards$"),
    ("Trello", "PUT", r"^/1/cards/[^/]+$"),
    ("Trello", "POST", r"/attachments$"),
    ("Trello", "POST", r"/actions/comments$"),
    ("Trello", "GET", r"^/1/boards/[^/]+$"),
    ("CalDAV", "PUT", ""),
    ("CalDAV", "DELETE", ""),
    ("CalDAV", "REPORT", ""),
    ("Medium", "POST", r"/posts$"),
    ("Medium", "GET", r"/me$"),
    ("RSS", "GET", ""),
]
WRITE_KINDS = [
    ("timeout-after", {}),
    ("reset", {}),
    ("reset-after", {}),
    ("late", {}),
    ("wrong-shape", {"body": "[]"}),
    ("wrong-shape-before", {"body": '{"error":"x"}'}),
    ("status", {"status": 500}),
    ("status", {"status": 503, "body": "Service Unavailable"}),
]
READ_KINDS = [
    ("timeout", {}),
    ("reset", {}),
    ("status", {"status": 502, "body": "Bad Gateway"}),
    ("truncated", {}),
]
#: Whole-night troubles, beside the transport faults.
TROUBLES = ("429 storm", "token revoked", "disk full", "racing run")


@dataclass
class Plan:
    faults: list[Fault]
    troubles: list[str]
    disk_full_at: int = 0  # the transaction at which the state database fills

    def describe(self) -> str:
        shown = [f"{f.service} {f.method or '*'} {f.path or '*'} {f.kind}" for f in self.faults]
        return "; ".join(shown + self.troubles) or "no fault"


def draw(rng: random.Random) -> Plan:
    """Most nights one or two faults; one night in five a quiet one."""
    if rng.random() < 0.2:
        return Plan([], [])
    faults = []
    for _ in range(rng.randint(1, 2)):
        service, method, path = rng.choice(TARGETS)
        kind, extra = rng.choice(READ_KINDS if method in ("GET", "REPORT") else WRITE_KINDS)
        if kind == "wrong-shape" and service != "Trello":
            kind, extra = "reset-after", {}
        times = FOREVER if method in ("GET", "REPORT") and rng.random() < 0.5 else 1
        faults.append(
            Fault(service, method, path, kind, times=times, skip=rng.randint(0, 3), **extra)
        )
    troubles = []
    if rng.random() < 0.25:
        trouble = rng.choice(TROUBLES)
        troubles.append(trouble)
        if trouble == "429 storm":
            body = '{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}'
            faults.append(Fault("Trello", None, "", "status", status=429, body=body, times=FOREVER))
        elif trouble == "token revoked":
            service = rng.choice(["Trello", "Medium", "CalDAV"])
            faults.append(Fault(service, None, "", "401", times=FOREVER, skip=rng.randint(1, 8)))
    return Plan(faults, troubles, disk_full_at=rng.randint(1, 30))
