"""A board's role and the states its lists can map to: the words a config is checked against.

Apart from the model (``sync/model.py``, which names them too) so that reading a config, and
every command that only does that (`otg status`, `otg jobs list`, `otg --help`), builds none of
the card types.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MICROACTIONS = "microactions"
    EVENTS = "events"
    CONTENT = "content"


#: The states a list can map to, per role. ``ignore`` is valid for every role.
STATES: dict[Role, tuple[str, ...]] = {
    Role.MICROACTIONS: ("idea", "doing", "done"),
    Role.EVENTS: ("proposed", "planning", "confirmed", "cancelled", "done"),
    Role.CONTENT: ("idea", "drafting", "ready", "drafted", "published"),
}
IGNORE = "ignore"
