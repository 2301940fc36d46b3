"""Tests of sync/calendar and the events steps of the sync, on a real CalDAV server where it
matters."""
