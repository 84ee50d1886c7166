# syntax=docker/dockerfile:1
# GIFQ Redeem: `docker build -t gifq-redeem .` then see docs/deploy.md.

# --- build: a virtualenv with the pinned runtime dependencies, and compiled translations --
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python -m venv /opt/venv

# Dependencies before code, so a code change does not reinstall them. The project itself is
# not installed: the app runs from /app, where templates/, static/ and translations/ live.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/runtime.txt \
 && /opt/venv/bin/pip install -c requirements.lock -r /tmp/runtime.txt

COPY app.py gunicorn.conf.py ./
COPY redeem ./redeem
COPY templates ./templates
COPY static ./static
COPY translations ./translations
RUN if ls translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
        /opt/venv/bin/pybabel -q compile -d translations; \
    fi \
 && /opt/venv/bin/python -m compileall -q redeem

# --- runtime: slim, no compilers, no pip cache, not root -----------------------------------
FROM python:3.11-slim AS runtime
# PROMETHEUS_MULTIPROC_DIR: one metrics file per worker, in RAM, summed by /metrics.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/dev/shm/redeem-metrics
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin redeem
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# Owned by root and only readable by the app user: a compromised worker cannot rewrite code.
COPY --from=build /app /app
USER 10001

EXPOSE 8000
# Liveness only (no GIFQ call). The slim image has no curl, so Python asks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1

CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]
