"""The app's login back-off, on a clock the test controls."""

from __future__ import annotations

from access import ThrottledLogin


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def login(clock: Clock) -> ThrottledLogin:
    return ThrottledLogin("canbo", "mat-khau", free_attempts=3, backoff=2.0, backoff_max=60.0, clock=clock)


def test_forty_wrong_passwords_in_a_burst_get_three_checked_tries():
    clock = Clock()
    check = login(clock)
    assert [check("canbo", f"doan-{i}") for i in range(40)] == [False] * 40
    assert not check("canbo", "mat-khau")  # right, but inside the back-off: refused unchecked
    clock.now += 2.0
    assert check("canbo", "mat-khau")  # the wait after the third failure was 2 s


def test_the_wait_doubles_per_failure_up_to_the_cap_and_a_login_clears_it():
    clock = Clock()
    check = login(clock)
    waits = []
    for _ in range(9):
        check("canbo", "sai")
        failures = check._failures["canbo"]
        waits.append(failures.not_before - clock.now)
        clock.now = failures.not_before  # the next attempt comes exactly when allowed
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60, 60]
    assert check("canbo", "mat-khau") and "canbo" not in check._failures
    assert not check("canbo", "sai") and check("canbo", "mat-khau")  # a fresh count


def test_back_off_is_per_user_name():
    clock = Clock()
    check = login(clock)
    for _ in range(5):
        check("ke-gian", "x")
    assert check("canbo", "mat-khau")
    assert not check("ke-gian", "mat-khau")
