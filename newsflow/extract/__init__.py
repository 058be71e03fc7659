"""Turn a page into a clean article: pure functions, no network, no threads, no database."""
