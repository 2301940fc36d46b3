"""Loading and validating the TOML config; the starter config; the bundled example."""

from __future__ import annotations

from config.bundled import EXAMPLE, ROUNDUP_TEMPLATE, STARTER
from config.loader import (
    BoardConfig,
    Config,
    Secrets,
    TrelloConfig,
    build_config,
    find_config_path,
    load_config,
)

__all__ = [
    "EXAMPLE",
    "ROUNDUP_TEMPLATE",
    "STARTER",
    "BoardConfig",
    "Config",
    "Secrets",
    "TrelloConfig",
    "build_config",
    "find_config_path",
    "load_config",
]
