"""Test-only entry point for the Ctrl-C tests in tests/reliability/test_signals.py: `otg` exactly as
``python -m cli`` runs it, with Trello faked in the process (no network) in one of two moods,
chosen by ``OTG_FAKE_TRELLO``:

- ``429``: every request is refused with 429 and no Retry-After, so the client backs off (10 s
  and more) before each retry: the waits a stop must not sleep through;
- ``hang``: the first request gets no answer for a minute (a server that hangs), after printing
  ``fake trello: hanging`` on stderr so that the test knows the request is in flight.

Run as ``python -m tests.reliability.signal_child --config FILE sync`` from the project's root.
"""

from __future__ import annotations

import os
import re
import sys
import time

import requests
import responses

import cli


def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
    if os.environ.get("OTG_FAKE_TRELLO") == "hang":
        sys.stderr.write("fake trello: hanging\n")
        sys.stderr.flush()
        time.sleep(60)
    return 429, {}, "API_TOKEN_LIMIT_EXCEEDED"


def main() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback("GET", re.compile(r"https://api\.trello\.com/.*"), callback=answer)
        cli.main(sys.argv[1:], prog_name="otg")


if __name__ == "__main__":
    main()
