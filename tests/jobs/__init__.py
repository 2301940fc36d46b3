"""Tests of jobs/: the scheduler, timetable, ledger, dry runs."""
