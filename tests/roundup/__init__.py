"""Tests of sync/roundup and the roundup job."""
