"""A fake GIFQ server: a sandbox that behaves like GIFQ's API, for tests and the demo.

It meets the frontend only over HTTP and imports nothing from it. Run it with
``python -m redeem.fake_gifq``; tests may also build it in-process with ``create_app``.
"""

from redeem.fake_gifq.app import create_app

__all__ = ["create_app"]
