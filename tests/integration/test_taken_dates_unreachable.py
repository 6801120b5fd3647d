"""The taken dates are read outside any unit of work, so they translate a database that cannot
be reached themselves: StorageUnavailable (a 503, "try again"), as a unit of work would."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.piccolo.database import PiccoloDatabase
from adapters.piccolo.taken_dates import PiccoloTakenDates
from domain.errors import StorageUnavailable
from domain.event_date import EventDate

# Nothing listens on the discard port: every connection attempt is refused at once.
NOWHERE = "postgresql://postgres@127.0.0.1:9/elope_nowhere"


# Piccolo asks the server's version when its pool opens, and warns that it could not.
@pytest.mark.filterwarnings("ignore:.*Unable to connect to database")
async def test_a_database_that_refuses_connections_is_storage_unavailable() -> None:
    database = PiccoloDatabase(NOWHERE, pool_min=0, pool_max=1)
    await database.open()  # no connection yet: a pool of at least none
    try:
        day = EventDate(dt.date(2030, 6, 1))
        with pytest.raises(StorageUnavailable):
            await PiccoloTakenDates(database).between(day, day, dt.datetime.now(dt.UTC))
    finally:
        await database.close()
