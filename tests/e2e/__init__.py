"""End to end: real flows, the CLI in a subprocess, Prefect servers and workers, local news sites."""
