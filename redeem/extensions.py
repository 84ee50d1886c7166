"""The extension instances, one of each per process, wired in create_app with init_app."""

from flask_babel import Babel
from flask_limiter import Limiter

from redeem.flow.store import FlowStore
from redeem.gifq.client import GifqClient
from redeem.security.limits import client_ip

babel = Babel()
gifq = GifqClient()
flows = FlowStore()
# Limits are declared on the views; storage comes from RATELIMIT_STORAGE_URI (memory or Redis).
limiter = Limiter(key_func=client_ip, default_limits=[], headers_enabled=False)
