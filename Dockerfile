# syntax=docker/dockerfile:1
# GIFQ Redeem: `docker build -t gifq-redeem .` then see docs/deploy.md.
#
# BASE_IMAGE is any Debian-like image with Python 3.11+ and its venv module on PATH as
# `python3`. The default is Docker Hub's; scripts/image-check.sh builds the same file on a
# Debian bookworm base made with debootstrap (`--build-arg BASE_IMAGE=localhost/...`).
ARG BASE_IMAGE=python:3.11-slim

# --- build: a virtualenv with the pinned runtime dependencies, and compiled translations --
# Compilers may live here (a dependency without a wheel would need one); none reach runtime.
FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python3 -m venv /opt/venv

# Dependencies before code, so a code change does not reinstall them. Only the project's
# own dependencies, no extras (no test tools, no Pillow for the fake's logos). The project
# itself is not installed: the app runs from /app, where templates/, static/ and
# translations/ live.
COPY pyproject.toml requirements.lock ./
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/runtime.txt \
 && /opt/venv/bin/pip install -q -c requirements.lock -r /tmp/runtime.txt

COPY app.py gunicorn.conf.py ./
COPY redeem ./redeem
COPY templates ./templates
COPY static ./static
COPY translations ./translations
# The fake GIFQ server and the demo are development tools: they never ship. Compiled
# catalogs must ship (a page must not say lang="de" and speak English), so a missing .po
# is a failed build, not a silently English image. pip and setuptools are not needed to run.
RUN rm -rf redeem/fake_gifq redeem/demo \
 && ls translations/*/LC_MESSAGES/messages.po >/dev/null \
 && /opt/venv/bin/pybabel -q compile -d translations \
 && /opt/venv/bin/python -m compileall -q redeem \
 && /opt/venv/bin/python -m pip uninstall -q -y pip setuptools

# --- fake-gifq: the fake GIFQ server, for a staging stack only -------------------------------
# Not the default image: `docker build --target fake-gifq -t gifq-fake .` (deploy/compose.yaml's
# staging profile). It adds the fake and Pillow (its logos: the `fake` extra) to the app's virtualenv.
FROM ${BASE_IMAGE} AS fake-gifq
ENV PATH=/opt/venv/bin:$PATH LANG=C.UTF-8 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY requirements.lock /tmp/requirements.lock
COPY redeem/fake_gifq ./redeem/fake_gifq
RUN python3 -m venv /tmp/pip \
 && /tmp/pip/bin/pip install -q --prefix /opt/venv -c /tmp/requirements.lock pillow \
 && rm -rf /tmp/pip /tmp/requirements.lock
USER 10001
EXPOSE 8001
CMD ["python", "-m", "redeem.fake_gifq", "--host", "0.0.0.0", "--port", "8001"]

# --- runtime: slim, no compilers, no tests, not root ---------------------------------------
FROM ${BASE_IMAGE} AS runtime
# PROMETHEUS_MULTIPROC_DIR: one metrics file per worker, in RAM, summed by /metrics.
ENV PATH=/opt/venv/bin:$PATH \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/dev/shm/redeem-metrics
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin redeem
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# Owned by root, readable but not writable by the app user: a compromised worker cannot
# rewrite code, templates or catalogs. The app writes nothing under /app.
COPY --from=build /app /app
USER 10001

EXPOSE 8000
# Liveness only (no GIFQ call). The slim image has no curl, so Python asks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1

CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]
