"""Tests of sync/trello: the API adapter, exports, reading boards."""
