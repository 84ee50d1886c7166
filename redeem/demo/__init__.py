"""The demo runner (`python -m redeem.demo`): fake GIFQ, the app, and an embedding host page."""
