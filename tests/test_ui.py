"""The Dagster UI as a user opens it: the webserver on 127.0.0.1, the asset graph in Chromium.

The webserver loads `orchestration.definitions` against a warehouse and a Dagster home in a
temporary directory (the home prepared as `make run` prepares it). Headless Chromium (Debian's
`chromium`, driven by Playwright without a browser download of its own) opens the global asset
lineage, expands every group, waits for the JavaScript app to draw the asset nodes, checks that
the ingest and fact assets are there, and saves a screenshot (the path is printed at the end
of the test session).

The set-up installs Chromium with apt-get when it is missing and this runs as root; otherwise,
or when the install fails, this test is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import browser
import pytest
from browser import ARTIFACTS, CHROMIUM_FLAGS

from orchestration.run import prepare_dagster_home

REPO = Path(__file__).resolve().parents[1]

# A fresh profile comes with the launch; without the background-networking flags Chromium's
# own connections are refused on a closed network, many at a time.
INGEST_ASSETS = ("catalog", "raw_reports", "reports", "cells", "checks", "issues", "codes")
FACT_ASSETS = (
    "fct_applications",
    "fct_dispositions",
    "fct_reviews",
    "fct_litigation",
    "fct_proactive_disclosure",
)
SERVER_START_TIMEOUT = 240
RENDER_TIMEOUT_MS = 90_000
GRAPH_SELECTION = 'group:ingest or key:"fct_*"'
ZOOM_OUT_STEPS = 3


@pytest.fixture(scope="module")
def chromium() -> str:
    return str(browser.chromium())


@pytest.fixture(scope="module")
def playwright_api():
    return pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright package is not installed (pip install -e '.[dev]')",
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the webserver exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(
        f"the webserver did not answer within {SERVER_START_TIMEOUT}s:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Dagster webserver over the project's definitions, on a free port of 127.0.0.1."""
    base = tmp_path_factory.mktemp("ui")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "DAGSTER_"))}
    env["OGI_WAREHOUSE_DIR"] = str(base / "warehouse")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OGI_WAREHOUSE_DIR", env["OGI_WAREHOUSE_DIR"])
        mp.delenv("DAGSTER_HOME", raising=False)
        env["DAGSTER_HOME"] = str(prepare_dagster_home())
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = base / "webserver.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("dagster-webserver")),
                "-m",
                "orchestration.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its code server shares the group: stopped together
        )
    try:
        _wait_for_server(url, proc, log)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _expand_all_groups(page) -> None:
    """The graph starts with one box per group: expand them all (graph settings menu)."""
    page.locator('button:has([role="img"][aria-label="settings"])').last.click()
    expand = page.get_by_role("menuitem").filter(has_text="Expand all groups")
    collapse = page.get_by_role("menuitem").filter(has_text="Collapse all groups")
    expand.or_(collapse).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    if expand.count():
        expand.click()
    else:  # expanded already
        page.keyboard.press("Escape")


def test_asset_graph_lists_ingest_and_fact_assets(
    chromium, playwright_api, webserver, tmp_path, record_artifact
):
    screenshot = ARTIFACTS / "asset_graph.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    expected = (*INGEST_ASSETS, *FACT_ASSETS)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile
            executable_path=chromium,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            # tall enough for the ingest group above the fact tables, at a readable zoom
            viewport={"width": 1920, "height": 2200},
        )
        try:
            page = browser.new_page()
            page.goto(f"{webserver}/asset-groups", wait_until="domcontentloaded")
            page.get_by_text("marts", exact=True).first.wait_for(timeout=RENDER_TIMEOUT_MS)
            _expand_all_groups(page)
            # the lineage of the ingest group and the fact tables: the graph the UI draws for
            # this asset selection (the search box's syntax, in the URL)
            selection = urllib.parse.quote(GRAPH_SELECTION, safe='*:"')
            page.goto(f"{webserver}/asset-groups~{selection}/", wait_until="domcontentloaded")
            page.get_by_text(FACT_ASSETS[0], exact=True).first.wait_for(timeout=RENDER_TIMEOUT_MS)
            zoom_out = page.locator('button:has([role="img"][aria-label="zoom_out"])')
            for _ in range(ZOOM_OUT_STEPS):
                zoom_out.click()
            for name in expected:
                page.get_by_text(name, exact=True).first.wait_for(timeout=RENDER_TIMEOUT_MS)
            _settle(page)
            page.screenshot(path=str(screenshot))
            shown = {name for name in expected if page.get_by_text(name, exact=True).count()}
        finally:
            browser.close()
    record_artifact("asset graph screenshot", screenshot)
    assert shown == set(expected)
    assert screenshot.stat().st_size > 10_000


def _settle(page) -> None:
    """Give the nodes' statuses a moment to load, for the picture (never fails)."""
    loading = page.get_by_text(re.compile(r"^Loading"))
    for _ in range(20):
        if not loading.count():
            break
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)
