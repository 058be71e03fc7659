"""Fingerprint articles and plan which are originals and which duplicate them: pure functions."""
