"""Headless Chromium: render an HTML file as a reader's browser would (screenshot, rendered DOM).

Used by the report test and the screenshot tool. Debian's ``chromium`` package; as root it
needs ``--no-sandbox``. Every network feature is off and the profile is a fresh folder, so
a render says only what the file itself holds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-dev-shm-usage"]


def find() -> str | None:
    return next((path for path in map(shutil.which, NAMES) if path), None)


def _run(extra: list[str], page: Path, timeout: float) -> subprocess.CompletedProcess:
    binary = find()
    if binary is None:
        raise FileNotFoundError("Chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="hpgui-chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=timeout, check=False)


def screenshot(page: str | Path, png: str | Path, width: int = 1280, height: int = 2400,
               timeout: float = 120) -> Path:
    png = Path(png)
    done = _run([f"--window-size={width},{height}", f"--screenshot={png.resolve()}"], Path(page), timeout)
    if not png.exists():
        raise RuntimeError(f"Chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-800:]}")
    return png


def dom(page: str | Path, timeout: float = 120) -> str:
    """The document as Chromium parsed and laid it out (--dump-dom)."""
    done = _run(["--dump-dom"], Path(page), timeout)
    if done.returncode != 0 or "<html" not in done.stdout:
        raise RuntimeError(f"Chromium could not open {page} (exit {done.returncode}): {done.stderr[-800:]}")
    return done.stdout
