"""Fast tests: pure functions, and storage or HTTP code against a real database or a local server."""
