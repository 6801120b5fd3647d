"""Issue 11, item 5: every documentation page the service offers lists the API's operations in
a browser with no internet, its scripts and styles served by the service itself.

Each page is opened in Debian's headless Chromium, which cannot resolve any host name but
127.0.0.1 (tests/debian_chromium.py), against the app served over real HTTP by uvicorn on this
test's loop (as in test_schemathesis.py). The page must list every operation of the OpenAPI
document by its summary, as text a person sees (the document embedded in a script does not
count): each UI lists them so, where RapiDoc shows a path only once its operation is opened.
No request may have gone anywhere but the service, except what the page's own security
policy refused before it left the browser, and every request to the service must have been
answered. A screenshot of each page is kept in the test's folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from entrypoints.bootstrap import Elope
from entrypoints.http.app import create_asgi
from tests.debian_chromium import OFFLINE_ARGS, debian_chromium
from tests.e2e.conftest import assert_error, mock_only
from tests.fakes.local_server import serving_on_this_loop

PAGES = ["/schema", "/schema/swagger", "/schema/redoc", "/schema/rapidoc"]
# A bound for a page that never renders (the failure is then the missing operations).
RENDER_TIMEOUT_MS = 30_000

# The text a person sees: the rendered text of the page and of every shadow root in it
# (RapiDoc draws inside its own). A function, not an expression: the pages' policy forbids
# the page to evaluate strings, which is how Playwright runs an expression.
_SHOWN_TEXT = """() => {
  const parts = [];
  const walk = (root) => {
    for (const child of root.children) parts.push(child.innerText || "");
    for (const host of root.querySelectorAll("*")) if (host.shadowRoot) walk(host.shadowRoot);
  };
  walk(document);
  return parts.join("\\n");
}"""
_SHOWS = f"(text) => ({_SHOWN_TEXT})().includes(text)"
# The stylesheets the page links that the browser did not apply (a wrong content type, say;
# the rules of another site's sheet are not readable, and it fails the test elsewhere anyway).
_UNSTYLED = """() => [...document.querySelectorAll("link[rel=stylesheet]")].filter((link) => {
  try { return !link.sheet || link.sheet.cssRules.length === 0; } catch { return true; }
}).map((link) => link.href)"""


@pytest.fixture
async def base_url(elope: Elope) -> AsyncIterator[str]:
    async with serving_on_this_loop(create_asgi(elope, run_background=False)) as url:
        yield url


@mock_only
async def test_every_documentation_page_lists_the_operations_without_the_internet(
    base_url: str, tmp_path: Path,
) -> None:
    chromium = debian_chromium()
    async with httpx.AsyncClient(base_url=base_url) as http:
        document = (await http.get("/schema/openapi.json")).json()
    summaries = {f"{method.upper()} {path}": operation["summary"]
                 for path, item in document["paths"].items() for method, operation in item.items()}
    checkout = summaries["POST /v1/bookings/checkout"]
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium), args=OFFLINE_ARGS)
        try:
            for page_path in PAGES:
                page = await browser.new_page(viewport={"width": 1400, "height": 1000})
                problems += await _problems_of(page, base_url, page_path, checkout, summaries,
                                               tmp_path)
                await page.close()
        finally:
            await browser.close()
    assert not problems, "\n".join(problems)


async def test_the_pages_files_are_served_with_their_types_and_only_they(
    client: httpx.AsyncClient,
) -> None:
    for name, media_type in [("swagger-ui.css", "text/css"), ("redoc.standalone.js", "text/javascript"),
                             ("rapidoc-min.js", "text/javascript")]:
        response = await client.get(f"/schema/assets/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].split(";")[0] == media_type
        assert len(response.content) > 100_000, name  # the built bundle, not a stub

    # The bundles' demo pages (which fetch a sample API from the internet) are not served,
    # nor is anything beside the files; a name the edge refuses is refused here too.
    for name in ["index.html", "..%2F__init__.py", "%2e%2e%2f%2e%2e%2fsettings.py", "x" * 300]:
        assert_error(await client.get(f"/schema/assets/{name}"), 404, "NOT_FOUND")
    assert_error(await client.get("/schema/assets/x%00.js"), 400, "VALIDATION_ERROR")


async def _problems_of(page: Page, base_url: str, page_path: str, checkout: str,
                       summaries: dict[str, str], tmp_path: Path) -> list[str]:
    """What is wrong with the documentation page at `page_path`, opened in `page` (a
    screenshot of it is left in `tmp_path`)."""
    requested: list[str] = []
    refused_by_policy: list[str] = []
    unanswered: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("requestfailed", lambda r: (refused_by_policy if r.failure == "csp" else unanswered)
            .append(f"{r.failure} {r.url}"))
    page.on("response", lambda r: r.ok or unanswered.append(f"{r.status} {r.url}"))
    await page.goto(base_url + page_path)
    shown = await _shown_once_listed(page, checkout)
    screenshot = tmp_path / f"{page_path.strip('/').replace('/', '-')}.png"
    await page.screenshot(path=str(screenshot))

    unstyled: list[str] = await page.evaluate(_UNSTYLED)
    problems = []
    if unstyled:
        problems.append(f"{page_path} did not apply {unstyled}")
    own = (f"{base_url}/", f"blob:{base_url}/", "data:")
    if went_out := [url for url in requested
                    if not url.startswith(own) and f"csp {url}" not in refused_by_policy]:
        problems.append(f"{page_path} asked outside the service for {went_out}")
    if unanswered:
        problems.append(f"{page_path} got no answer for {unanswered}")
    if missing := sorted(name for name, summary in summaries.items() if summary not in shown):
        problems.append(f"{page_path} does not list {missing} (see {screenshot})")
    return problems


async def _shown_once_listed(page: Page, summary: str) -> str:
    """The page's shown text once it lists `summary` (or once the wait is over: the caller
    then says what is missing)."""
    try:
        await page.wait_for_function(_SHOWS, arg=summary, timeout=RENDER_TIMEOUT_MS)
        await page.wait_for_load_state("networkidle")
    except PlaywrightTimeout:
        pass
    text: str = await page.evaluate(_SHOWN_TEXT)
    return text
