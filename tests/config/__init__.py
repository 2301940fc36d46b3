"""Tests of config/: loading and validating the TOML config."""
