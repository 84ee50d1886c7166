"""axe-core finds nothing on any page state, in English and Arabic, at 1280 and 320 px wide.

Rules: WCAG 2.0, 2.1 and 2.2 A and AA, plus axe's best practices. The page states and how
they are reached are in tests/a11y/states.py; the single browser pass in tests/a11y/sweep.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.a11y.sweep import DESKTOP, NARROW, ZOOM_200, Visit, horizontal_overflow, run_axe

pytestmark = pytest.mark.e2e


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"][:5])
    return "\n".join(lines)


def test_axe_reports_no_violations_at_desktop_and_narrow_widths(state_visit: Visit) -> None:
    visit = state_visit
    assert visit.status == visit.expected_status, "the state was not reached as intended"
    for width in (DESKTOP, NARROW):
        assert visit.axe[width] == [], (
            f"{visit.state} [{visit.lang}] at {width}px:\n{_report(visit.axe[width])}"
        )


def test_nothing_scrolls_sideways_at_320px_or_at_200_percent_zoom(state_visit: Visit) -> None:
    assert state_visit.overflow == {ZOOM_200: 0, NARROW: 0}, (
        f"{state_visit.state} [{state_visit.lang}] overflows by {state_visit.overflow} px"
    )


def test_the_checks_themselves_catch_a_broken_page(page: Page) -> None:
    """A guard against a harness that silently checks nothing (a renamed tag, a failed inject)."""
    page.set_viewport_size({"width": NARROW, "height": 600})
    page.set_content(
        '<html><body><img src="x.png"><p style="color:#aaa;background:#fff">faint</p>'
        '<div style="width:900px">wide</div></body></html>'
    )
    found = {v["id"] for v in run_axe(page)}
    assert {"image-alt", "color-contrast", "html-has-lang", "landmark-one-main"} <= found
    assert horizontal_overflow(page) > 0
