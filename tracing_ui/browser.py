"""The journey found as a person finds it: Phoenix's spans page in headless Chromium, the
span filter typed into its filter bar, the listed spans read off the table.

Chromium is Debian's (`apt-get install chromium`), driven by Playwright over CDP: Playwright
downloads no browser of its own here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright

from bench.children import BenchFailed

DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
# Phoenix's spans table is made for LLM calls; these columns stay empty for a booking's
# spans and leave the span names no room.
_HIDDEN_COLUMNS = ("input", "output", "user", "annotations", "total tokens", "total cost")
_SHOWN_COLUMNS = ("trace id",)


@dataclass(frozen=True)
class Listed:
    """What the UI listed for the search."""

    url: str
    names: list[str]  # the name column, top to bottom
    trace_ids: set[str]
    screenshots: list[Path]  # those taken


async def find_in_ui(ui_url: str, project_id: str, span_filter: str, expected: tuple[str, ...],
                     screenshot: Path, trace_screenshot: Path | None, chromium: Path,
                     timeout_seconds: float) -> Listed:
    """Search the project's spans with `span_filter` until every expected name is listed
    (or the time is up); save a screenshot of the list and, when asked and found, one of the
    webhook's trace opened at its "stripe event" span (into folders that exist)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium))
        try:
            page = await browser.new_page(viewport={"width": 1800, "height": 880})
            await page.goto(f"{ui_url}/projects/{project_id}/spans")
            await _choose_columns(page)
            await _type_filter(page, span_filter)
            listed = await _listed_until(page, expected, timeout_seconds)
            await page.screenshot(path=str(screenshot))
            listed.screenshots.append(screenshot)
            if trace_screenshot is not None and "stripe event" in listed.names:
                await _open_span(page, "stripe event")
                await page.screenshot(path=str(trace_screenshot))
                listed.screenshots.append(trace_screenshot)
            return listed
        except PlaywrightError as error:  # a page that changed, or never loaded
            raise BenchFailed(f"in the UI: {error.message.splitlines()[0]}") from None
        finally:
            await browser.close()


async def _choose_columns(page: Page) -> None:
    await page.get_by_role("button", name="Columns").click()
    for name, shown in [*((n, False) for n in _HIDDEN_COLUMNS), *((n, True) for n in _SHOWN_COLUMNS)]:
        box = page.get_by_role("checkbox", name=name, exact=True)
        if await box.count() and await box.is_checked() != shown:
            # The styled box over the input takes the click: click the menu's line instead.
            await box.locator("xpath=ancestor::li[1]").click()
    await page.keyboard.press("Escape")
    # Room for the longest names ("POST /v1/dev/simulate-checkout-completed"): drag the
    # name column's edge.
    edge = await page.locator("table thead th").filter(has_text="name").locator(".resizer").bounding_box()
    if edge is not None:
        y = edge["y"] + edge["height"] / 2
        await page.mouse.move(edge["x"] + 1, y)
        await page.mouse.down()
        await page.mouse.move(edge["x"] + 150, y, steps=5)
        await page.mouse.up()


async def _type_filter(page: Page, span_filter: str) -> None:
    """Into the filter bar (a CodeMirror editor, pre-filled with `parent_id is None`, the
    root spans), as a person types it; Enter applies it and puts it in the page's URL."""
    editor = page.locator(".cm-content").first
    await editor.click()
    await page.keyboard.press("ControlOrMeta+A")
    await page.keyboard.type(span_filter)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**spanFilterCondition=**")


async def _listed_until(page: Page, expected: tuple[str, ...], timeout_seconds: float) -> Listed:
    """The table as listed once it shows every expected name; reloaded (the filter stays, in
    the URL) while spans may still be arriving."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        await page.wait_for_load_state("networkidle")
        listed = await _read_table(page)
        if set(expected) <= set(listed.names) or time.monotonic() > deadline:
            return listed
        await page.wait_for_timeout(1000)
        await page.reload()


async def _read_table(page: Page) -> Listed:
    headers = [h.strip() for h in await page.locator("table thead th").all_inner_texts()]
    if "name" not in headers:
        raise BenchFailed(f"Phoenix's spans table has no name column (columns: {headers})")
    names, trace_ids = [], set()
    for row in await page.locator("table tbody tr").all():
        cells = [c.strip() for c in await row.locator("td").all_inner_texts()]
        if len(cells) != len(headers):
            continue  # "No data", or a row still loading
        names.append(cells[headers.index("name")])
        if "trace id" in headers:
            trace_ids.add(cells[headers.index("trace id")])
    return Listed(page.url, names, trace_ids, [])


async def _open_span(page: Page, name: str) -> None:
    """Click the span: Phoenix opens its trace beside the list, the span's attributes shown."""
    await page.get_by_role("cell", name=name, exact=True).get_by_text(name, exact=True).click()
    await page.get_by_text("Attributes", exact=True).first.wait_for()
    await page.wait_for_load_state("networkidle")
