"""The Medium tests' world (``medium_world.py``) as fixtures for every module here: ``world``
(the Trello and Medium fakes) and ``config`` (a config writer); a module may define its own."""

from tests.content.medium_world import config, world  # noqa: F401 (fixtures)
