"""newsflow's core, grouped by stage; no Prefect and no database here.

- `discover/`  a source's listings: feeds, sitemaps, WARC files, hardened XML parsing
- `fetch/`     the only code that opens sockets: HTTP client, SSRF guard, robots.txt, politeness
- `extract/`   pure: a page's tree, body, residue, metadata, dates, normalized fields
- `dedupe/`    pure: fingerprints and the plan that decides originals and duplicates
- `runtime/`   process tuning for long runs (gc freeze, glibc malloc)
- top level: records, errors, settings, the sources file, URLs, charset decoding, backfill windows
"""
