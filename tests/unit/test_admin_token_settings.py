"""JWT_TTL_MINUTES: how long an admin token lives, never more than 12 hours."""

from __future__ import annotations

import pytest

from entrypoints.settings import SettingsError, load_settings


def test_an_admin_token_lives_eight_hours_unless_told_otherwise() -> None:
    assert load_settings().jwt_ttl_minutes == 480
    assert load_settings(jwt_ttl_minutes="720").jwt_ttl_minutes == 720
    assert load_settings(jwt_ttl_minutes="5").jwt_ttl_minutes == 5


@pytest.mark.parametrize("minutes", ["721", "1440", "4", "0", "-60"])
def test_a_lifetime_beyond_12_hours_or_under_5_minutes_stops_start_with_one_line(
    minutes: str,
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(jwt_ttl_minutes=minutes)
    assert str(refused.value) == (
        "invalid configuration: JWT_TTL_MINUTES: must be 5-720 minutes (an admin token lives"
        f" at most 12 hours), got {int(minutes)}")


def test_a_lifetime_that_is_not_a_number_stops_start_with_one_line() -> None:
    with pytest.raises(SettingsError, match=r"^invalid configuration: JWT_TTL_MINUTES: .*integer"):
        load_settings(jwt_ttl_minutes="8h")
