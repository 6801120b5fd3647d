"""Who the client is (entrypoints/http/client_address.py): the peer, unless it is a trusted
proxy, and then the rightmost X-Forwarded-For entry that is not a trusted proxy."""

from __future__ import annotations

import pytest

from entrypoints.http.client_address import ClientAddresses, parse_trusted_proxies
from entrypoints.settings import SettingsError, load_settings

BEHIND_PROXIES = ClientAddresses(parse_trusted_proxies("10.0.0.0/8, 2001:db8::1"))


def test_with_no_trusted_proxy_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert ClientAddresses().client("192.0.2.10", ["not-an-ip"]) == "192.0.2.10"
    assert ClientAddresses().client("192.0.2.10", ["198.51.100.1"]) == "192.0.2.10"


def test_an_untrusted_peer_is_the_client_even_when_proxies_are_trusted() -> None:
    assert BEHIND_PROXIES.client("192.0.2.10", ["198.51.100.1"]) == "192.0.2.10"


def test_behind_trusted_proxies_the_rightmost_untrusted_entry_is_the_client() -> None:
    headers = ["1.2.3.4, 198.51.100.1", "10.0.0.7"]
    assert BEHIND_PROXIES.client("10.0.0.2", headers) == "198.51.100.1"


def test_a_trusted_proxy_with_no_header_is_itself_the_client() -> None:
    assert BEHIND_PROXIES.client("10.0.0.2", []) == "10.0.0.2"


def test_an_entry_that_is_not_an_address_stops_at_the_last_trusted_hop() -> None:
    assert BEHIND_PROXIES.client("10.0.0.2", ["198.51.100.1, not-an-ip, 10.0.0.9"]) == "10.0.0.9"


def test_ipv6_clients_are_counted_by_their_64_bit_prefix() -> None:
    one = ClientAddresses().client("2001:db8:1:2::a", [])
    assert one == ClientAddresses().client("2001:db8:1:2:ffff::b", []) == "2001:db8:1:2::/64"
    assert ClientAddresses().client("::ffff:192.0.2.10", []) == "192.0.2.10"
    assert BEHIND_PROXIES.client("2001:db8::1", ["192.0.2.77"]) == "192.0.2.77"


def test_a_trusted_proxies_entry_that_is_not_an_address_stops_start_up_naming_it() -> None:
    with pytest.raises(SettingsError, match=r"TRUSTED_PROXIES: 'proxy\.local' is not an IP"):
        load_settings(trusted_proxies="10.0.0.1, proxy.local")


@pytest.mark.parametrize("variable", ["checkout_rate_limit", "webhook_rate_limit"])
def test_a_rate_that_is_not_n_per_unit_stops_start_up(variable: str) -> None:
    with pytest.raises(SettingsError, match=f"{variable.upper()}: '5 a minute' is not a rate"):
        load_settings(**{variable: "5 a minute"})


def test_the_limits_have_the_documented_defaults() -> None:
    settings = load_settings()
    assert settings.holds_per_client == 2
    assert (settings.checkout_rate.amount, settings.checkout_rate.seconds) == (10, 60)
    assert settings.webhook_rate is not None and settings.webhook_rate.amount == 100
    assert load_settings(webhook_rate_limit="0").webhook_rate is None
    assert load_settings().trusted_proxy_networks == ()
