"""The parser reproduces every true value of the embedded sample, and only the printed
inconsistencies fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.parse import parse_path

SAMPLE = Path(__file__).resolve().parents[1] / "ingest" / "sample"
TRUTHS = [json.loads(x) for x in (SAMPLE / "truth.jsonl").read_text("utf-8").splitlines()]


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda t: t["file"])
def test_sample_report(truth):
    got = parse_path(str(SAMPLE / truth["file"]))
    assert got["status"] == truth["status"]
    assert (got["agency"], got["year"]) == (truth["agency"], truth["year"])
    for section in ("applications", "reviews", "proactive"):
        assert got[section] == truth.get(section, {}), section
    if truth["status"] in ("complete", "partial"):
        assert got["template"] == truth["template"]
    for key, value in truth.get("narrative", {}).items():
        assert got["narrative"].get(key) == value, key
    failing = sorted(
        [c["identity"], c["at"]] for c in got["checks"] if c["holds"] is False and not c["soft"]
    )
    assert failing == sorted(truth["expected_failures"])
    methods = {c["method"] for c in got["cells"]}
    expected = {"html": "html_table"}.get(truth["rendering"], "text_grid")
    assert methods <= {expected, "narrative"}
