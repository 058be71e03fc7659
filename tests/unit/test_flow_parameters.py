"""The deployed flows' parameters, as the UI's Custom run form shows them."""

from __future__ import annotations

from typing import Any

import pytest
from prefect.utilities.callables import parameter_schema

from flows.backfill import backfill
from flows.ingest import ingest
from flows.reextract import reextract


@pytest.mark.parametrize("deployed", [ingest, backfill, reextract], ids=lambda f: f.name)
def test_every_parameter_has_its_help_in_the_custom_run_form(deployed: Any) -> None:
    properties = parameter_schema(deployed.fn).model_dump()["properties"]
    assert properties
    undocumented = [name for name, spec in properties.items() if not spec.get("description")]
    assert not undocumented, f"{deployed.name}: add these to the docstring's Args section: {undocumented}"
