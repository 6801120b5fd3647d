"""The bare-Litestar floor: one GET route answering what an availability read answers.

The same framework, server and uvicorn options as the service, and nothing else: no
middleware, no dependencies, no database. The service's read throughput is measured against
it, so the ratio says what the service's own work costs on top of Litestar's.

Run: `python -m bench.floor_litestar PORT`.
"""

from __future__ import annotations

import sys

from litestar import Litestar, get


@get("/v1/availability")
async def availability(date: str) -> dict[str, object]:
    # The shape and size of the service's answer for an open date.
    return {"date": date, "available": True, "reason": None}


@get("/health/ready")
async def ready() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar([availability, ready])


def main() -> None:
    import uvicorn

    # As `elope serve` runs uvicorn: loop and http "auto" pick uvloop and httptools.
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)


if __name__ == "__main__":
    main()
