"""gunicorn settings for every environment: `gunicorn -c gunicorn.conf.py app:app`.

Each value can be set from the environment; docs/deploy.md lists them.
"""

import os
import shutil
from pathlib import Path

# Threads, not processes, for concurrency: a worker spends most of a request waiting on
# GIFQ, and threads share one httpx connection pool per process.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# One process without Redis (its flows and limits live in memory), two with it.
workers = int(os.environ.get("WEB_CONCURRENCY") or (2 if os.environ.get("REDIS_URL") else 1))
# The production guard (redeem.config.check) refuses more than one worker without
# REDIS_URL, because flows and rate limits would otherwise live in one process each. It
# reads WEB_CONCURRENCY, so publish the number we actually use (on_starting corrects it
# if `-w` on the command line overrode this file).
os.environ["WEB_CONCURRENCY"] = str(workers)

# 0.0.0.0 in a container, where the port is published; behind a host proxy set
# BIND=127.0.0.1:8000 so the app is only reachable through it.
bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"

# Longer than GIFQ_DEADLINE (8 s, the most one GIFQ call may take including retries) plus
# rendering, so a slow GIFQ answer surfaces as our "try again" page rather than a killed
# worker; short enough that a stuck thread is recycled.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# On SIGTERM, in-flight requests (at most one GIFQ deadline each) get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 15)
# Longer than the reverse proxy's idle timeout for upstream connections (60 s in
# deploy/compose.yaml), so gunicorn never closes a connection the proxy is about to reuse.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 75)

# The app trusts X-Forwarded-* through Werkzeug's ProxyFix, limited to PROXY_HOPS. gunicorn
# has its own, separate trust list for X-Forwarded-Proto; it stays at loopback unless the
# proxy's address is given here, so the two never disagree about who may set the scheme.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"

# JSON lines on stderr (errors) and stdout (access), tokens redacted from paths.
logger_class = "redeem.ops.gunicorn_logging.JsonLogger"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()
errorlog = "-"
accesslog = os.environ.get("ACCESS_LOG", "-") or None
# Only used if someone swaps logger_class back to gunicorn's: still no %(r)s, %(U)s,
# %(q)s or %(f)s, each of which can hold a /r/<token> path.
access_log_format = "%(h)s %(m)s %(s)s %(M)sms rid=%({x-request-id}o)s"

# The control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl), which
# parallel test servers would fight over; we do not use gunicornc.
control_socket_disable = True

# The heartbeat file on a container's overlay filesystem can stall workers; /dev/shm is RAM.
if Path("/dev/shm").is_dir():  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# Per-worker metric files (see redeem/ops/metrics.py). Emptied here, when this file is
# read and before anything imports prometheus_client: counters from a previous run would
# otherwise be summed into this one.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_dir:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def on_starting(server):
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)

    # Refuse an unsafe configuration once, in the master, in one line, instead of every
    # worker failing to boot with a traceback. ConfigError is a RuntimeError, which
    # gunicorn prints as "Error: <reason>" before exiting with status 1.
    from redeem.config import check, from_env
    from redeem.i18n.catalogs import directory_for
    from redeem.wallet.settings import from_env as wallet_settings

    config = from_env()
    check(config)
    wallet_settings(config)  # half a wallet's credentials, or unreadable ones: docs/wallet.md
    # Compile missing or stale catalogs once, before the workers fork, or refuse in one line.
    directory_for(config)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
