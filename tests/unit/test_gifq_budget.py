"""The request budget: every worker together stays under GIFQ's requests per second."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator

import pytest

from redeem.gifq.budget import LocalBudget, RedisBudget, Unlimited, make_budget
from redeem.gifq.errors import RateLimited
from tests.support.processes import free_port
from tests.support.redis import start_redis


class FakeTime:
    """A clock whose sleep moves it forward, so waiting costs no wall time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def most_in_any_window(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    best = 0
    start = 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_the_first_n_calls_in_a_second_go_straight_through():
    fake = FakeTime()
    budget = LocalBudget(5, clock=fake.clock, sleep=fake.sleep)

    for _ in range(5):
        budget.acquire(timeout=1.0)

    assert fake.slept == []


def test_a_call_over_budget_waits_for_the_oldest_slot_to_free():
    fake = FakeTime()
    budget = LocalBudget(2, clock=fake.clock, sleep=fake.sleep)
    budget.acquire(1.0)
    fake.now = 0.3
    budget.acquire(1.0)

    budget.acquire(timeout=2.0)

    assert fake.now == pytest.approx(1.0, abs=0.02)


def test_a_call_whose_wait_would_pass_its_deadline_is_rate_limited_at_once():
    fake = FakeTime()
    budget = LocalBudget(1, clock=fake.clock, sleep=fake.sleep)
    budget.acquire(1.0)

    with pytest.raises(RateLimited) as caught:
        budget.acquire(timeout=0.5)

    assert caught.value.retry_after == pytest.approx(1.0)
    assert fake.slept == []


def test_a_sliding_window_never_lets_two_bursts_meet_across_a_second_boundary():
    fake = FakeTime()
    budget = LocalBudget(10, clock=fake.clock, sleep=fake.sleep)
    stamps = []
    fake.now = 0.95
    for _ in range(20):
        budget.acquire(timeout=5.0)
        stamps.append(fake.now)

    assert most_in_any_window(stamps, 1.0) == 10


def test_the_in_process_budget_holds_n_per_second_across_threads():
    budget = LocalBudget(10)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(3):
            budget.acquire(timeout=10.0)
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(stamps) == 24
    assert most_in_any_window(stamps, 0.98) <= 10
    assert 1.9 <= time.monotonic() - started <= 6.0


def test_a_budget_of_zero_is_no_budget():
    budget = make_budget(0)

    assert isinstance(budget, Unlimited)
    for _ in range(1000):
        budget.acquire(0.0)


def test_without_redis_the_budget_is_in_process():
    assert isinstance(make_budget(10), LocalBudget)


def test_a_redis_that_is_down_falls_back_to_the_in_process_budget():
    budget = make_budget(2, f"redis://127.0.0.1:{free_port()}/0")
    assert isinstance(budget, RedisBudget)

    budget.acquire(1.0)
    budget.acquire(1.0)
    with pytest.raises(RateLimited):
        budget.acquire(0.1)


# --- the shared budget, against a real redis-server ----------------------------------------


@pytest.fixture
def redis_url() -> Iterator[str]:
    # Skips without a redis-server binary on a developer's machine; fails in CI.
    with start_redis() as server:
        yield server.url


def take_slots(redis_url: str, count: int, queue) -> None:
    budget = make_budget(10, redis_url, key="test:budget")
    stamps = []
    for _ in range(count):
        budget.acquire(timeout=10.0)
        stamps.append(time.time())
    queue.put(stamps)


@pytest.mark.redis
def test_the_redis_budget_admits_n_and_then_makes_callers_wait(redis_url):
    budget = make_budget(5, redis_url)
    started = time.monotonic()

    for _ in range(5):
        budget.acquire(timeout=1.0)
    fast = time.monotonic() - started
    with pytest.raises(RateLimited):
        budget.acquire(timeout=0.2)
    budget.acquire(timeout=2.0)

    assert fast < 0.5
    assert time.monotonic() - started >= 0.9


@pytest.mark.redis
def test_the_redis_budget_uses_an_injected_clock_when_given(redis_url):
    import redis

    now = [1_000.0]
    budget = RedisBudget(redis.Redis.from_url(redis_url), 2, key="test:clock", clock=lambda: now[0])

    assert budget.try_acquire() == 0
    assert budget.try_acquire() == 0
    assert budget.try_acquire() == pytest.approx(1.0)
    now[0] += 1.0
    assert budget.try_acquire() == 0


@pytest.mark.redis
def test_two_processes_share_one_redis_budget(redis_url):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=take_slots, args=(redis_url, 12, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    stamps = queue.get(timeout=30) + queue.get(timeout=30)
    for worker in workers:
        worker.join(timeout=10)

    assert len(stamps) == 24
    # 24 slots at 10/s need at least two full windows, whichever process took them.
    assert max(stamps) - min(stamps) >= 1.9
    # A small allowance for the gap between Redis granting a slot and the child recording it.
    assert most_in_any_window(stamps, 0.95) <= 10
