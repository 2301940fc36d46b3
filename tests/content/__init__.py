"""Tests of sync/content and the content step of the sync: drafts, Medium, RSS."""
