"""``dealcheck report`` in a real browser: Playwright driving Debian's Chromium, headless.

DOM assertions (a row per package, a column per party, the verdict colours), a click opens the quote, the
keyboard reaches and opens a cell, no console errors, no network request, and a screenshot saved as a test
artefact (``tests/artifacts/report.png``, the whole page in ``report-full.png``, the print view in
``report-print.png``; ignored by git). Skipped only when Chromium or Playwright is not
installed: ``.ci/run`` installs both (``apt-get install chromium``, ``pip install '.[browser]'``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dealcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("DEALCHECK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install '.[browser]' for the browser test")
pytestmark = [
    pytest.mark.slow,  # a real browser: seconds per test
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium: apt-get install chromium"),
]


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    with pytest.raises(SystemExit) as e:
        main(["report", str(BUNDLED), "-o", str(out)])
    assert e.value.code == 0
    return out


@pytest.fixture(scope="module")
def page(report_html: Path):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto(report_html.as_uri())
        page.errors, page.requests = errors, requests
        yield page
        browser.close()


def test_every_package_row_and_party_column(page):
    import dealcheck

    s = dealcheck.load_scenario(BUNDLED)
    rows = page.locator("#matrix tr.pkg-row")
    assert rows.count() == len(s.packages)
    assert [rows.nth(i).get_attribute("data-package") for i in range(rows.count())] == [p.id for p in s.packages]
    heads = page.locator("#matrix thead th[data-party]")
    assert [heads.nth(i).get_attribute("data-party") for i in range(heads.count())] == [p.id for p in s.parties]
    assert page.locator("#matrix td.cell").count() == len(s.packages) * len(s.parties)


def test_verdict_colours(page):
    colour = "getComputedStyle(document.querySelector(`{}`)).backgroundColor"
    rejects = page.evaluate(colour.format('#matrix tr[data-package="us_full_ceasefire"] td[data-party="russia"]'))
    accepts = page.evaluate(colour.format('#matrix tr[data-package="us_full_ceasefire"] td[data-party="us"]'))
    could = page.evaluate(colour.format('#matrix tr[data-package="energy_truce"] td[data-party="russia"]'))
    assert rejects == "rgb(255, 228, 225)"  # --no-bg
    assert accepts == "rgb(218, 251, 225)"  # --deal-bg
    assert could == "rgb(255, 243, 196)"  # --open-bg
    states = page.locator('#matrix tr[data-package="us_full_ceasefire"] td[data-party="russia"]')
    assert states.get_attribute("data-state") == "rejects"


def test_a_click_opens_the_quote(page):
    cell = page.locator('#matrix tr[data-package="us_full_ceasefire"] td[data-party="russia"] button')
    panel = page.locator("#" + cell.get_attribute("aria-controls"))
    assert not panel.is_visible()
    cell.click()
    assert panel.is_visible() and cell.get_attribute("aria-expanded") == "true"
    assert "rejected a full 30-day ceasefire" in panel.locator("blockquote").first.inner_text()
    assert 'ceasefire is not "full"' in panel.inner_text()
    cell.click()
    assert not panel.is_visible()


def test_keyboard_opens_a_cell(page):
    cell = page.locator('#matrix tr[data-package="energy_truce"] td[data-party="russia"] button')
    cell.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#" + cell.get_attribute("aria-controls"))
    assert panel.is_visible()
    page.keyboard.press("Escape")
    assert not panel.is_visible()


def test_sections_are_drawn(page):
    import dealcheck

    s = dealcheck.load_scenario(BUNDLED)
    assert page.locator("#zone tr[data-term]").count() == len(s.terms)
    assert page.locator("#pareto figure").count() >= 1
    assert page.locator("#pareto circle.frontier").count() >= 1 and page.locator("#pareto text.best").count() >= 1
    assert page.locator("#variants tbody tr").count() == len(s.packages)
    assert page.locator("section.conflict").count() >= 1


def test_no_console_errors_no_network_and_a_screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    page.screenshot(path=str(ARTIFACTS / "report-full.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=False)
    page.emulate_media(media="screen")
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
    assert page.errors == []
    assert page.requests == []
