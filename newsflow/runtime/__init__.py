"""Tune the Python process for long runs: garbage-collector freezing and glibc malloc."""
