"""Benchmarks: scripts that measure the app and print figures (never assertions on timing)."""
