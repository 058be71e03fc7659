"""Property-based tests (hypothesis): invariants over generated input."""
