"""The command line as a user runs it: `ogi parse`, `python -m ingest.parse`, `ogi check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "ingest" / "sample"
OGI = [sys.executable, "-m", "ingest.cli"]


def _truths() -> list[dict]:
    return [json.loads(line) for line in (SAMPLE / "truth.jsonl").read_text("utf-8").splitlines()]


def test_ogi_parse_json_lines(tmp_path):
    truths = _truths()[:3]
    paths = [str(SAMPLE / t["file"]) for t in truths]
    bad = tmp_path / "missing.html"
    out = subprocess.run(
        [*OGI, "parse", *paths, str(bad), "--json"], capture_output=True, text=True, check=True
    ).stdout
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 4
    for got, truth, path in zip(lines, truths, paths, strict=False):
        assert got["source"] == path
        assert got["status"] == truth["status"]
        assert got["applications"] == truth.get("applications", {})
        assert "cells" not in got
    assert lines[-1]["status"] == "error" and lines[-1]["issues"][0]["code"] == "read_error"


def test_module_entry_point_is_the_same():
    path = str(SAMPLE / _truths()[0]["file"])
    a = subprocess.run(
        [sys.executable, "-m", "ingest.parse", path, "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    b = subprocess.run(
        [*OGI, "parse", path, "--json"], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(a) == json.loads(b)


def test_ogi_check_marks_failing_identities():
    broken = next(t for t in _truths() if t["expected_failures"])
    out = subprocess.run(
        [*OGI, "check", str(SAMPLE / broken["file"])], capture_output=True, text=True, check=True
    ).stdout
    assert "三、收到和处理政府信息公开申请情况" in out or "四、政府信息公开行政复议" in out
    assert "FAIL" in out
    identity, at = broken["expected_failures"][0]
    assert f"{identity} at {at}" in out


def test_help_lists_commands_with_examples():
    out = subprocess.run([*OGI, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("parse", "check", "run", "fetch", "bench-fetch"):
        assert f"ogi {command}" in out
