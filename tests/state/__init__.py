"""Tests of sync/state: the SQLite store."""
