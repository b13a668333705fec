"""The command line as a user runs it: `ogi parse`, `python -m ingest.parse`, `ogi check`."""

from __future__ import annotations

import json
import os
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


def test_help_lists_every_command_with_an_example():
    from ingest.cli import COMMANDS

    out = subprocess.run([*OGI, "--help"], capture_output=True, text=True, check=True).stdout
    for command in COMMANDS:
        assert f"  {command.name} " in out
        assert f"e.g. {command.example}" in out
        assert command.example.startswith(f"ogi {command.name}")


def test_an_error_is_one_line_with_a_hint_and_a_traceback_with_debug(tmp_path):
    missing = str(tmp_path / "nowhere.html")
    plain = subprocess.run([*OGI, "check", missing], capture_output=True, text=True)
    assert plain.returncode == 1
    assert plain.stderr.splitlines() == [
        f"ogi check: error: no such report file: {missing}",
        "hint: check the path; relative paths are taken from the current directory",
    ]
    debug = subprocess.run([*OGI, "--debug", "check", missing], capture_output=True, text=True)
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    unknown = subprocess.run([*OGI, "chekc"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "hint: one of parse, check" in unknown.stderr


def test_ogi_check_fetches_a_url_into_the_archive(tmp_path):
    from ingest.portal import Page, Portal

    broken = next(t for t in _truths() if t["expected_failures"])
    body = (SAMPLE / broken["file"]).read_bytes()
    env = {
        **os.environ,
        "OGI_ALLOW_PRIVATE_HOSTS": "1",
        "OGI_RAW_DIR": str(tmp_path / "raw"),
    }
    with Portal({"/xxgknb/report.html": Page(body, "text/html")}) as portal:
        url = portal.url("/xxgknb/report.html")
        out = subprocess.run(
            [*OGI, "check", url], capture_output=True, text=True, env=env, check=True
        ).stdout
    assert "FAIL" in out
    assert len([p for p in (tmp_path / "raw").rglob("*") if p.is_file()]) == 1
