"""Issue 12, item 6: no single variable switches off the production guard.

`REDEEM_DEMO=1` used to skip every check (debug, an http GIFQ base, in-memory limits with
four workers), and `RATELIMIT_ENABLED=false` was accepted in production. The demo is now
allowed only against a GIFQ on loopback (the fake), and rate limits may be off only in tests
or against a GIFQ on loopback (the fake, for benchmarks).
"""

from __future__ import annotations

import pytest

from redeem.config import ConfigError, check, from_env

PRODUCTION = {
    "GIFQ_API_BASE": "https://api.gifq.example",
    "SECRET_KEY": "k" * 64,
}


@pytest.mark.parametrize(
    "base", ["https://api.gifq.example", "http://api.gifq.example", "http://10.0.0.5:8001"]
)
def test_the_demo_switch_is_refused_when_gifq_is_not_on_loopback(base):
    env = {"GIFQ_API_BASE": base, "REDEEM_DEMO": "1", "FLASK_DEBUG": "1", "WEB_CONCURRENCY": "4"}
    with pytest.raises(ConfigError, match="REDEEM_DEMO"):
        check(from_env(env))


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8001", "http://localhost:8001", "http://[::1]:8001"]
)
def test_the_demo_runs_against_a_gifq_on_loopback(base):
    check(from_env({"GIFQ_API_BASE": base, "REDEEM_DEMO": "1"}))


@pytest.mark.parametrize("value", ["false", "0", "off", "FALSE"])
def test_rate_limits_cannot_be_switched_off_in_production(value):
    with pytest.raises(ConfigError, match="RATELIMIT_ENABLED"):
        check(from_env({**PRODUCTION, "RATELIMIT_ENABLED": value}))


def test_rate_limits_may_be_off_in_tests_and_against_the_fake_on_loopback():
    check({**from_env({**PRODUCTION, "RATELIMIT_ENABLED": "false"}), "TESTING": True})
    check(
        from_env({**PRODUCTION, "GIFQ_API_BASE": "http://127.0.0.1:8001", "RATELIMIT_ENABLED": "0"})
    )


def test_production_with_rate_limits_on_still_starts():
    check(from_env(PRODUCTION))
