"""A real headless Chromium (Debian's chromium and chromium-driver, installed by setup.sh) for
page tests, and where their screenshots are kept."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.paths import ROOT

# Screenshots are test artefacts a person looks at; CI keeps the folder.
SCREENSHOTS = ROOT / "tests" / "artefacts" / "screenshots"


@contextmanager
def chromium(width_px: int = 1280, height_px: int = 900) -> Iterator[object]:
    """Yields a selenium driver for headless Chromium at the given window size; quits after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        raise RuntimeError("chromium and chromium-driver are missing: run `bash setup.sh`")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width_px},{height_px}",
        "--autoplay-policy=no-user-gesture-required",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: object, name: str) -> Path:
    """Saves a full-page screenshot under tests/artefacts/screenshots and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    driver.set_window_size(max(width, 360), min(max(height, 400), 6000))
    driver.save_screenshot(str(path))
    return path
