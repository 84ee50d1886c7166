"""The sweep's fixtures (tests/a11y/sweep.py): `swept`, and `state_visit` for each state."""

from tests.a11y.sweep import state_visit, swept

__all__ = ["state_visit", "swept"]
