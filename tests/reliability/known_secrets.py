"""The recognisable secrets the secrets tests (tests/reliability/test_secrets_*.py) plant, and
``leaks``: which of them (or a telltale piece of one) a text or a file's bytes holds."""

from __future__ import annotations

import base64

TRELLO_KEY = "5ec7e75ec7e75ec7e75ec7e75ec7e75e"  # 32 hex, as Trello keys are
TRELLO_TOKEN = "ATTA" + "SecretTrelloToken" * 4 + "x4"  # 76 characters, as tokens are
MEDIUM_TOKEN = "2f" + "SecretMediumToken" * 3 + "9d"
CALDAV_PASSWORD = "Secret-CalDAV-Passw0rd"
CALDAV_USER = "organiser"
SECRETS = {
    "TRELLO_API_KEY": TRELLO_KEY,
    "TRELLO_TOKEN": TRELLO_TOKEN,
    "MEDIUM_TOKEN": MEDIUM_TOKEN,
    "CALDAV_PASSWORD": CALDAV_PASSWORD,
}
#: What must never be found: each secret, a telltale piece of it (a cut-off quote of it), and
#: the Basic credentials as they travel.
NEEDLES = [
    *SECRETS.values(),
    "SecretTrelloToken",
    "SecretMediumToken",
    "CalDAV-Passw0rd",
    TRELLO_KEY[8:24],
    base64.b64encode(f"{CALDAV_USER}:{CALDAV_PASSWORD}".encode()).decode(),
]


def leaks(text: str | bytes) -> list[str]:
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return [needle for needle in NEEDLES if needle.encode() in data]
