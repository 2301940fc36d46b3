"""Test-only entry point for tests/reliability/relay.py (the crash suite, the simulation's killed
and racing nights): `otg` exactly as ``python -m cli`` runs it, except that every HTTP request it
makes is relayed to the test process, which may SIGKILL it there.

``OTG_CRASH_RELAY`` is the port of the test's relay on 127.0.0.1: each request (method, URL,
headers, body) goes there, is answered by the test's fakes (Trello, Medium, the feeds) or passed
on to the real Radicale, and the answer comes back, unless the test chose this request to kill
the process at (before the request reaches the service, or after). ``OTG_CRASH_NOW`` (ISO 8601) is
the sync's clock (and the calendar imports'), so that it agrees with the fakes'. Run as
``python -m tests.reliability.crash_child --config FILE sync`` from the project's root.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import sys
from datetime import datetime

import requests
import responses

import cli
import jobs.events.calendar_imports
import jobs.sync

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PROPFIND", "REPORT")


def relay(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    payload = {
        "method": request.method,
        "url": request.url,
        "headers": dict(request.headers),
        "body": base64.b64encode(body).decode("ascii"),
        "pid": os.getpid(),  # which child sent it, when two run at once
    }
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(os.environ["OTG_CRASH_RELAY"]), timeout=120
    )
    connection.request(
        "POST", "/", body=json.dumps(payload), headers={"Content-Type": "application/json"}
    )
    answer = json.loads(connection.getresponse().read())
    connection.close()
    return answer["status"], answer["headers"], base64.b64decode(answer["body"])


def main() -> None:
    now = datetime.fromisoformat(os.environ["OTG_CRASH_NOW"])
    jobs.sync.now_utc = lambda: now  # type: ignore[attr-defined]
    jobs.events.calendar_imports.now_utc = lambda: now  # type: ignore[attr-defined]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for method in METHODS:
            rsps.add_callback(method, re.compile(r"https?://.*"), callback=relay, content_type=None)
        cli.main(sys.argv[1:], prog_name="otg")


if __name__ == "__main__":
    main()
