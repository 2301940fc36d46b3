"""Objects as a damaged or older export holds them: keys missing, unknown, or junk."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.strategies.text import junk

UNKNOWN_KEYS = (
    "nodeId",
    "dateClosed",
    "dateViewedByCreator",
    "cardRole",
    "mirrorSourceId",
    "agent",
    "cover",
    "limits",
    "pluginData",
    "badges",
    "descData",
    "idShort",
    "__proto__",
    "",
)
#: Keys that 2014–2016 exports do not have.
NEWER_CARD_KEYS = (
    "start",
    "dueComplete",
    "customFieldItems",
    "locationName",
    "address",
    "coordinates",
)


@st.composite
def shaped(
    draw: st.DrawFn, obj: dict[str, Any], optional: tuple[str, ...] = (), required: tuple = ()
) -> Any:
    """An object as a damaged or older export might hold it: some optional keys missing,
    unknown keys added, and now and then junk in a key, or instead of the whole object."""
    if draw(st.integers(0, 19)) == 19:
        return draw(junk())
    out = dict(obj)
    for key in draw(st.sets(st.sampled_from(optional), max_size=3)) if optional else ():
        out.pop(key, None)
    if draw(st.integers(0, 3)) == 3:
        keys = sorted(k for k in out if k not in required) or sorted(out)
        if keys:
            for key in draw(st.sets(st.sampled_from(keys), min_size=1, max_size=2)):
                out[key] = draw(junk())
    if draw(st.integers(0, 3)) == 3:
        out.update(draw(st.dictionaries(st.sampled_from(UNKNOWN_KEYS), junk(), max_size=3)))
    return out
