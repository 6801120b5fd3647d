"""Debian's Chromium for the tests that look at a page as a person would, driven by Playwright
(which downloads no browser of its own here), with no way out of this machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.debian_packages import CHROMIUM, MissingPackage, require_programs

# Every host name but 127.0.0.1's fails to resolve, so a page that wants a CDN gets nothing;
# the rest keeps a headless Chromium in a container from reaching for the network itself.
OFFLINE_ARGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def debian_chromium() -> Path:
    """/usr/bin/chromium, installed with apt-get when missing and the tests run as root; a
    failure that names the command otherwise."""
    try:
        require_programs(CHROMIUM)
    except MissingPackage as exc:
        pytest.fail(str(exc))
    return CHROMIUM
