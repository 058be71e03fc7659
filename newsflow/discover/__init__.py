"""Discover a source's article URLs: feeds, sitemaps and WARC files, parsed defensively."""
