"""newsflow's pure core: parsing, extraction, cleaning and dedup logic with no I/O framework."""
