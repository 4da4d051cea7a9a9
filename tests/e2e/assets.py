"""Make sure the dashboard's npm assets and the system Chromium are installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "services" / "query-api" / "web"
CHROMIUM = "/usr/bin/chromium"


def ensure_web_assets() -> Path:
    """``npm ci`` the dashboard's packages when they are missing; returns node_modules."""
    modules = WEB / "node_modules"
    if not (modules / "uplot" / "dist" / "uPlot.iife.min.js").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install the dashboard's chart library"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, capture_output=True
        )
    return modules


def ensure_chromium() -> str:
    """Debian's chromium, installed with apt when missing."""
    if not Path(CHROMIUM).exists():
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            check=True,
            capture_output=True,
            env=env,
        )
    return CHROMIUM
