"""Headless Chromium for the tests that look at pages: Debian's /usr/bin/chromium, driven by
Playwright (a dev dependency that downloads no browser of its own).

When Chromium is missing and the tests run as root with apt-get, `chromium()` installs it (with
CJK fonts, so screenshots show the Chinese labels); otherwise the test skips, saying why.
Screenshots go to warehouse/test-artifacts/ (or $OGI_TEST_ARTIFACTS).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
APT_PACKAGES = ("chromium", "fonts-noto-cjk")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("OGI_TEST_ARTIFACTS") or REPO / "warehouse" / "test-artifacts")


def install_chromium() -> str | None:
    """Install Chromium with apt-get; None when done, else why it could not be."""
    if os.geteuid() != 0:
        return "not running as root"
    if shutil.which("apt-get") is None:
        return "no apt-get on this machine"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends"]
    install += ["-o", "DPkg::Lock::Timeout=300", *APT_PACKAGES]
    for command in (install, ["apt-get", "update", "-q"], install):
        try:
            proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{' '.join(command)}: {exc}"
        if proc.returncode == 0 and command is install and CHROMIUM.exists():
            return None
    return f"{' '.join(install)} exited {proc.returncode}: {proc.stderr.strip()[-300:]}"


def chromium() -> Path:
    """The Chromium binary, installed if needed and possible; skips the test otherwise."""
    pytest.importorskip("playwright.sync_api", reason="playwright (a dev dependency) is missing")
    if not CHROMIUM.exists():
        problem = install_chromium()
        if problem is not None or not CHROMIUM.exists():
            pytest.skip(
                f"Chromium is not installed at {CHROMIUM} and could not be installed "
                f"(apt-get install {' '.join(APT_PACKAGES)}): {problem or 'no binary'}"
            )
    return CHROMIUM
