"""The budget's lanes (issue 12, item 2): landing lookups can never take the share reserved
for verified flows and journey POSTs, and never queue as a crowd."""

from __future__ import annotations

import contextvars
import threading

import httpx
import pytest

from redeem.gifq.budget import (
    OPEN,
    OPEN_WAITERS,
    RESERVED,
    LocalBudget,
    RedisBudget,
    current_lane,
    open_slots,
    use_lane,
)
from redeem.gifq.errors import RateLimited
from tests.support.gifq_mock import TOKEN, Upstream, make_client, payout_json
from tests.unit.test_gifq_budget import FakeTime, redis_url  # noqa: F401 - a fixture


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


def test_a_few_landing_lookups_wait_at_once_and_the_next_is_refused_at_once():
    budget = LocalBudget(2, open_wait=1.5)
    in_lane(OPEN, budget)  # the open lane (1 of 2) is now full for a second
    waiting = threading.Semaphore(0)
    original_sleep = budget.sleep

    def sleep(seconds: float) -> None:
        waiting.release()
        original_sleep(seconds)

    budget.sleep = sleep
    outcomes: list[str] = []

    def wait_in_open_lane() -> None:
        try:
            in_lane(OPEN, budget)
            outcomes.append("slot")
        except RateLimited:
            outcomes.append("busy")  # one slot frees in the window; the others time out

    waiters = [threading.Thread(target=wait_in_open_lane) for _ in range(OPEN_WAITERS)]
    for waiter in waiters:
        waiter.start()
    for _ in waiters:
        assert waiting.acquire(timeout=2.0), "a landing lookup did not get to wait"
    assert OPEN_WAITERS > 1  # a burst of recipients opening their links queues, not only one
    with pytest.raises(RateLimited):
        in_lane(OPEN, budget, timeout=8.0)
    for waiter in waiters:
        waiter.join(3.0)
    assert "slot" in outcomes


def test_reserved_sends_beyond_their_share_leave_landings_the_rest_of_the_budget():
    """A burst of real recipients: their code sends fill the reserved lane, and their own
    landings still get every slot the code sends leave (not 6 - 5 = 1 of 9)."""
    fake = FakeTime()
    budget = LocalBudget(9, clock=fake.clock, sleep=fake.sleep, open_wait=0.0)
    for _ in range(5):
        in_lane(RESERVED, budget)
    for _ in range(4):
        in_lane(OPEN, budget)
    with pytest.raises(RateLimited):
        in_lane(OPEN, budget)
    with pytest.raises(RateLimited):
        in_lane(RESERVED, budget, timeout=0.0)  # the whole budget is used: nobody jumps it
    assert fake.slept == []


def test_landings_never_take_the_reserved_share_even_when_reserved_calls_came_first():
    fake = FakeTime()
    budget = LocalBudget(9, clock=fake.clock, sleep=fake.sleep, open_wait=0.0)
    in_lane(RESERVED, budget)
    for _ in range(6):
        in_lane(OPEN, budget)
    with pytest.raises(RateLimited):
        in_lane(OPEN, budget)
    for _ in range(2):
        in_lane(RESERVED, budget)  # the two reserved slots left are still there
    assert fake.slept == []


def test_a_waiting_landing_gets_the_slot_once_the_window_moves_on():
    fake = FakeTime()
    budget = LocalBudget(9, clock=fake.clock, sleep=fake.sleep, open_wait=1.5)
    for _ in range(9):
        in_lane(RESERVED, budget)
    fake.now += 0.5
    in_lane(OPEN, budget)  # waits ~0.5 s for the first reserved sends to leave
    assert 0.4 < sum(fake.slept) <= 0.52


@pytest.mark.redis
def test_the_redis_budget_keeps_the_same_lanes(redis_url):  # noqa: F811 - the fixture
    import redis

    now = [1_000.0]
    budget = RedisBudget(
        redis.Redis.from_url(redis_url), 9, key="test:lanes", clock=lambda: now[0], open_wait=0.0
    )
    for _ in range(6):
        in_lane(OPEN, budget)
    with pytest.raises(RateLimited):
        in_lane(OPEN, budget)
    for _ in range(3):
        in_lane(RESERVED, budget)
    with pytest.raises(RateLimited):
        in_lane(RESERVED, budget, timeout=0.0)
    now[0] += 1.0  # a new window: five code sends, then four landings, then nothing more
    for _ in range(5):
        in_lane(RESERVED, budget)
    for _ in range(4):
        in_lane(OPEN, budget)
    with pytest.raises(RateLimited):
        in_lane(OPEN, budget)


def test_without_a_lane_a_call_is_reserved():
    fake = FakeTime()
    budget = LocalBudget(3, clock=fake.clock, sleep=fake.sleep, open_wait=0.0)
    for _ in range(3):
        budget.acquire(1.0)
    assert fake.slept == []


class FullLandingLane:
    """A budget whose landing lane is full: a landing lookup arriving now gets "busy"."""

    def __init__(self) -> None:
        self.lanes: list[str] = []

    def acquire(self, timeout: float) -> None:
        self.lanes.append(current_lane())
        if len(self.lanes) > 1 and current_lane() == OPEN:
            raise RateLimited(1.0)


def test_a_landing_lookup_gifq_refused_keeps_its_admission_for_its_one_retry():
    """The bench's burst: one landing in 50 met GIFQ's own 429 (its window and ours a few ms
    apart), waited its second, then joined the full landing lane as a newcomer: busy page."""
    upstream = Upstream(
        httpx.Response(429, headers={"retry-after": "0.1"}, json={"code": "rate_limited"}),
        httpx.Response(200, json=payout_json()),
    )
    client = make_client(upstream)
    budget = FullLandingLane()
    client.calls.budget = budget

    def landing() -> str:
        use_lane(OPEN)
        client.get_payout(TOKEN)
        return current_lane()

    assert contextvars.copy_context().run(landing) == OPEN  # the request keeps its lane
    assert budget.lanes == [OPEN, RESERVED]
    assert len(upstream.requests) == 2
