"""The production guard refuses every unsafe start, each with its own one-line reason."""

from __future__ import annotations

import pytest

from redeem.config import ConfigError, check, from_env

GOOD = {
    "GIFQ_API_BASE": "https://api.gifq.example",
    "SECRET_KEY": "k" * 64,
}


def config(**env: str) -> dict:
    return from_env({**GOOD, **env})


def refusal(**env: str) -> str:
    with pytest.raises(ConfigError) as caught:
        check(config(**env))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_production_config_with_every_required_setting_is_accepted():
    check(config())


def test_loopback_gifq_over_http_is_accepted_for_local_runs():
    check(config(GIFQ_API_BASE="http://127.0.0.1:8001"))
    check(config(GIFQ_API_BASE="http://localhost:8001"))
    check(config(GIFQ_API_BASE="http://[::1]:8001"))


def test_many_workers_and_instances_are_accepted_with_redis():
    check(config(WEB_CONCURRENCY="4", INSTANCES="2", REDIS_URL="redis://redis:6379/0"))


def test_a_missing_gifq_base_is_refused():
    assert "GIFQ_API_BASE is not set" in refusal(GIFQ_API_BASE="")


def test_a_missing_secret_key_is_refused():
    assert "SECRET_KEY is not set" in refusal(SECRET_KEY="")


def test_a_short_secret_key_is_refused():
    assert "SECRET_KEY is too short" in refusal(SECRET_KEY="changeme")


@pytest.mark.parametrize("value", ["1", "true"])
def test_debug_mode_is_refused(value):
    assert "debug mode is on" in refusal(FLASK_DEBUG=value)


@pytest.mark.parametrize(
    "base", ["http://api.gifq.example", "http://10.0.0.5:8001", "ftp://api.gifq.example"]
)
def test_a_gifq_base_that_is_not_https_outside_loopback_is_refused(base):
    assert "must be https outside loopback" in refusal(GIFQ_API_BASE=base)


@pytest.mark.parametrize(
    ("env", "name"), [({"WEB_CONCURRENCY": "2"}, "worker"), ({"INSTANCES": "3"}, "instance")]
)
def test_more_than_one_worker_or_instance_without_redis_is_refused(env, name):
    assert "needs REDIS_URL" in refusal(**env)


@pytest.mark.parametrize(
    "origin",
    [
        "http://shop.example",  # http outside loopback
        "https://shop.example/path",  # not an origin
        "shop.example",  # no scheme
        "https://",  # no host
    ],
)
def test_an_embed_origin_that_is_not_an_https_origin_is_refused(origin):
    assert "EMBED_ORIGINS entry" in refusal(EMBED_ORIGINS=f"https://ok.example {origin}")


def test_loopback_embed_origins_may_be_http_when_gifq_is_on_loopback():
    check(
        config(
            GIFQ_API_BASE="http://127.0.0.1:8001",
            EMBED_ORIGINS="http://localhost:8002 http://127.0.0.1:9000 https://shop.example",
        )
    )


def test_loopback_embed_origins_may_not_be_http_beside_a_remote_gifq():
    assert "EMBED_ORIGINS entry" in refusal(EMBED_ORIGINS="http://localhost:8002")


def test_a_negative_proxy_hop_count_is_refused():
    assert "PROXY_HOPS must be 0 or more" in refusal(PROXY_HOPS="-1")


def test_a_short_metrics_token_is_refused():
    assert "METRICS_TOKEN is too short" in refusal(METRICS_TOKEN="abc")


@pytest.mark.parametrize("name", ["WEB_CONCURRENCY", "PROXY_HOPS", "FLOW_TTL_SECONDS"])
def test_a_whole_number_setting_that_is_not_a_number_is_refused(name):
    with pytest.raises(ConfigError, match=f"{name} must be a whole number"):
        from_env({**GOOD, name: "two"})


def test_a_timeout_that_is_not_a_number_is_refused():
    with pytest.raises(ConfigError, match="GIFQ_READ_TIMEOUT must be a number"):
        from_env({**GOOD, "GIFQ_READ_TIMEOUT": "soon"})


@pytest.mark.parametrize("flag", [{"TESTING": True}, {"DEMO": True}])
def test_tests_and_the_demo_skip_the_production_checks_but_still_need_a_gifq_base(flag):
    check({**from_env({"GIFQ_API_BASE": "http://127.0.0.1:8001"}), **flag})
    with pytest.raises(ConfigError, match="GIFQ_API_BASE is not set"):
        check({**from_env({}), **flag})
