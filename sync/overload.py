"""Which services a run found overloaded: the circuit breakers' record (sync/http.py trips them).

Apart from the HTTP code so that a run that sends no request (a night on export files, with a
feed and a drafts folder) imports no HTTP stack: `requests` and urllib3 cost 40–70 ms to import.
"""

from __future__ import annotations

#: Consecutive 429 or 5xx answers from one service (retries included) after which the session
#: sends it nothing more: a storm would otherwise cost every remaining item its retries.
TRIP_AFTER = 8
#: The services whose circuit opened in this process since ``breakers_reset``: said once a run.
TRIPPED: list[str] = []


def breakers_reset() -> None:
    """A run begins: no service is known to be overloaded (sessions are made per run)."""
    TRIPPED.clear()


def tripped() -> list[str]:
    """One line per service left alone this run, for the run's report."""
    return list(TRIPPED)
