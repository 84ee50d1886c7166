"""Settings from the environment, and the guard that refuses an unsafe production start."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

WALLET_PREFIXES = ("APPLE_PASS_", "GOOGLE_WALLET_")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MIN_SECRET_KEY_LENGTH = 32
T = TypeVar("T")
MIN_METRICS_TOKEN_LENGTH = 16

# How the app talks to GIFQ, written down once: from_env reads these from the environment,
# and redeem/gifq/settings.py falls back to them for a config that leaves one out.
GIFQ_DEFAULTS: dict[str, float | int] = {
    # Per-phase httpx timeouts; GIFQ_DEADLINE caps a whole call, retries included, and stays
    # below gunicorn's 30 s worker timeout (gunicorn.conf.py).
    "GIFQ_CONNECT_TIMEOUT": 2.0,
    "GIFQ_READ_TIMEOUT": 5.0,
    "GIFQ_WRITE_TIMEOUT": 5.0,
    "GIFQ_POOL_TIMEOUT": 1.0,
    "GIFQ_DEADLINE": 8.0,
    # One under GIFQ's 10/s: our window and GIFQ's see the same calls a few ms apart, so at
    # exactly 10 a burst draws 429s from GIFQ (bench/README.md, "the burst").
    "GIFQ_BUDGET_PER_SECOND": 9,
    # The budget's lanes (redeem/gifq/budget.py): the share landing lookups may never use,
    # and how long one landing lookup per process may wait for a slot.
    "GIFQ_BUDGET_RESERVED_SHARE": 1 / 3,
    "GIFQ_BUDGET_OPEN_WAIT": 1.0,
    # GIFQ 404s per minute, all addresses together, before unconfirmed links get "busy".
    "GIFQ_UNKNOWN_TOKENS_PER_MINUTE": 60,
    # A 5,000-brand campaign's payout is about 3 MB of JSON: 8 MB leaves room to grow.
    "GIFQ_MAX_BODY": 8_000_000,
    "GIFQ_MAX_CONNECTIONS": 20,
    "GIFQ_BREAKER_THRESHOLD": 5,
    "GIFQ_BREAKER_COOLDOWN": 10.0,
    "GIFQ_PAYOUT_CACHE_SECONDS": 1.0,
    "GIFQ_PAYOUT_CACHE_SIZE": 1024,
}
# The ones an operator may set from the environment (docs/deploy.md lists them).
GIFQ_FROM_ENV = (
    "GIFQ_CONNECT_TIMEOUT",
    "GIFQ_READ_TIMEOUT",
    "GIFQ_WRITE_TIMEOUT",
    "GIFQ_POOL_TIMEOUT",
    "GIFQ_DEADLINE",
    "GIFQ_BUDGET_PER_SECOND",
    "GIFQ_UNKNOWN_TOKENS_PER_MINUTE",
)


class ConfigError(RuntimeError):
    """The app must not start; the message is one line an operator can act on."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _parsed(env, name, default, int, "a whole number")


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _parsed(env, name, default, float, "a number")


def _parsed(
    env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T], what: str
) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from exc


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    return _int(env, name, default) if isinstance(default, int) else _float(env, name, default)


def _words(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple((env.get(name) or "").split())


def from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting the app reads, with its default. docs/deploy.md lists them all."""
    env = os.environ if env is None else env
    base = (env.get("GIFQ_API_BASE") or "").rstrip("/")
    return {
        "GIFQ_API_BASE": base,
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "REDIS_URL": env.get("REDIS_URL") or None,
        "EMBED_ORIGINS": _words(env, "EMBED_ORIGINS"),
        "ASSET_ORIGINS": _words(env, "ASSET_ORIGINS") or (_origin(base),) if base else (),
        "PROXY_HOPS": _int(env, "PROXY_HOPS", 0),
        "DEBUG": env.get("FLASK_DEBUG") in ("1", "true"),
        # How many gunicorn workers and app instances share state; >1 needs Redis.
        "WEB_CONCURRENCY": _int(env, "WEB_CONCURRENCY", 1),
        "INSTANCES": _int(env, "INSTANCES", 1),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        # Host names this app answers to; others get 400 (Flask checks it). Empty: any.
        "TRUSTED_HOSTS": list(_words(env, "TRUSTED_HOSTS")) or None,
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        **{name: _number(env, name, GIFQ_DEFAULTS[name]) for name in GIFQ_FROM_ENV},
        "FLOW_TTL_SECONDS": _int(env, "FLOW_TTL_SECONDS", 30 * 60),
        # However often a flow is used, it ends this long after it began (issue 12, item 7).
        "FLOW_MAX_AGE_SECONDS": _int(env, "FLOW_MAX_AGE_SECONDS", 60 * 60),
        # Where compiled catalogs go when translations/ is not writable (redeem/i18n/catalogs.py).
        "CATALOG_CACHE_DIR": env.get("CATALOG_CACHE_DIR") or None,
        "DEMO": env.get("REDEEM_DEMO") == "1",
        "DEMO_LINKS": _demo_links(env) if env.get("REDEEM_DEMO") == "1" else (),
        # Off only for tests and benchmarks that drive many journeys from one address.
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "true").lower()
        not in ("0", "false", "off"),
        # Wallet credentials, read and checked by redeem/wallet/settings.py (docs/wallet.md).
        **{name: value for name, value in env.items() if name.startswith(WALLET_PREFIXES)},
        # Per-IP limits count an IPv6 address's network of this size (one subscriber's share).
        "RATELIMIT_IPV6_PREFIX": _int(env, "RATELIMIT_IPV6_PREFIX", 64),
    }


def _demo_links(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The demo runner's links for the front page: a JSON list of [label, url] pairs."""
    try:
        pairs = json.loads(env.get("DEMO_LINKS") or "[]")
        return tuple((str(label), str(url)) for label, url in pairs)
    except (ValueError, TypeError) as exc:
        raise ConfigError("DEMO_LINKS must be a JSON list of [label, url] pairs") from exc


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_loopback_url(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def check(config: Mapping[str, Any]) -> None:
    """Refuse to start where running would be unsafe. Tests and the demo set TESTING or DEMO."""
    if config.get("TESTING") or config.get("DEMO"):
        if not config.get("GIFQ_API_BASE"):
            raise ConfigError("GIFQ_API_BASE is not set: point it at GIFQ or at the fake server")
        # The demo skips the guard (debug, in-memory limits, a made-up key), so it must never
        # be one variable away from production: only against a GIFQ on loopback (the fake).
        demo = config.get("DEMO") and not config.get("TESTING")
        if demo and not is_loopback_url(config["GIFQ_API_BASE"]):
            raise ConfigError(
                "REDEEM_DEMO=1 runs only against a GIFQ on loopback (the fake server), "
                f"got {config['GIFQ_API_BASE']}: unset REDEEM_DEMO in production"
            )
        return
    base = config.get("GIFQ_API_BASE")
    if not base:
        raise ConfigError(
            "GIFQ_API_BASE is not set: point it at GIFQ (or run scripts/demo.sh for the demo)"
        )
    secret_key = config.get("SECRET_KEY")
    if not secret_key:
        raise ConfigError(
            "SECRET_KEY is not set: generate one with "
            "`python -c 'import secrets;print(secrets.token_hex(32))'`"
        )
    # Session cookies and flow-bound CSRF tokens are signed with it: a short key is guessable.
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is too short ({len(secret_key)} characters): use at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters"
        )
    if config.get("DEBUG"):
        raise ConfigError("debug mode is on (FLASK_DEBUG): never run it in production")
    if urlsplit(base).scheme != "https" and not is_loopback_url(base):
        raise ConfigError(f"GIFQ_API_BASE must be https outside loopback, got {base}")
    for origin in config.get("EMBED_ORIGINS", ()):
        if not _is_embed_origin(origin, base):
            raise ConfigError(
                f"EMBED_ORIGINS entry {origin!r} is not an https origin under a registrable "
                "domain (scheme://host[:port]; http only for localhost/127.0.0.1/[::1] "
                "when GIFQ_API_BASE is on loopback too)"
            )
    if not 32 <= config.get("RATELIMIT_IPV6_PREFIX", 64) <= 128:
        raise ConfigError("RATELIMIT_IPV6_PREFIX must be between 32 and 128 (64 is usual)")
    if config.get("PROXY_HOPS", 0) < 0:
        raise ConfigError("PROXY_HOPS must be 0 or more: the number of proxies in front")
    metrics_token = config.get("METRICS_TOKEN")
    if metrics_token and len(metrics_token) < MIN_METRICS_TOKEN_LENGTH:
        raise ConfigError(
            f"METRICS_TOKEN is too short: use at least {MIN_METRICS_TOKEN_LENGTH} random characters"
        )
    # Off is for tests and benchmarks against the fake; in front of a real GIFQ the limits are
    # what keeps one address from draining everyone's share of GIFQ's budget.
    if not config.get("RATELIMIT_ENABLED", True) and not is_loopback_url(base):
        raise ConfigError(
            "RATELIMIT_ENABLED is off: rate limits may be off only in tests or against "
            "a GIFQ on loopback (the fake server)"
        )
    shared = config.get("WEB_CONCURRENCY", 1) > 1 or config.get("INSTANCES", 1) > 1
    if shared and not config.get("REDIS_URL"):
        raise ConfigError(
            "more than one worker or instance needs REDIS_URL: "
            "in-memory flows and limits are per process"
        )


def _is_embed_origin(origin: str, gifq_base: str) -> bool:
    # The same strict check every page applies, so a bad entry stops the start, not a page.
    from redeem.branding.embed import valid_origin

    return valid_origin(origin, gifq_base=gifq_base) is not None
