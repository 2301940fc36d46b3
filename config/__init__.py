"""Loading and validating the TOML config; the starter config; the bundled example."""

from __future__ import annotations

from pathlib import Path

from config.loader import (
    BoardConfig,
    Config,
    Secrets,
    TrelloConfig,
    build_config,
    find_config_path,
    load_config,
)

HERE = Path(__file__).parent
STARTER = HERE / "templates" / "starter.toml"
EXAMPLE = HERE / "example" / "otg.toml"

__all__ = [
    "EXAMPLE",
    "STARTER",
    "BoardConfig",
    "Config",
    "Secrets",
    "TrelloConfig",
    "build_config",
    "find_config_path",
    "load_config",
]
