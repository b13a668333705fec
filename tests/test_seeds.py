"""The parser against real published reports and their expected values (../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.parse import contract, parse_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if SHARED.is_dir() else []

pytestmark = pytest.mark.skipif(
    not SEEDS, reason=f"real seed reports not available at {SHARED} (kept outside the repository)"
)


def _expected_subset(expected, got, path=""):
    """Every key of `expected` must be present in `got` with exactly the same value."""
    problems = []
    if isinstance(expected, dict):
        for key, value in expected.items():
            if not isinstance(got, dict) or key not in got:
                problems.append(f"{path}/{key}: missing")
            else:
                problems += _expected_subset(value, got[key], f"{path}/{key}")
    elif (
        expected != got
        or type(expected) is not type(got)
        and not (isinstance(expected, (int, float)) and isinstance(got, (int, float)))
    ):
        problems.append(f"{path}: expected {expected!r}, got {got!r}")
    return problems


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_matches_answers(seed: Path):
    expected = json.loads((SHARED / "spec" / "answers" / f"{seed.stem}.json").read_text("utf-8"))
    statuses = expected.pop("status")
    got = contract(parse_path(str(seed)))
    assert got["status"] in statuses
    assert _expected_subset(expected, got) == []


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_contract_keys(seed: Path):
    got = contract(parse_path(str(seed)))
    for key in (
        "source",
        "sha256",
        "agency",
        "year",
        "template",
        "applications",
        "reviews",
        "proactive",
        "narrative",
        "checks",
        "issues",
        "status",
    ):
        assert key in got
    assert got["source"] == str(seed)
    json.dumps(got, ensure_ascii=False)  # serialisable
