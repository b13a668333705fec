"""The embedded sample corpus: reproducible from its seed and covering what real reports do."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from ingest import checks
from ingest.codes import APPLICANT_PARTS
from ingest.sample import SAMPLE_DIR, build_sample


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> tuple[Path, list[dict]]:
    dest = tmp_path_factory.mktemp("sample")
    return dest, build_sample(dest)


@pytest.fixture(scope="module")
def truths() -> list[dict]:
    with (SAMPLE_DIR / "truth.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_committed_sample_equals_a_fresh_build(fresh):
    dest, built = fresh
    committed = files(SAMPLE_DIR)
    assert committed.keys() == files(dest).keys()
    for name, data in files(dest).items():
        assert committed[name] == data, name
    assert sum(len(d) for d in committed.values()) < 2_000_000


def test_build_returns_what_it_writes(fresh, truths):
    _, built = fresh
    assert json.loads(json.dumps(built, ensure_ascii=False)) == truths


def test_catalog_lists_every_report(truths):
    with (SAMPLE_DIR / "catalog.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["url", "agency", "region_code", "level", "year"]
    assert [r["url"] for r in rows] == [t["file"] for t in truths]
    for row, truth in zip(rows, truths, strict=True):
        assert (SAMPLE_DIR / row["url"]).is_file()
        assert row["agency"] == truth["agency"] and row["level"] == truth["level"]
        assert int(row["year"]) == truth["year"]
        assert len(row["region_code"]) == 6 and row["region_code"].isdigit()


def test_coverage(truths):
    assert len(truths) >= 60
    assert {t["level"] for t in truths} == {"province", "city", "county"}
    assert {t["year"] for t in truths} == set(range(2019, 2025))
    years = defaultdict(set)
    for t in truths:
        years[t["agency"]].add(t["year"])
    assert sum(len(y) >= 3 for y in years.values()) >= 5
    assert any(a.endswith("局") for a in years) and any(a.endswith("办公厅") for a in years)

    tables = [t for t in truths if t["status"] == "complete"]
    for t in tables:
        proactive_v, applications_v = t["template"]["proactive"], t["template"]["applications"]
        if t["year"] <= 2020:
            assert (proactive_v, applications_v) == ("2019", "2019")
        else:
            assert proactive_v == "2021"
    hybrids = [t for t in tables if t["template"] == {"proactive": "2021", "applications": "2019"}]
    assert len(hybrids) >= 3

    assert set(Counter(t["rendering"] for t in truths)) == {"html", "text_cells", "pipe"}
    assert sum(t["script"] == "traditional" for t in truths) >= 10
    assert sum(bool(t["expected_failures"]) for t in truths) >= 2
    assert sum(t["status"] == "narrative_only" for t in truths) >= 1
    assert sum(t["status"] == "no_statistics" for t in truths) >= 1
    assert {t["file"].rsplit(".", 1)[1] for t in truths} == {"html", "txt"}


def test_recorded_failures_are_the_failing_checks(truths):
    for t in truths:
        failing = [
            [c["identity"], c["at"]]
            for c in checks.evaluate(t)
            if c["holds"] is False and not c["soft"]
        ]
        assert failing == t["expected_failures"], t["file"]


def test_carried_over_equals_last_years_carried_forward(truths):
    by_agency: dict[str, dict[int, dict]] = defaultdict(dict)
    for t in truths:
        by_agency[t["agency"]][t["year"]] = t
    pairs = 0
    for series in by_agency.values():
        for year, t in series.items():
            before = series.get(year - 1)
            if before is None or "applications" not in before or "applications" not in t:
                continue
            forward = before["applications"]["carried_forward"]
            over = t["applications"]["carried_over"]
            assert [forward[c] or 0 for c in APPLICANT_PARTS] == [
                over[c] or 0 for c in APPLICANT_PARTS
            ]
            if not before["expected_failures"]:
                assert forward["total"] == over["total"]
            pairs += 1
    assert pairs >= 30
