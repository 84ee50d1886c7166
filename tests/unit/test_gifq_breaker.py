"""The circuit breaker: fail fast after consecutive failures, probe once, recover."""

from __future__ import annotations

import threading

import pytest

from redeem.gifq.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from redeem.gifq.errors import GifqUnavailable


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(threshold=3, cooldown=10.0, clock=clock)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        assert breaker.allow()
        breaker.failure()


def cooled_down(breaker: CircuitBreaker, clock: FakeClock) -> None:
    """Opened by three failures, and the cooldown over: the next call may probe."""
    fail(breaker, 3)
    clock.now += 10.0


def probing(breaker: CircuitBreaker, clock: FakeClock) -> None:
    """The one probe after the cooldown is on its way."""
    cooled_down(breaker, clock)
    assert breaker.allow()


def test_the_breaker_stays_closed_below_the_threshold(breaker):
    fail(breaker, 2)

    assert breaker.state == CLOSED
    assert breaker.allow()


def test_the_breaker_opens_after_threshold_consecutive_failures_and_fails_fast(breaker):
    fail(breaker, 3)

    assert breaker.state == OPEN
    assert not breaker.allow()
    with pytest.raises(GifqUnavailable), breaker.guard():
        pytest.fail("the call must not run while the breaker is open")


def test_a_success_resets_the_count_of_consecutive_failures(breaker):
    fail(breaker, 2)
    breaker.success()
    fail(breaker, 2)

    assert breaker.state == CLOSED


def test_after_the_cooldown_exactly_one_probe_goes_through(breaker, clock):
    cooled_down(breaker, clock)

    assert breaker.state == HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()


def test_a_successful_probe_closes_the_breaker(breaker, clock):
    probing(breaker, clock)

    breaker.success()

    assert breaker.state == CLOSED
    assert breaker.allow()


def test_a_failed_probe_opens_the_breaker_for_another_cooldown(breaker, clock):
    probing(breaker, clock)

    breaker.failure()

    assert breaker.state == OPEN
    assert breaker.seconds_until_probe() == pytest.approx(10.0)
    clock.now += 9.9
    assert not breaker.allow()


def test_a_probe_that_proves_nothing_lets_the_next_call_probe(breaker, clock):
    cooled_down(breaker, clock)

    with breaker.guard():
        pass  # neither success nor failure, e.g. a contract error

    assert breaker.state == HALF_OPEN
    assert breaker.allow()


def test_a_probe_that_never_reports_back_does_not_wedge_the_breaker(breaker, clock):
    probing(breaker, clock)

    clock.now += 10.0

    assert breaker.allow()


def test_the_guard_settles_the_outcome_the_call_reports(breaker):
    for _ in range(3):
        with breaker.guard() as ticket:
            ticket.failure()

    assert breaker.state == OPEN


def test_a_threshold_of_zero_switches_the_breaker_off(clock):
    breaker = CircuitBreaker(threshold=0, cooldown=10.0, clock=clock)

    fail(breaker, 50)

    assert breaker.allow()


def test_only_one_of_many_threads_gets_the_half_open_probe(breaker, clock):
    cooled_down(breaker, clock)
    admitted = []
    barrier = threading.Barrier(16)

    def call() -> None:
        barrier.wait()
        admitted.append(breaker.allow())

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert admitted.count(True) == 1
