"""The budget's lanes (issue 12, item 2): landing lookups can never take the share reserved
for verified flows and journey POSTs, and never queue as a crowd."""

from __future__ import annotations

import contextvars
import threading

import pytest

from redeem.gifq.budget import OPEN, RESERVED, LocalBudget, open_slots, use_lane
from redeem.gifq.errors import RateLimited
from tests.unit.test_gifq_budget import FakeTime


def in_lane(lane: str, budget: LocalBudget, timeout: float = 8.0) -> None:
    context = contextvars.copy_context()
    context.run(lambda: (use_lane(lane), budget.acquire(timeout)))


@pytest.mark.parametrize(("per_second", "open_share"), [(9, 6), (10, 6), (3, 2), (2, 1), (1, 1)])
def test_the_open_lane_leaves_a_third_of_the_budget_to_the_reserved_lane(per_second, open_share):
    assert open_slots(per_second, 1 / 3) == open_share


def test_landing_lookups_fill_only_their_share_and_verified_calls_still_get_theirs():
    fake = FakeTime()
    budget = LocalBudget(9, clock=fake.clock, sleep=fake.sleep, open_wait=0.0)
    for _ in range(6):
        in_lane(OPEN, budget)
    with pytest.raises(RateLimited):
        in_lane(OPEN, budget)
    for _ in range(3):
        in_lane(RESERVED, budget)  # straight through: the reserved third is untouched
    assert fake.slept == []


def test_a_landing_lookup_alone_waits_its_turn_within_a_second():
    fake = FakeTime()
    budget = LocalBudget(3, clock=fake.clock, sleep=fake.sleep)
    in_lane(OPEN, budget)
    in_lane(OPEN, budget)
    in_lane(OPEN, budget)  # waits for the first slot to leave the window
    assert 0 < sum(fake.slept) <= 1.01


def test_a_landing_lookup_beyond_the_waiting_ones_is_refused_at_once():
    budget = LocalBudget(2, open_wait=1.5)
    budget.open_waiters = 1  # one may wait (four by default); the next is refused
    in_lane(OPEN, budget)  # the open lane (1 of 2) is now full for a second
    first_waiting = threading.Event()
    original_sleep = budget.sleep

    def sleep(seconds: float) -> None:
        first_waiting.set()
        original_sleep(seconds)

    budget.sleep = sleep
    waiter = threading.Thread(target=in_lane, args=(OPEN, budget))
    waiter.start()
    assert first_waiting.wait(2.0)
    with pytest.raises(RateLimited):
        in_lane(OPEN, budget, timeout=8.0)
    waiter.join(3.0)


def test_without_a_lane_a_call_is_reserved():
    fake = FakeTime()
    budget = LocalBudget(3, clock=fake.clock, sleep=fake.sleep, open_wait=0.0)
    for _ in range(3):
        budget.acquire(1.0)
    assert fake.slept == []
