"""Running `otg` in the CLI tests: `invoke` (in-process, exceptions raised) and `example_copy`
(a config beside a state database, with the demo microactions and events boards)."""

from __future__ import annotations

import cli
from tests.conftest import demo_boards


def invoke(runner, *args, **kwargs):
    return runner.invoke(cli.main, list(args), catch_exceptions=False, **kwargs)


def example_copy(tmp_path, write_config, extra: str = "") -> str:
    return str(
        write_config(f"""
        state_db = "state.db"
        {demo_boards("microactions", "events")}
        {extra}
    """)
    )
