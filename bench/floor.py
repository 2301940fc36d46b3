"""The floors the sync is measured against, each run as its own process in the same bench run:

- ``json``: reading the three export files with the standard library's ``json.loads`` (one at a
  time, as the sync reads them), and nothing else;
- ``first``: what a first sync cannot avoid: that, plus an icalendar feed of the events board's
  dated cards, each ready content card's description through python-markdown, and writing those
  files (the feed, a .md and a .html per draft) with one sync of the folder.

``python -m bench.floor json FILE...`` / ``python -m bench.floor first FOLDER OUT``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from bench.proc import python
from sync.content.durable import make_durable

JSON = "import json, sys\nfor name in sys.argv[1:]:\n    json.loads(open(name, 'rb').read())\n"


def json_floor(files: list[str]) -> list[str]:
    return [*python(JSON), *files]


def first_floor(folder: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "bench.floor", "first", str(folder), str(out)]


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def first(folder: Path, out: Path) -> None:
    import icalendar
    import markdown

    out.mkdir(parents=True, exist_ok=True)
    events = json.loads((folder / "events.json").read_bytes())
    feed = icalendar.Calendar()
    feed.add("prodid", "-//bench floor//EN")
    feed.add("version", "2.0")
    for card in events["cards"]:
        if card.get("closed") or not (card.get("start") or card.get("due")):
            continue
        event = icalendar.Event()
        event.add("uid", f"trello-{card['id']}@bench.example")
        event.add("summary", card["name"])
        event.add("dtstart", _when(card.get("start") or card["due"]))
        event.add("dtend", _when(card.get("due") or card["start"]))
        event.add("location", card.get("locationName") or "")
        event.add("description", card.get("desc") or "")
        event.add("url", card.get("url") or "")
        feed.add_component(event)
    (out / "events.ics").write_bytes(feed.to_ical())
    del events, feed
    content = json.loads((folder / "content.json").read_bytes())
    ready = {lst["id"] for lst in content["lists"] if lst["name"] == "Ready for Medium"}
    drafts = out / "drafts"
    drafts.mkdir(exist_ok=True)
    for card in content["cards"]:
        if card.get("closed") or card.get("idList") not in ready or not card.get("desc"):
            continue
        stem = drafts / card["shortLink"]
        stem.with_suffix(".md").write_text(f"# {card['name']}\n\n{card['desc']}", "utf-8")
        stem.with_suffix(".html").write_text(markdown.markdown(card["desc"]), "utf-8")
    make_durable(drafts, list(drafts.iterdir()))  # one sync for them all, as the sync does


if __name__ == "__main__":
    if sys.argv[1] == "first":
        first(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(f"unknown floor {sys.argv[1]!r}")
